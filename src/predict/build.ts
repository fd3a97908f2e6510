/**
 * Analysed runs -> PredictionModel per model × data set × mode: the size laws (time and memory,
 * per width), the speedup laws (USL with 4+ widths, Amdahl otherwise, per size) and memory growth
 * with width, each with what its prediction intervals need (repetitions, residual variance,
 * bootstrap replicates).
 *
 * Memory is the memory each cell holds (cellMemoryBytes: its data table plus its workers' tensors),
 * as the analysis fits it (here with an affine law where it fits better than a power law, see
 * memoryLaw); the process's peak RSS only for results that predate that figure, since
 * the RSS carries whatever earlier cells left (wasm heaps never shrink) and its law through that
 * baseline has a near-zero exponent that extrapolates wrongly.
 *
 * The point estimates are the analysis' own: the same stats functions on the same medians
 * (powerLawFit's line through the log medians, fitUsl, amdahlParallelFraction), so a law printed
 * by `predict` is the law printed by `run`. The repetitions behind each median add what a
 * prediction interval needs beyond them.
 */
import type { Analysis, CellAnalysis, WidthScaling } from '../analyse/schema.js';
import type { Mode, RunResult, TrialResult } from '../results/schema.js';
import { modeVariant } from '../modes/index.js';
import { widthScalingKey } from '../analyse/index.js';
import { memoryMetricOf, type MemoryMetric } from '../analyse/labels.js';
import { amdahlParallelFraction, fitAffineLaw, fitUsl, lawUncertainty, median, powerLawTheta, refitLaw, residualSumOfSquares, type FittedLaw, type ReplicatedPoint } from '../stats/index.js';
import type { PredictionModel, SizeLaw, WidthLaw } from './schema.js';

type Metric = 'wallMs' | 'samplesPerSec' | 'memoryBytes' | 'timeToTargetMs';

/** One measured cell: its place in the sweep and the ok repetitions' values. */
export interface CellObservation {
  size: number;
  workers: number;
  wallMs: number[];
  samplesPerSec: number[];
  /** The group's memory metric (ObservationGroup.memoryMetric) of each ok repetition that has it. */
  memoryBytes: number[];
  /** Time to the target quality of each ok repetition; empty where it was not measured (or not reached by every one). */
  timeToTargetMs: number[];
  /** Medians as the analysis computed them (time to target: the median of its repetitions; NaN when absent). */
  median: Record<Metric, number>;
}

/**
 * Time to the target quality of a trial. Issue 14 adds `timeToTargetMs` to the results schema;
 * until a results file has it, this reads nothing and time to target is simply not predicted.
 */
