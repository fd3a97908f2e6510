/**
 * Prediction intervals of fitted laws, for one new measurement (not only for the mean).
 *
 * Model, on the log scale: y_ij = f(x_i; θ) + u_i + e_ij, where e_ij is repetition noise
 * (variance σ²) and u_i the law's error at point i (variance τ², zero when the law is right).
 * The law is fitted to each point's centre (the median of its repetitions, as the analysis does).
 * Two variance estimates follow, as in the textbook lack-of-fit test with replicates (Draper &
 * Smith, Applied Regression Analysis, §2.1):
 * - from the residuals of the centres about the law (N − p degrees of freedom): τ² + c·σ², where
 *   c = Var(median of r)/σ² (k(r)/r below);
 * - from the repetitions about their point's mean (Σ(r_i − 1) degrees of freedom): σ².
 * When the first is not significantly larger (F test at 5%), the law fits and both pool into one
 * estimate of σ² with all the degrees of freedom; otherwise the model error is real and the
 * interval uses the residual variance with its few degrees of freedom, which makes it wide, as it
 * should be when a law visibly misses its own points.
 */
import { regularizedIncompleteBeta, studentTQuantile } from './distributions.js';
import { createPredictionKit, type FittedLaw, type LawKind, type LawVariance, type TQuantileTable } from './prediction-kit.js';
import { bootstrapLaw } from './law-bootstrap.js';
import { invertMatrix } from './matrix.js';

export { invertMatrix } from './matrix.js';

export type { LogPrediction, PredictionKit, VariancePart } from './prediction-kit.js';
export * from './prediction-types.js';
export { createPredictionKit } from './prediction-kit.js';

const kit = createPredictionKit();

/** One fitted point: its x, its centre (median of the repetitions) and the repetitions, all y on the log scale. */
export interface ReplicatedPoint {
  x: number;
  centre: number;
  values: readonly number[];
}

/**
 * r·Var(median of r)/σ² for normal samples, r = 1 … 15 (2·10⁶-draw simulation; r = 3 is the exact
 * 1.346). Even r averages the two middle values, hence the zig-zag; beyond 15 the asymptote π/2.
 */
const MEDIAN_VARIANCE_FACTOR = [1, 1, 1.346, 1.193, 1.433, 1.29, 1.472, 1.346, 1.494, 1.382, 1.511, 1.409, 1.517, 1.43, 1.529];

/** Variance of the median of r measurements, in units of one measurement's variance. */
export function medianVarianceFraction(r: number): number {
  if (r < 1) return 1;
  return (MEDIAN_VARIANCE_FACTOR[r - 1] ?? Math.PI / 2) / r;
}

