/**
 * The machine's speed between (and within) the two runs, from their canary readings (a fixed workload
 * timed on a cell's workers just before it ran): per cell, how much slower the machine ran it now than in
 * the baseline. A time verdict the canary explains is the machine's doing, not the code's. Pure.
 */
import type { CellResult, RunResult, TrialResult } from '../results/schema.js';
import type { MetricComparison } from './schema.js';
import { median, quantile } from '../stats/index.js';
import { cellsBehind } from './sweep-cells.js';
import { canarySpread, combinedSpread } from './canary-spread.js';
import { CPU_SHARE_BAND, cpuShareChanges } from './cpu-share.js';
import { isAbsoluteChange } from './thresholds.js';

export interface CanaryShift {
  /**
   * 'paired': both runs have readings, so a cell's change is its current reading over its baseline reading.
   * 'within': only the current run has them (an older baseline): a cell's reading over the run's lower quartile
   * at the same width, which catches load that came and went during the run but not a change between runs.
   */
  basis: 'paired' | 'within';
  /** Per cell id: current canary / reference − 1 (positive = the machine ran slower). */
  changes: Map<string, number>;
  /** Per width: how much the machine's speed varied within the runs (canary-spread.ts). */
  spread: Map<number, number>;
  /**
   * Cells whose change comes from their own CPU share (cpu-share.ts) rather than the canary: the share moved
   * beyond its band. Their band is CPU_SHARE_BAND, and the canary's spread does not widen their thresholds.
   */
  cpuCells: Set<string>;
  /** Cells in both runs with CPU times: load during them shows in their CPU share, so the spread of the canary need not stand in for it. */
  cpuMeasured: Set<string>;
}

export type CanaryUse = { shift: CanaryShift; warning?: string } | { shift: null; warning?: string };

/**
 * Each cell's canary, smoothed: the median of its own reading and those of the cells before and after it at
 * the same width. One reading is one sample of the machine's contention and can catch a spike; three still
 * follow a burst of load that lasts a few cells. Cells in `rerun` (the confirmed view of the confirm step)
 * keep their own reading, taken around their re-run, which is not their sweep neighbours'.
 */
export function localCanary(run: RunResult, rerun: ReadonlySet<string> = new Set()): Map<string, number> {
  const out = new Map<string, number>();
  const widths = new Set(run.cells.map((c) => c.cell.workers));
  for (const width of widths) {
    const row = run.cells.filter((c) => c.cell.workers === width && c.canaryMs !== undefined && !rerun.has(c.cell.id));
    row.forEach((cell, i) => {
      const near = row.slice(Math.max(0, i - 1), i + 2).map((c) => c.canaryMs ?? NaN);
      out.set(cell.cell.id, median(near));
    });
  }
  for (const cell of run.cells) if (rerun.has(cell.cell.id) && cell.canaryMs !== undefined) out.set(cell.cell.id, cell.canaryMs);
  return out;
}

/**
 * Per width, the speed the machine showed when least disturbed during the run: the lower quartile of its
 * readings (the minimum would trust one lucky reading; the median is itself slowed when half the run was).
 */
function byWidthReference(result: RunResult): Map<number, number> {
  const readings = result.canary?.readings.filter((r) => r.phase === 'sweep') ?? [];
  const widths = new Set(readings.map((r) => r.workers));
  return new Map([...widths].map((w) => [w, quantile(readings.filter((r) => r.workers === w).map((r) => r.ms), 0.25)]));
}

/**
 * The canary's change per cell, when the runs' canaries measure the same thing (same workload, backend,
 * backend version and kernels: a kernel change would otherwise pass for a machine change); else why not.
 */
