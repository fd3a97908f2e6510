/**
 * The intervals the gate judges by, as pure functions of one run: a fitted exponent's (a 2-point fit's from
 * its medians' intervals), and bootstrap intervals of efficiency and of the USL peak over the repetitions of
 * the cells behind them. Shared by the verdicts and the budgets.
 */
import type { Analysis, CellAnalysis, WidthScaling } from '../analyse/schema.js';
import type { RunResult } from '../results/schema.js';
import type { Estimate } from '../stats/types.js';
import { bootstrapMedians, fitUsl, median } from '../stats/index.js';
import { okValues, widthSweepCells } from './sweep-cells.js';

/** Resamples of the USL peak's bootstrap: each one is a nonlinear fit per run, so fewer than the default 2000. */
export const USL_RESAMPLES = 300;

/** Both bounds of an interval, or null. */
export function bounds(estimate: Estimate | null | undefined): { low: number; high: number } | null {
  return estimate && estimate.low !== null && estimate.high !== null ? { low: estimate.low, high: estimate.high } : null;
}

/** A cell of `analysis` by its coordinates (sweeps name cells by coordinates, not ids). */
function findCell(analysis: Analysis, where: { model: string; dataset: string; size: number; workers: number; mode: string }): CellAnalysis | undefined {
  return analysis.cells.find(
    (c) => c.cell.model === where.model && c.cell.dataset === where.dataset && c.cell.size === where.size && c.cell.workers === where.workers && c.cell.mode === where.mode,
  );
}

interface Interval {
  low: number;
  high: number;
  level: number;
}

function positiveInterval(ci: Estimate | undefined): Interval | null {
  return ci && ci.low !== null && ci.high !== null && ci.low > 0 ? { low: ci.low, high: ci.high, level: ci.level } : null;
}

/**
 * A fit through 2 points has no t-interval (no residual degrees of freedom), yet a 2-size sweep must
 * not be gated on its point estimate alone (noise would fail builds). Its interval is taken from the
 * two medians' intervals instead: the shallowest and steepest slopes between them.
 */
function withTwoPointInterval(estimate: Estimate, xs: readonly number[], ys: ReadonlyArray<Interval | null>): Estimate {
  if (estimate.low !== null && estimate.high !== null) return estimate;
  const [x1, x2] = xs;
  const [y1, y2] = ys;
  if (xs.length !== 2 || x1 === undefined || x2 === undefined || !y1 || !y2 || !(x1 > 0) || !(x2 > x1)) return estimate;
  const dx = Math.log(x2 / x1);
  return { value: estimate.value, low: Math.log(y2.low / y1.high) / dx, high: Math.log(y2.high / y1.low) / dx, level: Math.min(y1.level, y2.level) };
}

/** A size law's exponent with its interval (a 2-point fit's from the medians' intervals). */
export function sizeExponent(analysis: Analysis, s: Analysis['sizeScaling'][number]): Estimate | null {
  if (!s.exponent) return null;
  const ys = s.points.map((p) => {
    const cell = findCell(analysis, { ...s, size: p.size });
    return positiveInterval(s.metric === 'timeToTargetMs' ? (cell?.timeToTarget?.medianMs ?? undefined) : cell?.[s.metric]?.medianCi);
  });
  return withTwoPointInterval(s.exponent, s.points.map((p) => p.size), ys);
}

/** The time-per-sample-vs-parameters exponent with its interval (a 2-point fit's from the medians' intervals). */
export function paramsExponent(analysis: Analysis, s: Analysis['complexityScaling'][number]): Estimate | null {
  if (!s.exponentVsParams) return null;
  const ys = s.points.map((p) => {
    const cell = analysis.cells.find(
      (c) => c.cell.model === p.model && (s.dataset === undefined || c.cell.dataset === s.dataset) && c.cell.size === s.size && c.cell.workers === s.workers && c.cell.mode === s.mode,
    );
    const x = positiveInterval(cell?.samplesPerSec?.medianCi);
    // Time per sample per worker is workers / throughput: the interval flips.
    return x ? { low: (s.workers * 1e6) / x.high, high: (s.workers * 1e6) / x.low, level: x.level } : null;
  });
  return withTwoPointInterval(s.exponentVsParams, s.points.map((p) => p.params), ys);
}

