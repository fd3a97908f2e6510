/**
 * Gunther's Universal Scalability Law, X(N) = λN / (1 + σ(N−1) + κN(N−1)), fitted by bounded
 * nonlinear least squares (ml-levenberg-marquardt) with σ, κ in [0, 1].
 *
 * Levenberg-Marquardt only finds a local minimum and this one stops early by default, so the fit
 * (1) works on throughput normalised by X(1), where every parameter is of order 1,
 * (2) uses the analytic Jacobian, and (3) starts from several points, one of them the
 * linearised least-squares solution (λ = X(1): λN/X − 1 = σ(N−1) + κN(N−1)), keeping the best.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { UslFit } from './types.js';

/** Fewest widths (including N = 1) that give the three-parameter fit a residual degree of freedom. */
export const USL_MIN_WIDTHS = 4;
/** Below this κ the coherency term is treated as absent: no throughput peak. */
const KAPPA_EPSILON = 1e-9;
/** Throughput loss at the widest measured width, relative to linear scaling, below which scaling counts as unlimited. */
const UNLIMITED_LOSS = 0.05;

export interface UslParameters {
  sigma: number;
  kappa: number;
  lambda: number;
}

/** Throughput the USL predicts at width n. */
export function uslThroughput({ sigma, kappa, lambda }: UslParameters, n: number): number {
  return (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

/** Width of peak throughput sqrt((1 − σ)/κ), at least 1; null when κ ≈ 0 (throughput never peaks). */
export function uslPeakWorkers({ sigma, kappa }: Pick<UslParameters, 'sigma' | 'kappa'>): number | null {
  if (!(kappa > KAPPA_EPSILON)) return null;
  return Math.max(1, Math.sqrt(Math.max(0, 1 - sigma) / kappa));
}

function sumSquares(params: UslParameters, ns: readonly number[], ys: readonly number[]): number {
  let sse = 0;
  ns.forEach((n, i) => {
    const r = (ys[i] ?? 0) - uslThroughput(params, n);
    sse += r * r;
  });
  return sse;
}

const model = ([sigma = 0, kappa = 0, lambda = 1]: number[]) => (n: number) => uslThroughput({ sigma, kappa, lambda }, n);

const jacobian = ([sigma = 0, kappa = 0, lambda = 1]: number[]) => (n: number) => {
  const d = 1 + sigma * (n - 1) + kappa * n * (n - 1);
  const common = (-lambda * n) / (d * d);
  return [common * (n - 1), common * n * (n - 1), n / d];
};

/** Least-squares σ, κ ≥ 0 of the linearised law with λ fixed at 1 (normalised throughput). */
function linearisedStart(ns: readonly number[], ys: readonly number[]): UslParameters {
  // Normal equations of z = σ·a + κ·b with a = N−1, b = N(N−1), z = N/y − 1.
  let aa = 0;
  let ab = 0;
  let bb = 0;
  let az = 0;
  let bz = 0;
  ns.forEach((n, i) => {
    const y = ys[i] ?? 0;
    if (!(y > 0) || n === 1) return;
    const a = n - 1;
    const b = n * (n - 1);
    const z = n / y - 1;
    aa += a * a;
    ab += a * b;
    bb += b * b;
    az += a * z;
    bz += b * z;
  });
  const det = aa * bb - ab * ab;
  let sigma = det !== 0 ? (az * bb - bz * ab) / det : 0;
  let kappa = det !== 0 ? (bz * aa - az * ab) / det : 0;
  // A negative coefficient means the bound is active: refit the other one alone.
  if (kappa < 0) {
    kappa = 0;
    sigma = aa > 0 ? az / aa : 0;
  }
  if (sigma < 0) {
    sigma = 0;
    kappa = bb > 0 ? Math.max(0, bz / bb) : 0;
  }
  return { sigma: Math.min(1, sigma), kappa: Math.min(1, kappa), lambda: 1 };
}

export interface UslFitOptions {
  /**
   * Extra starting points (σ, κ of the normalised fit) tried before the default grid, e.g. a previous fit to
   * similar data; with `gridStarts: false` only these and the linearised start are tried (a bootstrap's refits).
   */
  starts?: ReadonlyArray<Pick<UslParameters, 'sigma' | 'kappa'>>;
  gridStarts?: boolean;
}

/**
 * Fits the USL to measured throughput per width. Needs at least 4 distinct widths including 1;
 * otherwise returns the reason instead of numbers (e.g. "not enough widths: 3 < 4").
 */
export function fitUsl(points: ReadonlyArray<{ workers: number; throughput: number }>, options: UslFitOptions = {}): UslFit | { unavailable: string } {
  const byWidth = new Map<number, number>();
  for (const p of points) {
    if (p.workers >= 1 && Number.isFinite(p.throughput) && p.throughput > 0 && !byWidth.has(p.workers)) byWidth.set(p.workers, p.throughput);
  }
  if (byWidth.size < USL_MIN_WIDTHS) return { unavailable: `not enough widths: ${byWidth.size} < ${USL_MIN_WIDTHS}` };
  const base = byWidth.get(1);
  if (base === undefined) return { unavailable: 'no measurement at width 1: the USL is anchored on single-worker throughput' };
  const ns = [...byWidth.keys()].sort((a, b) => a - b);
  const ys = ns.map((n) => (byWidth.get(n) ?? 0) / base);

  const starts: UslParameters[] = [linearisedStart(ns, ys), ...(options.starts ?? []).map((s) => ({ ...s, lambda: 1 }))];
  if (options.gridStarts !== false) for (const sigma of [0, 0.05, 0.3]) for (const kappa of [0, 0.001, 0.05]) starts.push({ sigma, kappa, lambda: 1 });

  let best = starts[0] ?? { sigma: 0, kappa: 0, lambda: 1 };
  let bestError = sumSquares(best, ns, ys);
  for (const start of starts) {
    const candidates: UslParameters[] = [start];
    try {
      const fit = levenbergMarquardt({ x: ns, y: ys }, model, {
        initialValues: [start.sigma, start.kappa, start.lambda],
        minValues: [0, 0, 1e-6],
        maxValues: [1, 1, 1e3],
        jacobianFunction: jacobian,
        damping: 1e-2,
        maxIterations: 300,
        // The library only records an iterate as better if it improves by more than this.
        errorTolerance: 1e-15,
      });
      const [sigma = 0, kappa = 0, lambda = 1] = fit.parameterValues;
      candidates.push({ sigma, kappa, lambda });
    } catch {
      // A start that makes the solver fail (singular step) is simply not used.
    }
    for (const c of candidates) {
      const error = sumSquares(c, ns, ys);
      if (Number.isFinite(error) && error < bestError) {
        best = c;
        bestError = error;
      }
    }
  }

  const params: UslParameters = { ...best, lambda: best.lambda * base };
  const raw = ns.map((n) => byWidth.get(n) ?? 0);
  const meanRaw = raw.reduce((s, v) => s + v, 0) / raw.length;
  const sst = raw.reduce((s, v) => s + (v - meanRaw) ** 2, 0);
  const sse = sumSquares(params, ns, raw);
  const rSquared = sst > 0 ? Math.max(0, 1 - sse / sst) : sse === 0 ? 1 : 0;

  const peakWorkers = uslPeakWorkers(params);
  const widest = ns[ns.length - 1] ?? 1;
  const contention = params.sigma * (widest - 1);
  const coherency = params.kappa * widest * (widest - 1);
  const limitedBy = contention + coherency < UNLIMITED_LOSS ? 'none' : coherency > contention ? 'coherency' : 'contention';
  return {
    sigma: params.sigma,
    kappa: params.kappa,
    lambda: params.lambda,
    peakWorkers,
    peakThroughput: peakWorkers === null ? null : uslThroughput(params, peakWorkers),
    limitedBy,
    rSquared,
  };
}
