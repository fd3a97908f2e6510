/**
 * What each size-law metric measured, in the words every output uses: the reports, and `predict`,
 * which labels its memory laws with the same words (it comes before report/ in the stages, so the
 * words live here).
 */
import type { CellAnalysis, SizeScaling } from './schema.js';

/** The memory a law is fitted on: the memory each cell holds, or the process peak for results that predate it. */
export type MemoryMetric = Extract<SizeScaling['metric'], 'cellMemoryBytes' | 'peakRssBytes'>;

export const SIZE_METRIC_LABEL: Record<SizeScaling['metric'], string> = {
  wallMs: 'time',
  cellMemoryBytes: 'cell memory (data + tensors)',
  peakRssBytes: 'process peak RSS',
  timeToTargetMs: 'time to target',
};

/**
 * cellMemoryBytes when any of the cells has it (it does not depend on the cells that ran before);
 * peakRssBytes only for results written before it existed.
 */
export function memoryMetricOf(cells: ReadonlyArray<Pick<CellAnalysis, 'cellMemoryBytes'>>): MemoryMetric {
  return cells.some((c) => c.cellMemoryBytes) ? 'cellMemoryBytes' : 'peakRssBytes';
}