/** P(F > f) for Snedecor's F with (d1, d2) degrees of freedom. */
export function fUpperTail(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  return regularizedIncompleteBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/** Least-squares line of the centres against ln x: θ = [ln a, b] of the power law a·x^b; null with fewer than 2 distinct x. */
export function powerLawTheta(points: readonly ReplicatedPoint[]): number[] | null {
  const xs = points.map((p) => Math.log(p.x));
  const ys = points.map((p) => p.centre);
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  xs.forEach((x, i) => {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * ((ys[i] ?? 0) - my);
  });
  if (!(sxx > 1e-18)) return null;
  const slope = sxy / sxx;
  return [my - slope * mx, slope];
}

export interface LawFitOptions {
  /** Significance level of the lack-of-fit test; default 0.05. */
  lackOfFitAlpha?: number;
  /**
   * Bounds of each parameter (null: unbounded). A parameter fitted onto its bound is held there:
   * it leaves the linearisation and gives its degree of freedom back to the residuals.
   */
  bounds?: ReadonlyArray<readonly [number, number] | null>;
  /** Bootstrap replicates for bounded laws (default 200; 0 turns the bootstrap off) and their seed. */
  replicates?: number;
  seed?: number;
}

/** Bounds of each law's parameters as the fits impose them (USL σ, κ and Amdahl p in [0, 1]). */
export const LAW_BOUNDS: Record<LawKind, ReadonlyArray<readonly [number, number] | null>> = {
  power: [null, null],
  usl: [null, [0, 1], [0, 1]],
  amdahl: [null, [0, 1]],
  growth: [null, null],
  affine: [null, null],
};

/**
 * The uncertainty of a law already fitted (θ given): the linearised (J'J)⁻¹ at the points and the
 * residual variance, pooled or with lack of fit as described above. Null when the law cannot be
 * linearised there (fewer points than parameters, or a singular Jacobian).
 */
export function lawUncertainty(kind: LawKind, theta: readonly number[], points: readonly ReplicatedPoint[], options: LawFitOptions = {}): FittedLaw | null {
  const bounds = options.bounds ?? LAW_BOUNDS[kind];
  const free = theta.map((t, i) => {
    const b = bounds[i];
    return !b || (t > b[0] + 1e-9 && t < b[1] - 1e-9);
  });
  const p = free.filter(Boolean).length;
  const n = points.length;
  if (n < p || theta.some((t) => !Number.isFinite(t))) return null;
  const jtj = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  let residualSs = 0;
  let pureSs = 0;
  let pureDf = 0;
  let centreFactor = 0;
  for (const point of points) {
    const g = kit.lawGradient(kind, theta, point.x).filter((_, i) => free[i]);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) jtj[i]![j]! += (g[i] ?? 0) * (g[j] ?? 0);
    residualSs += (point.centre - kit.lawValue(kind, theta, point.x)) ** 2;
    const r = point.values.length;
    if (r > 1) {
      const mean = point.values.reduce((s, v) => s + v, 0) / r;
      pureSs += point.values.reduce((s, v) => s + (v - mean) ** 2, 0);
      pureDf += r - 1;
    }
    centreFactor += medianVarianceFraction(Math.max(1, r)) / n;
  }
  const reduced = invertMatrix(jtj);
  if (!reduced || !Number.isFinite(residualSs)) return null;
  // Back to the full parameter vector: held parameters have zero variance.
  const index = free.map((f, i) => (f ? free.slice(0, i).filter(Boolean).length : -1));
  const inverse = theta.map((_, i) => theta.map((__, j) => (index[i]! >= 0 && index[j]! >= 0 ? reduced[index[i]!]![index[j]!]! : 0)));
  const residualDf = n - p;
  const variance = residualVariance(residualSs, residualDf, pureSs, pureDf, centreFactor, options.lackOfFitAlpha ?? 0.05);
  const law: FittedLaw = { kind, theta: [...theta], inverse, centreFactor: pureDf === 0 ? 1 : centreFactor, variance };
  const replicates = options.replicates ?? 200;
  if (variance !== null && bounds.some((b) => b !== null) && replicates > 0) {
    const centreVariance = variance.kind === 'pooled' ? law.centreFactor * variance.s2 : variance.centre;
    law.replicates = bootstrapLaw(kind, theta, points.map((pt) => pt.x), centreVariance, bounds, { replicates, seed: options.seed ?? 1 });
  }
  return law;
}

/** Σ (centre − f(x; θ))² over the points, on the log scale: how far a law misses the centres it was fitted to. */
export function residualSumOfSquares(law: Pick<FittedLaw, 'kind' | 'theta'>, points: readonly ReplicatedPoint[]): number {
  return points.reduce((sum, p) => sum + (p.centre - kit.lawValue(law.kind, law.theta, p.x)) ** 2, 0);
}

function residualVariance(residualSs: number, residualDf: number, pureSs: number, pureDf: number, centreFactor: number, alpha: number): LawVariance | null {
  // As many points as parameters: the law passes through every centre, so nothing shows how well
  // it holds between or beyond them. Repetition noise alone would give an interval that ignores
  // the law's own error, which on real timings is usually the larger part: better none.
  if (residualDf === 0) return null;
  if (pureDf === 0) return { kind: 'pooled', s2: residualSs / residualDf, df: residualDf };
  const residualMs = residualSs / residualDf;
  const pureMs = pureSs / pureDf;
  const lackOfFit = pureMs > 0 ? fUpperTail(residualMs / (centreFactor * pureMs), residualDf, pureDf) < alpha : residualMs > 0;
  if (!lackOfFit) return { kind: 'pooled', s2: (residualSs / centreFactor + pureSs) / (residualDf + pureDf), df: residualDf + pureDf };
  return { kind: 'lack-of-fit', centre: residualMs, centreDf: residualDf, noise: pureMs, noiseDf: pureDf };
}

/** Student t quantiles at the two-sided `level` on a grid of 1/df, for the kit's interpolation. */
export function tQuantileTable(level = 0.95, steps = 256): TQuantileTable {
  const p = 1 - (1 - level) / 2;
  const values: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const u = i / steps;
    // u = 0 is df = ∞: the normal quantile, reached through a very large df.
    values.push(studentTQuantile(p, u === 0 ? 1e9 : 1 / u));
  }
  return { level, values };
}
