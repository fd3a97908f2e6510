/**
 * Learning curves: error against training-set size, err(n) = a·n^(−α) + c (Hestness et al. 2017,
 * "Deep Learning Scaling is Predictable, Empirically"), with a ≥ 0, α > 0 and the floor c ≥ 0.
 *
 * The fit is nonlinear least squares by variable projection rather than Levenberg-Marquardt (as
 * stats/usl.ts uses): for a fixed α the model is linear in (a, c), so the best (a, c) has a closed
 * form and the sum of squares is a function of α alone, which a grid plus a golden-section search
 * minimises globally. LM on all three parameters finds local minima on this model (a and α trade off
 * along a long valley), and 6 points leave no room for a bad start.
 *
 * Residuals are relative (weights 1/err²): an error of 0.30 and one of 0.03 are measured with
 * comparable relative noise, not comparable absolute noise.
 *
 * Intervals: a parametric bootstrap around the fit. Each replicate redraws every point as
 * fit·(1 + σ_b·z) where σ_b is itself drawn from the scaled inverse-χ² distribution of the residual
 * standard deviation (k − 3 degrees of freedom for k sizes). Plain residual resampling with 6 points
 * covers the truth only about 80% of the time at 95% (the residual spread of 3 degrees of freedom is
 * itself that uncertain); drawing σ restores the coverage (test/learning-curve.test.ts checks ≥ 90%
 * over 200 seeded simulations).
 */
import type { Estimate } from './types.js';
import { quantile, median } from './descriptive.js';
import { seededRandom, standardNormal } from './random.js';

export interface LearningCurveParams {
  /** Scale of the reducible error. */
  a: number;
  /** Exponent: how fast the reducible error falls with n. */
  alpha: number;
  /** Irreducible error (the floor as n grows without bound). */
  c: number;
}

/** Fewest distinct sizes: three parameters and at least one residual degree of freedom. */
export const LEARNING_CURVE_MIN_SIZES = 4;
/** Exponents searched: beyond 3 the curve is a step; below the floor it is flat over any practical range. */
const ALPHA_MAX = 3;
/**
 * An exponent below this changes the error by less than 15% over a 1000x range of n: indistinguishable
 * from no power law. Intervals reaching down to it "include 0".
 */
export const ALPHA_FLAT = 0.02;
/** Weighted R² of the fit below which the curve is not called a power law. */
export const LEARNING_CURVE_MIN_R2 = 0.9;
const GRID = 75;

/** err(n) for parameters p. */
export function learningCurveError(p: LearningCurveParams, n: number): number {
  return p.a * n ** -p.alpha + p.c;
}

interface Projected extends LearningCurveParams {
  sse: number;
}

/** Best (a ≥ 0, c ≥ cMin) for a fixed α by weighted least squares, and its weighted sum of squares. */
function projectAlpha(logNs: readonly number[], ys: readonly number[], ws: readonly number[], alpha: number, cMin: number): Projected {
  const k = logNs.length;
  const xs = new Array<number>(k);
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < k; i++) {
    const x = Math.exp(-alpha * (logNs[i] as number));
    xs[i] = x;
    const w = ws[i] as number;
    const y = ys[i] as number;
    sw += w;
    sx += w * x;
    sy += w * y;
    sxx += w * x * x;
    sxy += w * x * y;
  }
  const det = sw * sxx - sx * sx;
  let a = det > 0 ? (sw * sxy - sx * sy) / det : 0;
  let c = (sy - a * sx) / sw;
  // An active bound: refit the other parameter alone.
  if (!(a > 0)) {
    a = 0;
    c = sy / sw;
  }
  if (c < cMin) {
    // a·x fitted to y − cMin: Σw·x·(y − cMin) / Σw·x².
    c = cMin;
    a = sxx > 0 ? Math.max(0, (sxy - cMin * sx) / sxx) : 0;
  }
  let sse = 0;
  for (let i = 0; i < k; i++) {
    const r = (ys[i] as number) - (a * (xs[i] as number) + c);
    sse += (ws[i] as number) * r * r;
  }
  return { a, alpha, c, sse };
}

/** α values searched on a grid before the golden-section refinement. */
const ALPHA_GRID = Array.from({ length: GRID + 1 }, (_, k) => ALPHA_FLAT / 2 + (k * (ALPHA_MAX - ALPHA_FLAT / 2)) / GRID);

