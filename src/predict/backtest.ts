/**
 * --backtest: how good are this run's predictions? Each group's laws are refitted without its
 * largest size (and, separately, without its widest width), the held-out cells are predicted from
 * the rest, and each prediction is compared with the measurement: relative error, and whether the
 * measurement fell inside the 95% prediction interval. Memory rows name the memory they compared
 * (cellMemoryBytes, or peakRssBytes for results that predate it).
 */
import { median } from '../stats/index.js';
import { formatCount } from '../config/format.js';
import type { Backtest, BacktestRow, BacktestSummary, PredictionModel } from './schema.js';
import { predictionModel, type CellObservation, type ObservationGroup } from './build.js';
import { evaluator, predictionTable } from './evaluator.js';

function describeTimeLaw(model: PredictionModel, size: number, workers: number): string {
  const p = evaluator.predict(model, size, workers, predictionTable());
  const law = p.timeLaw;
  if (!law) return 'no law';
  const sizes = law.sizes.map((n) => formatCount(n)).join(', ');
  const base = `t ∝ n^${law.exponent.toFixed(2)} at w=${law.sizeLawWorkers} on ${sizes}`;
  if (!law.speedup) return base;
  return `${base} × ${model.replicaPerWorker ? `${workers}/` : '1/'}S(${workers}), ${law.speedup.kind === 'usl' ? 'USL' : 'Amdahl'} on widths ${law.speedup.widths.join(', ')}`;
}

function rowsFor(group: ObservationGroup, model: PredictionModel, heldOut: readonly CellObservation[], holdout: BacktestRow['holdout']): BacktestRow[] {
  const table = predictionTable();
  const rows: BacktestRow[] = [];
  for (const cell of heldOut) {
    const p = evaluator.predict(model, cell.size, cell.workers, table);
    const head = { model: group.model, dataset: group.dataset, mode: group.mode, variant: group.variant, holdout, size: cell.size, workers: cell.workers };
    const compare = (metric: BacktestRow['metric'], predicted: BacktestRow['predicted'] | null, measured: number, law: string) => {
      if (!predicted || !(measured > 0)) return;
      // Relative slack for rounding: an exact law (cell memory counts bytes) has an interval of no width.
      const slack = 1e-9 * measured;
      const inside = predicted.low === null || predicted.high === null ? null : predicted.low - slack <= measured && measured <= predicted.high + slack;
      const error = (predicted.estimate - measured) / measured;
      rows.push({ ...head, metric, law, predicted, measured, relativeError: Math.abs(error) < 1e-9 ? 0 : error, inside });
    };
    compare('wallMs', p.wallMs, cell.median.wallMs, describeTimeLaw(model, cell.size, cell.workers));
    compare(p.memoryMetric, p.memoryBytes, cell.median.memoryBytes, p.memoryLaw ?? 'no law');
    if (cell.timeToTargetMs.length > 0) compare('timeToTargetMs', p.timeToTargetMs, cell.median.timeToTargetMs, 'time to target ∝ n^b');
  }
  return rows;
}

/** The rows of one group: largest size held out, then widest width held out. */
export function backtestGroup(group: ObservationGroup, notes: string[]): BacktestRow[] {
  const label = `${group.model} · ${group.dataset}${group.mode === 'job-parallel' ? '' : ` · ${group.mode}${group.variant.replace(/\|/g, ' ')}`}`;
  const sizes = [...new Set(group.cells.map((c) => c.size))].sort((a, b) => a - b);
  const widths = [...new Set(group.cells.map((c) => c.workers))].sort((a, b) => a - b);
  const rows: BacktestRow[] = [];

  const largest = sizes[sizes.length - 1]!;
  if (sizes.length >= 3) {
    const model = predictionModel({ ...group, cells: group.cells.filter((c) => c.size !== largest) });
    if (model) rows.push(...rowsFor(group, model, group.cells.filter((c) => c.size === largest), 'size'));
  } else notes.push(`${label}: size hold-out needs 3 or more sizes (2 left to refit on); it has ${sizes.length}.`);

  const widest = widths[widths.length - 1]!;
  if (widths.length >= 3 && widths.includes(1)) {
    const model = predictionModel({ ...group, cells: group.cells.filter((c) => c.workers !== widest), uslBySize: undefined });
    if (model) rows.push(...rowsFor(group, model, group.cells.filter((c) => c.workers === widest), 'width'));
  } else notes.push(`${label}: width hold-out needs 3 or more widths including 1 (2 left to refit on); it has ${widths.length} (${widths.join(', ')}).`);
  return rows;
}

export function summarise(rows: readonly BacktestRow[]): BacktestSummary {
  const withInterval = rows.filter((r) => r.inside !== null);
  return {
    cells: rows.length,
    medianAbsError: rows.length ? median(rows.map((r) => Math.abs(r.relativeError))) : null,
    intervals: withInterval.length,
    coverage: withInterval.length ? withInterval.filter((r) => r.inside).length / withInterval.length : null,
  };
}

export function backtest(groups: readonly ObservationGroup[]): Backtest {
  const notes: string[] = [];
  const rows = groups.flatMap((g) => backtestGroup(g, notes));
  const wall = rows.filter((r) => r.metric === 'wallMs');
  return {
    rows,
    summary: summarise(wall),
    size: summarise(wall.filter((r) => r.holdout === 'size')),
    width: summarise(wall.filter((r) => r.holdout === 'width')),
    memory: summarise(rows.filter((r) => r.metric === 'cellMemoryBytes' || r.metric === 'peakRssBytes')),
    notes,
  };
}
