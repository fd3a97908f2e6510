/**
 * The cell's own measure of how much of the machine it got: the process's CPU time per wall-clock
 * millisecond of its timed phase (TrialResult.cpuMs / wallMs). Slower code takes more CPU time and more wall
 * time alike, so the share stays put; a busy neighbour on the cell's cores leaves the CPU time as it was and
 * stretches only the wall time, so the share falls. Unlike the canary, which is read before the cell and for
 * a few milliseconds, it covers exactly the time the cell ran.
 *
 * Measured here (2 cores, `run --quick`, a busy loop pinned to one core during the current run): the
 * canary missed load that the 2-worker cells felt (a cell 2x slower under a canary reading +8%), and its
 * readings between two quiet runs moved by up to ±30%; the CPU share of the same cells agrees between quiet runs
 * to a few percent. What it cannot see: a machine that is slower at everything (clock frequency, thermal
 * throttling: CPU time grows with the wall time), which is the canary's job; and code that got slower by
 * waiting (a sleep, a lock) rather than computing, which it takes for load. Pure.
 */
import type { CellResult, RunResult } from '../results/schema.js';
import { median } from '../stats/index.js';
import { okValues } from './sweep-cells.js';

/** A change of CPU share within ±10% is the noise of the measurement itself, not load. */
export const CPU_SHARE_BAND = 0.1;

/** Median CPU ms per wall ms over the cell's ok repetitions; undefined without CPU times (older results, inference levels that report none). */
export function cellCpuShare(cell: CellResult | undefined): number | undefined {
  const shares = okValues(cell, (t) => (t.cpuMs > 0 && t.wallMs > 0 ? t.cpuMs / t.wallMs : NaN));
  return shares.length > 0 ? median(shares) : undefined;
}

/**
 * Per cell id in both runs: baseline share / current share − 1, how much slower the machine ran the cell now
 * (positive: it got less CPU per second than in the baseline), in the canary's units.
 */
export function cpuShareChanges(baseline: RunResult, current: RunResult): Map<string, number> {
  const before = new Map(baseline.cells.map((c) => [c.cell.id, cellCpuShare(c)]));
  const out = new Map<string, number>();
  for (const cell of current.cells) {
    const then = before.get(cell.cell.id);
    const now = cellCpuShare(cell);
    if (then !== undefined && now !== undefined) out.set(cell.cell.id, then / now - 1);
  }
  return out;
}