/** Least-squares (a, α, c) for per-size errors `ys` at sizes `ns` with weights `ws`. */
function fitWeighted(ns: readonly number[], ys: readonly number[], ws: readonly number[], cMin = 0): Projected {
  const logNs = ns.map(Math.log);
  let best = projectAlpha(logNs, ys, ws, ALPHA_GRID[0] as number, cMin);
  let bestIndex = 0;
  ALPHA_GRID.forEach((alpha, k) => {
    const p = projectAlpha(logNs, ys, ws, alpha, cMin);
    if (p.sse < best.sse) {
      best = p;
      bestIndex = k;
    }
  });
  // Golden-section search in the grid cells either side of the best grid point.
  let lo = ALPHA_GRID[Math.max(0, bestIndex - 1)] as number;
  let hi = ALPHA_GRID[Math.min(GRID, bestIndex + 1)] as number;
  const g = (Math.sqrt(5) - 1) / 2;
  let m1 = hi - g * (hi - lo);
  let m2 = lo + g * (hi - lo);
  let f1 = projectAlpha(logNs, ys, ws, m1, cMin).sse;
  let f2 = projectAlpha(logNs, ys, ws, m2, cMin).sse;
  // 30 steps shrink the bracket (two grid cells, 0.04) by 0.618^30, below 1e-7.
  for (let i = 0; i < 30; i++) {
    if (f1 < f2) {
      hi = m2;
      m2 = m1;
      f2 = f1;
      m1 = hi - g * (hi - lo);
      f1 = projectAlpha(logNs, ys, ws, m1, cMin).sse;
    } else {
      lo = m1;
      m1 = m2;
      f1 = f2;
      m2 = lo + g * (hi - lo);
      f2 = projectAlpha(logNs, ys, ws, m2, cMin).sse;
    }
  }
  const refined = projectAlpha(logNs, ys, ws, (lo + hi) / 2, cMin);
  return refined.sse < best.sse ? refined : best;
}

const relativeWeights = (ys: readonly number[]): number[] => ys.map((y) => 1 / Math.max(Math.abs(y), 1e-9) ** 2);

/** The least-squares learning curve through (size, error) points, one per size. */
export function fitLearningCurvePoints(ns: readonly number[], ys: readonly number[]): LearningCurveParams & { sse: number } {
  return fitWeighted(ns, ys, relativeWeights(ys));
}

export interface LearningCurveObservation {
  /** Training-set size. */
  size: number;
  /** Error (1 − accuracy, or 1 − R²) of each repetition at this size. */
  errors: readonly number[];
}

export interface LearningCurveOptions {
  /** Confidence level of the intervals; default 0.95. */
  level?: number;
  /** Bootstrap replicates; default 400. */
  resamples?: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /**
   * Lowest floor c allowed; default 0. An error no model can beat (a data set's Bayes error, or the
   * noise share of a regression target) bounds the floor from below.
   */
  minFloor?: number;
}

export interface LearningCurveFit {
  /** Distinct sizes and the median error at each, in increasing size: what was fitted. */
  points: Array<{ size: number; error: number }>;
  a: Estimate;
  alpha: Estimate;
  c: Estimate;
  /** Weighted (relative) R² of the fit, 0..1. */
  rSquared: number;
  /** Standard deviation of the relative residuals (k − 3 degrees of freedom). */
  residualSd: number;
  /** Whether the points follow a power law, and why not when they do not. */
  verdict: { kind: 'power-law' } | { kind: 'not-a-power-law'; reason: string };
  /** Bootstrap replicates of the parameters, for intervals of derived quantities (size needed, error at n). */
  draws: LearningCurveParams[];
}

function percentileEstimate(value: number, draws: readonly number[], level: number): Estimate {
  const finite = draws.filter(Number.isFinite);
  if (finite.length < 2) return { value, low: null, high: null, level };
  const tail = (1 - level) / 2;
  return { value, low: quantile(finite, tail), high: quantile(finite, 1 - tail), level };
}

/** χ² with `df` degrees of freedom, as a sum of squared standard normals (df is small here). */
function chiSquare(random: () => number, df: number): number {
  let sum = 0;
  for (let i = 0; i < df; i++) sum += standardNormal(random) ** 2;
  return sum;
}

/**
 * Fits err(n) = a·n^(−α) + c to the median error at each size, with bootstrap intervals (see the module
 * comment). Null with fewer than LEARNING_CURVE_MIN_SIZES distinct sizes or any non-finite error.
 */