export function canaryShift(baseline: RunResult, current: RunResult, rerun: ReadonlySet<string> = new Set()): CanaryUse {
  if (!current.canary || !current.cells.some((c) => c.canaryMs !== undefined)) return { shift: null };
  const b = baseline.environment;
  const c = current.environment;
  const sameBackend = b.backend === c.backend && b.backendVersion === c.backendVersion && b.kernelPatches.join() === c.kernelPatches.join();
  const w = baseline.canary?.workload;
  const sameWork = w !== undefined && w.size === current.canary.workload.size && w.matmuls === current.canary.workload.matmuls;
  const changes = new Map<string, number>();
  const now = localCanary(current, rerun);
  if (baseline.canary && sameWork && sameBackend) {
    const before = localCanary(baseline);
    for (const [id, ms] of now) {
      const then = before.get(id);
      if (then !== undefined && then > 0) changes.set(id, ms / then - 1);
    }
    return { shift: withCpuShare({ basis: 'paired', changes, spread: combinedSpread(baseline, current), cpuCells: new Set(), cpuMeasured: new Set() }, baseline, current) };
  }
  const reference = byWidthReference(current);
  for (const cell of current.cells) {
    const ref = reference.get(cell.cell.workers);
    const ms = now.get(cell.cell.id);
    if (ref !== undefined && ref > 0 && ms !== undefined) changes.set(cell.cell.id, ms / ref - 1);
  }
  const why = !baseline.canary
    ? 'the baseline has no canary readings (saved by an older scale-bench, or measured without them)'
    : !sameBackend
      ? 'the runs used different backends, backend versions or kernels, so their canaries ran different code'
      : 'the runs timed different canary workloads';
  return {
    shift: withCpuShare({ basis: 'within', changes, spread: canarySpread(current), cpuCells: new Set(), cpuMeasured: new Set() }, baseline, current),
    warning: `${why}: a change of the machine's speed between the runs cannot be told from a regression; only drift within the current run is. Save a new baseline to get both.`,
  };
}

/**
 * Where a cell's CPU share moved beyond its band, that is the machine's change for the cell: it measured the
 * very seconds the cell ran. Elsewhere the canary's reading stands (a machine slower at everything leaves the
 * CPU share as it was, and only the canary sees it).
 */
function withCpuShare(shift: CanaryShift, baseline: RunResult, current: RunResult): CanaryShift {
  for (const [id, change] of cpuShareChanges(baseline, current)) {
    shift.cpuMeasured.add(id);
    if (Math.abs(change) <= CPU_SHARE_BAND) continue;
    shift.changes.set(id, change);
    shift.cpuCells.add(id);
  }
  return shift;
}

/** The share of each cell's slowdown beyond its instrument's band that normalisation removes: 1 + change, or 1 inside the band. */
export function normalisingFactor(shift: CanaryShift, cellId: string, band: number): number {
  const change = shift.changes.get(cellId);
  const limit = shift.cpuCells.has(cellId) ? CPU_SHARE_BAND : band;
  return change !== undefined && Math.abs(change) > limit ? 1 + change : 1;
}

/** What measured the machine's change behind a metric, for its note: the cells' own CPU share, or the canary. */
export function instrumentBehind(metric: Pick<MetricComparison, 'metric' | 'subject'>, run: RunResult, shift: CanaryShift): string {
  return cellsBehind(metric, run).some((id) => shift.cpuCells.has(id)) ? "CPU share: the cell's process CPU time per wall second, against the baseline's" : 'canary';
}

function scaleTrial(trial: TrialResult, factor: number): TrialResult {
  return {
    ...trial,
    wallMs: trial.wallMs / factor,
    samplesPerSec: trial.samplesPerSec * factor,
    ...(trial.timeToTargetMs !== undefined ? { timeToTargetMs: trial.timeToTargetMs / factor } : {}),
  };
}

/** The run with every cell's times divided by how much slower the machine ran it (where the canary moved beyond `band`). */
export function normaliseByCanary(run: RunResult, shift: CanaryShift, band: number): RunResult {
  const scale = (cell: CellResult): CellResult => {
    const factor = normalisingFactor(shift, cell.cell.id, band);
    return factor === 1 ? cell : { ...cell, trials: cell.trials.map((t) => scaleTrial(t, factor)) };
  };
  return { ...run, cells: run.cells.map(scale) };
}

/**
 * The canary change of the cells a comparison rests on: the largest in size, since a law moves with its most
 * disturbed cell (efficiency at 2 workers when only they ran slower); undefined when none has a reading.
 */
export function canaryChangeBehind(metric: Pick<MetricComparison, 'metric' | 'subject'>, run: RunResult, shift: CanaryShift): number | undefined {
  const changes = cellsBehind(metric, run).flatMap((id) => {
    const change = shift.changes.get(id);
    return change === undefined ? [] : [change];
  });
  return changes.length > 0 ? changes.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a)) : undefined;
}

/** "+35%" */
export function signedPercent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;
}

/** A metric's change in words: "+12.3%", or "+0.012" for the absolute changes of quality and exponents. */
export function describeChange(m: Pick<MetricComparison, 'metric' | 'change'>): string {
  if (isAbsoluteChange(m.metric)) return `${m.change >= 0 ? '+' : ''}${m.change.toFixed(3)}`;
  return `${m.change >= 0 ? '+' : ''}${(m.change * 100).toFixed(1)}%`;
}