function timeToTarget(trial: TrialResult): number | undefined {
  const value = (trial as TrialResult & { timeToTargetMs?: unknown }).timeToTargetMs;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The cells of one model × data set × mode (and mode variant). */
export interface ObservationGroup {
  model: string;
  dataset: string;
  mode: Mode;
  variant: string;
  epochs: number;
  cores: number;
  /** What the cells' memoryBytes are: cellMemoryBytes when any cell of the group has it. */
  memoryMetric: MemoryMetric;
  cells: CellObservation[];
  /**
   * The analysis' USL fit (or why there is none) per size, over all the group's widths. A group
   * whose cells were filtered (the backtest) leaves it out, and the fit is redone on what is left.
   */
  uslBySize?: Map<number, WidthScaling['usl']>;
}

const positive = (v: number) => Number.isFinite(v) && v > 0;

function observation(analysis: CellAnalysis, trials: readonly TrialResult[], memoryMetric: MemoryMetric): CellObservation | null {
  const ok = trials.filter((t) => t.state === 'ok');
  const { wallMs, samplesPerSec } = analysis;
  if (ok.length === 0 || !wallMs || !samplesPerSec) return null;
  const toTarget = ok.map(timeToTarget);
  const timeToTargetMs = toTarget.every((t) => t !== undefined) ? (toTarget as number[]) : [];
  // A cell without the metric (an older file pooled with a newer one) adds nothing to the memory laws.
  const memoryBytes = ok.flatMap((t) => t[memoryMetric] ?? []);
  return {
    size: analysis.cell.size,
    workers: analysis.cell.workers,
    wallMs: ok.map((t) => t.wallMs),
    samplesPerSec: ok.map((t) => t.samplesPerSec),
    memoryBytes,
    timeToTargetMs,
    median: {
      wallMs: wallMs.median,
      samplesPerSec: samplesPerSec.median,
      memoryBytes: analysis[memoryMetric]?.median ?? NaN,
      timeToTargetMs: timeToTargetMs.length ? median(timeToTargetMs) : NaN,
    },
  };
}

/**
 * Training cells grouped by model × data set × mode variant, with their ok repetitions. Inference
 * cells are left out (they measure serving, not training) and named in `notes`.
 */
export function observationGroups(result: RunResult, analysis: Analysis, notes: string[] = []): ObservationGroup[] {
  const trialsById = new Map(result.cells.map((c) => [c.cell.id, c.trials]));
  const analysed = new Map<string, CellAnalysis[]>();
  let inference = 0;
  for (const cell of analysis.cells) {
    if (cell.cell.mode === 'inference') {
      inference += 1;
      continue;
    }
    const key = `${cell.cell.model}|${cell.cell.dataset}|${cell.cell.mode}${modeVariant(cell.cell)}`;
    analysed.set(key, [...(analysed.get(key) ?? []), cell]);
  }
  const groups = new Map<string, ObservationGroup>();
  for (const [key, cells] of analysed) {
    const { model, dataset, mode } = cells[0]!.cell;
    const variant = modeVariant(cells[0]!.cell);
    const memoryMetric = memoryMetricOf(cells);
    const group: ObservationGroup = { model, dataset, mode, variant, epochs: result.plan.training.epochs, cores: result.environment.cores, memoryMetric, cells: [] };
    for (const cell of cells) {
      const obs = observation(cell, trialsById.get(cell.cellId) ?? [], memoryMetric);
      if (obs) group.cells.push(obs);
    }
    const without = cells.filter((c) => c.okTrials > 0 && !c[memoryMetric]).length;
    if (without > 0) notes.push(`${model} · ${dataset}: ${without} cell${without === 1 ? '' : 's'} without ${memoryMetric} (results written before it existed) left out of the memory laws.`);
    groups.set(key, group);
  }
  for (const fit of analysis.widthScaling) {
    const group = groups.get(`${fit.model}|${fit.dataset}|${fit.mode}${fit.key.slice(widthScalingKey(fit.model, fit.dataset, fit.size, fit.mode).length)}`);
    if (!group) continue;
    group.uslBySize ??= new Map();
    group.uslBySize.set(fit.size, fit.usl);
  }
  if (inference > 0) notes.push(`${inference} inference cell${inference === 1 ? '' : 's'} left out: predict covers training (time, throughput, memory against n and w).`);
  return [...groups.values()];
}

function replicated(cells: readonly CellObservation[], x: (c: CellObservation) => number, metric: Metric): ReplicatedPoint[] {
  return cells
    .filter((c) => positive(c.median[metric]) && c[metric].length > 0 && c[metric].every(positive))
    .map((c) => ({ x: x(c), centre: Math.log(c.median[metric]), values: c[metric].map(Math.log) }))
    .sort((a, b) => a.x - b.x);
}

function distinct(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Power laws against n at each width with 2 or more sizes. */
function sizeLaws(cells: readonly CellObservation[], metric: 'wallMs' | 'memoryBytes' | 'timeToTargetMs'): SizeLaw[] {
  const out: SizeLaw[] = [];
  for (const workers of distinct(cells.map((c) => c.workers))) {
    const points = replicated(
      cells.filter((c) => c.workers === workers),
      (c) => c.size,
      metric,
    );
    const law = metric === 'memoryBytes' ? memoryLaw(points) : powerLaw(points);
    if (law) out.push({ workers, sizes: points.map((p) => p.x), law });
  }
  return out;
}

function powerLaw(points: readonly ReplicatedPoint[]): FittedLaw | null {
  const theta = powerLawTheta(points);
  return theta ? lawUncertainty('power', theta, points) : null;
}

/**
 * Memory against n: the affine law b·(n + c) or the power law, whichever misses the centres less
 * (the affine one on a tie, as with 2 sizes, where both pass through them). A training cell's
 * memory is a fixed part (weights, optimizer state, one batch's activations) plus its data,
 * proportional to n: a power law through that bends, with a low exponent that falls short above the
 * measured sizes. Measured (docs/predict.md): mlp-deep at 2k…16k fitted n^0.21 and predicted
 * 16.0 MiB [10.3, 24.8] at 64k, where a separate run measured 27.5 MiB; the affine law,
 * 7.50 MiB + 328 B·n, predicted 27.5 MiB. The power law stays for memory that grows faster than n.
 */
function memoryLaw(points: readonly ReplicatedPoint[]): FittedLaw | null {
  const power = powerLaw(points);
  const affine = fitAffineLaw(points);
  if (!power || !affine) return affine ?? power;
  const tolerance = 1e-12 + 1e-9 * residualSumOfSquares(power, points);
  return residualSumOfSquares(affine, points) <= residualSumOfSquares(power, points) + tolerance ? affine : power;
}

/** The points of one size across widths, when width 1 is among 2 or more of them. */
function widthPoints(cells: readonly CellObservation[], size: number, metric: 'samplesPerSec' | 'memoryBytes'): { points: ReplicatedPoint[]; base: ReplicatedPoint } | null {
  const points = replicated(
    cells.filter((c) => c.size === size),
    (c) => c.workers,
    metric,
  );
  const base = points.find((p) => p.x === 1);
  return base && points.length >= 2 ? { points, base } : null;
}

/** Throughput against width at one size: the USL with 4+ widths (as the analysis fits it), Amdahl otherwise. */
export function speedupLaw(cells: readonly CellObservation[], size: number, fitted?: WidthScaling['usl']): WidthLaw | null {
  const measured = widthPoints(cells, size, 'samplesPerSec');
  if (!measured) return null;
  const { points, base } = measured;
  const widths = points.map((p) => p.x);
  const usl = fitted ?? fitUsl(points.map((p) => ({ workers: p.x, throughput: Math.exp(p.centre) })));
  if (!('unavailable' in usl)) {
    const law = lawUncertainty('usl', [Math.log(usl.lambda), usl.sigma, usl.kappa], points);
    if (law) return { size, widths, law };
  }
  const p = amdahlParallelFraction(points.map((pt) => ({ workers: pt.x, speedup: Math.exp(pt.centre - base.centre) })));
  if (p === null) return null;
  const law = lawUncertainty('amdahl', [base.centre, p], points);
  if (!law) return null;
  const falling = points.find((pt) => pt.x > 1 && pt.centre < base.centre);
  const caveat = falling
    ? `throughput falls from w=1 to w=${falling.x} (S = ${Math.exp(falling.centre - base.centre).toFixed(2)}) at n=${size}, which Amdahl's law cannot describe (it never falls); with 4 or more widths the USL can`
    : undefined;
  return { size, widths, law, uslUnavailable: 'unavailable' in usl ? usl.unavailable : `the USL fit on ${widths.length} widths has no interval`, ...(caveat ? { caveat } : {}) };
}

/**
 * Memory against width at one size, as m(w) = m(1)·(1 + g(w − 1)): each extra worker adds a fraction
 * g of the one-worker cell. For cell memory this is the measured structure itself: the table is held
 * once and every worker adds its own tensors, m(w) = table + w·T, so g = T / (table + T). In
 * job-parallel mode T (a copy of the data, the weights, the optimizer state) grows with n as the
 * table does, so g measured at one size holds at others; in data-parallel mode the shards add up to
 * one copy of the data and T is mostly the replica, so g falls as n grows (the evaluator warns).
 */
function memoryGrowthLaw(cells: readonly CellObservation[], size: number): WidthLaw | null {
  const measured = widthPoints(cells, size, 'memoryBytes');
  if (!measured) return null;
  const { points, base } = measured;
  const widest = Math.max(...points.map((p) => p.x));
  // 1 + g(w − 1) must stay positive over the measured widths.
  const theta = refitLaw('growth', [base.centre, 0], points.map((p) => p.x), points.map((p) => p.centre), [null, [-0.99 / (widest - 1), 1e6]]);
  const law = lawUncertainty('growth', theta, points, { bounds: [null, null] });
  return law ? { size, widths: points.map((p) => p.x), law } : null;
}

/** The laws of one group; null (with the reason in `notes`) when nothing at all can be predicted. */
export function predictionModel(group: ObservationGroup, notes: string[] = []): PredictionModel | null {
  const sizes = distinct(group.cells.map((c) => c.size));
  const widths = distinct(group.cells.map((c) => c.workers));
  const time = sizeLaws(group.cells, 'wallMs');
  const label = `${group.model} · ${group.dataset} · ${group.mode}${group.variant.replace(/\|/g, ' ')}`;
  if (time.length === 0) {
    notes.push(`${label}: no width has ok measurements at 2 or more sizes, so there is no time-vs-size law; measure 2 or more sizes (e.g. --sizes 2k,4k,8k,16k).`);
    return null;
  }
  return {
    model: group.model,
    dataset: group.dataset,
    mode: group.mode,
    variant: group.variant,
    epochs: group.epochs,
    replicaPerWorker: group.mode === 'job-parallel',
    cores: group.cores,
    sizes,
    widths,
    time,
    memoryMetric: group.memoryMetric,
    memory: sizeLaws(group.cells, 'memoryBytes'),
    timeToTarget: sizeLaws(group.cells, 'timeToTargetMs'),
    speedup: sizes.flatMap((size) => speedupLaw(group.cells, size, group.uslBySize?.get(size)) ?? []),
    memoryGrowth: sizes.flatMap((size) => memoryGrowthLaw(group.cells, size) ?? []),
  };
}