export function fitLearningCurve(observations: readonly LearningCurveObservation[], options: LearningCurveOptions = {}): LearningCurveFit | null {
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 400;
  const bySize = new Map<number, number[]>();
  for (const o of observations) {
    const finite = o.errors.filter(Number.isFinite);
    if (!(o.size > 0) || finite.length === 0) continue;
    bySize.set(o.size, [...(bySize.get(o.size) ?? []), ...finite]);
  }
  if (bySize.size < LEARNING_CURVE_MIN_SIZES) return null;
  const points = [...bySize].map(([size, errors]) => ({ size, error: median(errors) })).sort((p, q) => p.size - q.size);
  const ns = points.map((p) => p.size);
  const ys = points.map((p) => p.error);
  const ws = relativeWeights(ys);
  const cMin = Math.max(0, options.minFloor ?? 0);
  const best = fitWeighted(ns, ys, ws, cMin);
  const fitted = ns.map((n) => learningCurveError(best, n));

  const k = ns.length;
  const df = k - 3;
  const relative = ys.map((y, i) => (y - (fitted[i] as number)) / Math.max(Math.abs(fitted[i] as number), 1e-12));
  const residualSd = Math.sqrt(relative.reduce((s, r) => s + r * r, 0) / df);
  let meanW = 0;
  let sw = 0;
  ys.forEach((y, i) => {
    meanW += (ws[i] as number) * y;
    sw += ws[i] as number;
  });
  meanW /= sw;
  const sst = ys.reduce((s, y, i) => s + (ws[i] as number) * (y - meanW) ** 2, 0);
  const rSquared = sst > 0 ? Math.max(0, 1 - best.sse / sst) : 0;

  const random = seededRandom(options.seed ?? 1);
  const draws: LearningCurveParams[] = [];
  for (let b = 0; b < resamples; b++) {
    const sd = residualSd > 0 ? residualSd * Math.sqrt(df / Math.max(chiSquare(random, df), 1e-12)) : 0;
    const yb = fitted.map((m) => Math.max(m * (1 + sd * standardNormal(random)), 1e-12));
    const p = fitWeighted(ns, yb, relativeWeights(yb), cMin);
    draws.push({ a: p.a, alpha: p.alpha, c: p.c });
  }
  const alpha = percentileEstimate(best.alpha, draws.map((d) => d.alpha), level);
  return {
    points,
    a: percentileEstimate(best.a, draws.map((d) => d.a), level),
    alpha,
    c: percentileEstimate(best.c, draws.map((d) => d.c), level),
    rSquared,
    residualSd,
    verdict: powerLawVerdict(best, alpha, rSquared),
    draws,
  };
}

function powerLawVerdict(best: LearningCurveParams, alpha: Estimate, rSquared: number): LearningCurveFit['verdict'] {
  if (!(best.a > 0)) return { kind: 'not-a-power-law', reason: 'the error does not fall as n grows (the best fit is flat)' };
  if (alpha.low !== null && alpha.low <= ALPHA_FLAT) {
    return { kind: 'not-a-power-law', reason: `the exponent's interval reaches 0 (α ${alpha.value.toFixed(2)}, lower bound ${alpha.low.toFixed(3)}): the curve may be flat` };
  }
  if (rSquared < LEARNING_CURVE_MIN_R2) {
    return { kind: 'not-a-power-law', reason: `the fit is poor (R² ${rSquared.toFixed(2)} < ${LEARNING_CURVE_MIN_R2})` };
  }
  return { kind: 'power-law' };
}

/** The size at which parameters p reach `error`; Infinity when the floor c is at or above it. */
export function sizeForError(p: LearningCurveParams, error: number): number {
  if (!(error > p.c) || !(p.a > 0) || !(p.alpha > 0)) return Infinity;
  return (p.a / (error - p.c)) ** (1 / p.alpha);
}

export interface SizeForError {
  /** Size needed with its bootstrap interval; null high = some replicates never reach it (unbounded). */
  size: Estimate;
  /** false when the fitted floor c is at or above the error asked for. */
  reachable: boolean;
}

/**
 * The size at which the fitted curve reaches `error`, with a percentile interval over the bootstrap
 * draws (a replicate whose floor is at or above the error needs an infinite size: an unbounded upper end).
 */
export function sizeForErrorEstimate(fit: Pick<LearningCurveFit, 'a' | 'alpha' | 'c' | 'draws'>, error: number, level = 0.95): SizeForError {
  const best = { a: fit.a.value, alpha: fit.alpha.value, c: fit.c.value };
  const value = sizeForError(best, error);
  const draws = fit.draws.map((d) => sizeForError(d, error)).sort((p, q) => p - q);
  if (draws.length < 2) return { size: { value, low: null, high: null, level }, reachable: Number.isFinite(value) };
  const tail = (1 - level) / 2;
  const low = quantile(draws, tail);
  const high = quantile(draws, 1 - tail);
  return {
    size: { value, low: Number.isFinite(low) ? low : null, high: Number.isFinite(high) ? high : null, level },
    reachable: Number.isFinite(value),
  };
}

/** The fitted error at each n with its pointwise bootstrap band. */
export function learningCurveBand(
  fit: Pick<LearningCurveFit, 'a' | 'alpha' | 'c' | 'draws'>,
  ns: readonly number[],
  level = 0.95,
): Array<{ size: number; error: number; low: number | null; high: number | null }> {
  const best = { a: fit.a.value, alpha: fit.alpha.value, c: fit.c.value };
  const tail = (1 - level) / 2;
  return ns.map((n) => {
    const values = fit.draws.map((d) => learningCurveError(d, n));
    return {
      size: n,
      error: learningCurveError(best, n),
      low: values.length >= 2 ? quantile(values, tail) : null,
      high: values.length >= 2 ? quantile(values, 1 - tail) : null,
    };
  });
}