/**
 * The per-repetition values efficiency is a ratio of, at width w and at width 1. Job-parallel and inference:
 * throughput, E = X(w) / (w·X(1)). Data-parallel with equal work at both widths: time, E = T(1) / (w·T(w)),
 * as the analysis computes it.
 */
export function efficiencyInputs(run: RunResult, sweep: WidthScaling, workers: number): { at: number[]; one: number[]; byTime: boolean } | null {
  const cells = widthSweepCells(run, sweep.key);
  const at = cells.get(workers);
  const one = cells.get(1);
  if (!at || !one) return null;
  const work = new Set([...okValues(at, (t) => t.samples), ...okValues(one, (t) => t.samples)]);
  const sameWork = sweep.mode === 'data-parallel' && work.size === 1;
  const pick = sameWork ? (t: { wallMs: number }) => t.wallMs : (t: { samplesPerSec: number }) => t.samplesPerSec;
  return { at: okValues(at, pick), one: okValues(one, pick), byTime: sameWork };
}

export function efficiencyOf(at: number, one: number, workers: number, byTime: boolean): number {
  return byTime ? one / (workers * at) : at / (workers * one);
}

export interface ResampleOptions {
  level: number;
  resamples: number;
  seed: number;
}

/** Efficiency at a width in one run, with its bootstrap interval at `options.level`. */
export function efficiencyEstimate(run: RunResult, sweep: WidthScaling, workers: number, options: ResampleOptions): Estimate | null {
  const inputs = efficiencyInputs(run, sweep, workers);
  if (!inputs) return null;
  return bootstrapMedians([inputs.at, inputs.one], ([at = NaN, one = NaN]) => efficiencyOf(at, one, workers, inputs.byTime), options);
}

/** The USL peak width of a sweep in one run, with its bootstrap interval (each resample refits the USL). */
export function uslPeakEstimate(run: RunResult, key: string, options: ResampleOptions): Estimate | null {
  const widths = throughputByWidth(run, key);
  const peak = peakFitter(widths);
  return bootstrapMedians(
    widths.map((w) => w.values),
    peak,
    { ...options, resamples: Math.min(options.resamples, USL_RESAMPLES) },
  );
}

/** Per-width repetitions of a sweep's throughput, for the USL bootstrap. */
export function throughputByWidth(run: RunResult, key: string): Array<{ workers: number; values: number[] }> {
  return [...widthSweepCells(run, key)]
    .map(([workers, cell]) => ({ workers, values: okValues(cell, (t) => t.samplesPerSec) }))
    .filter((w) => w.values.length > 0)
    .sort((a, b) => a.workers - b.workers);
}

/**
 * The USL peak width as a function of the medians at each width, for a bootstrap: every refit starts from the
 * fit to the observed medians (the full multi-start search runs once), which keeps hundreds of refits cheap.
 */
export function peakFitter(widths: ReadonlyArray<{ workers: number; values: readonly number[] }>): (medians: readonly number[]) => number {
  const ws = widths.map((w) => w.workers);
  const points = (medians: readonly number[]) => ws.map((workers, i) => ({ workers, throughput: medians[i] ?? NaN }));
  const observed = fitUsl(points(widths.map((w) => (w.values.length > 0 ? median(w.values) : NaN))));
  const starts = 'unavailable' in observed ? [] : [{ sigma: observed.sigma, kappa: observed.kappa }];
  return (medians) => {
    const fit = fitUsl(points(medians), { starts, gridStarts: starts.length === 0 });
    return 'unavailable' in fit || fit.peakWorkers === null ? NaN : fit.peakWorkers;
  };
}
