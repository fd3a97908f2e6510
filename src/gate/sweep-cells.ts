/**
 * Which raw cells a comparison rests on: the cell itself for a per-cell metric, every cell of the fit for
 * a law. The efficiency and USL intervals resample these cells' repetitions; the confirm step re-runs them.
 */
import type { CellResult, RunResult, TrialResult } from '../results/schema.js';
import type { MetricComparison } from './schema.js';
import { complexityScalingKey, sizeScalingKey, widthScalingKey } from '../analyse/index.js';
import { modeVariant } from '../modes/index.js';

function okTrials(cell: CellResult | undefined): TrialResult[] {
  return (cell?.trials ?? []).filter((t) => t.state === 'ok');
}

/** The ok values of one field of a cell's repetitions (finite ones only). */
export function okValues(cell: CellResult | undefined, pick: (trial: TrialResult) => number): number[] {
  return okTrials(cell).map(pick).filter(Number.isFinite);
}

function widthKeyOf({ cell }: CellResult): string {
  return widthScalingKey(cell.model, cell.dataset, cell.size, cell.mode, modeVariant(cell));
}

/** The cells of a throughput-vs-width sweep (an Analysis widthScaling key), by width. */
export function widthSweepCells(result: RunResult, key: string): Map<number, CellResult> {
  const byWidth = new Map<number, CellResult>();
  for (const cell of result.cells) if (widthKeyOf(cell) === key && !byWidth.has(cell.cell.workers)) byWidth.set(cell.cell.workers, cell);
  return byWidth;
}

/** Ids of the cells a metric comparison rests on (its subject cell, or every cell of its fit). */
export function cellsBehind(metric: Pick<MetricComparison, 'metric' | 'subject'>, result: RunResult): string[] {
  const ids = (match: (cell: CellResult) => boolean) => result.cells.filter(match).map((c) => c.cell.id);
  const { metric: name, subject } = metric;
  if (name === 'wallMs' || name === 'peakRssBytes' || name === 'quality' || name === 'timeToTargetMs') return ids((c) => c.cell.id === subject);
  if (name === 'exponent' || name === 'memoryExponent' || name === 'timeToTargetExponent') {
    // Memory laws are fitted on the cell's own memory when the results have it, else on the process peak.
    const fits = name === 'exponent' ? (['wallMs'] as const) : name === 'timeToTargetExponent' ? (['timeToTargetMs'] as const) : (['cellMemoryBytes', 'peakRssBytes'] as const);
    return ids(({ cell }) => fits.some((fit) => sizeScalingKey(cell.model, cell.dataset, cell.workers, cell.mode, fit, modeVariant(cell)) === subject));
  }
  if (name === 'paramsExponent') return ids(({ cell }) => complexityScalingKey(cell.dataset, cell.size, cell.workers, cell.mode, modeVariant(cell)) === subject);
  if (name.startsWith('efficiency@')) {
    const width = Number(name.slice('efficiency@'.length));
    return ids((c) => widthKeyOf(c) === subject && (c.cell.workers === width || c.cell.workers === 1));
  }
  if (name === 'uslPeak') return ids((c) => widthKeyOf(c) === subject);
  return [];
}
