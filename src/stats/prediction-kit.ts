/**
 * Evaluating a fitted law at a new point, with a prediction interval for one new measurement.
 *
 * Laws are fitted on a log scale (times, throughputs and memory vary multiplicatively), as
 * f(x; θ) with a linearisation around the fitted θ: Var(f̂(x0)) ≈ s²·g'(J'J)⁻¹g, g = ∇θ f(x0)
 * (exact for the power law, which is linear in its parameters). The variance of a prediction is a
 * sum of parts, each an estimate with its degrees of freedom; parts are combined with the
 * Welch-Satterthwaite degrees of freedom and a Student t quantile.
 *
 * Everything lives in one factory that uses only its own locals and built-ins (Math): the HTML
 * report's what-if panel runs exactly this code in the browser by embedding
 * `createPredictionKit.toString()`, so the sliders and `scale-bench predict` cannot disagree.
 * Student t quantiles come from a table made once by the caller (`tQuantileTable` in
 * ./prediction.ts): interpolated at the combined degrees of freedom in both places alike.
 */

import type { FittedLaw, Interval, LawKind, TQuantileTable } from './prediction-types.js';

export type { FittedLaw, Interval, LawKind, LawVariance, TQuantileTable } from './prediction-types.js';

/** One estimated variance (log scale) and its degrees of freedom. */
export interface VariancePart {
  variance: number;
  df: number;
}

/** A prediction on the log scale: its mean and variance parts; `exact` false means no interval is possible. */
export interface LogPrediction {
  mean: number;
  parts: VariancePart[];
  exact: boolean;
}

export interface PredictionKit {
  lawValue(kind: LawKind, theta: readonly number[], x: number): number;
  lawGradient(kind: LawKind, theta: readonly number[], x: number): number[];
  quadraticForm(matrix: readonly (readonly number[])[], vector: readonly number[]): number;
  /**
   * log f(x), optionally minus log f(reference) (a ratio such as S(w) = X(w)/X(1)); with
   * `newObservation` the parts include one new measurement's own noise, otherwise only the
   * uncertainty of the law (plus its model error when lack of fit was found).
   */
  predictLog(law: FittedLaw, x: number, options: { reference?: number; newObservation: boolean }): LogPrediction;
  /** Sum of independent log-scale predictions (a product on the natural scale). */
  addLog(terms: ReadonlyArray<{ sign: 1 | -1; prediction: LogPrediction }>, constant: number): LogPrediction;
  tQuantile(table: TQuantileTable, df: number): number;
  /** exp(mean) with the t interval at the Welch-Satterthwaite degrees of freedom of the parts. */
  interval(prediction: LogPrediction, table: TQuantileTable): Interval;
}

export function createPredictionKit(): PredictionKit {
  function lawValue(kind: LawKind, theta: readonly number[], x: number): number {
    const t0 = theta[0] ?? 0;
    const t1 = theta[1] ?? 0;
    const t2 = theta[2] ?? 0;
    // power: ln y = ln a + b ln n; usl: ln X = ln λ + ln N − ln(1 + σ(N−1) + κN(N−1));
    // amdahl: ln X = ln X(1) − ln((1 − p) + p/N); growth: ln m = ln m(1) + ln(1 + g(N − 1));
    // affine: ln m = ln b + ln(n + c), a fixed part b·c plus b per unit of n (c = e^θ1 keeps θ scale-free).
    if (kind === 'power') return t0 + t1 * Math.log(x);
    if (kind === 'affine') return t0 + Math.log(x + Math.exp(t1));
    if (kind === 'usl') return t0 + Math.log(x) - Math.log(1 + t1 * (x - 1) + t2 * x * (x - 1));
    if (kind === 'amdahl') return t0 - Math.log(1 - t1 + t1 / x);
    return t0 + Math.log(1 + t1 * (x - 1));
  }

  function lawGradient(kind: LawKind, theta: readonly number[], x: number): number[] {
    const t1 = theta[1] ?? 0;
    const t2 = theta[2] ?? 0;
    if (kind === 'power') return [1, Math.log(x)];
    if (kind === 'affine') return [1, Math.exp(t1) / (x + Math.exp(t1))];
    if (kind === 'usl') {
      const d = 1 + t1 * (x - 1) + t2 * x * (x - 1);
      return [1, -(x - 1) / d, -(x * (x - 1)) / d];
    }
    if (kind === 'amdahl') return [1, (1 - 1 / x) / (1 - t1 + t1 / x)];
    return [1, (x - 1) / (1 + t1 * (x - 1))];
  }

  function quadraticForm(matrix: readonly (readonly number[])[], vector: readonly number[]): number {
    let sum = 0;
    for (let i = 0; i < vector.length; i++) {
      for (let j = 0; j < vector.length; j++) sum += (vector[i] ?? 0) * (matrix[i]?.[j] ?? 0) * (vector[j] ?? 0);
    }
    return Math.max(0, sum);
  }

  function predictLog(law: FittedLaw, x: number, options: { reference?: number; newObservation: boolean }): LogPrediction {
    const reference = options.reference;
    let mean = lawValue(law.kind, law.theta, x);
    let gradient = lawGradient(law.kind, law.theta, x);
    if (reference !== undefined) {
      mean -= lawValue(law.kind, law.theta, reference);
      const g0 = lawGradient(law.kind, law.theta, reference);
      gradient = gradient.map((g, i) => g - (g0[i] ?? 0));
    }
    const v = law.variance;
    if (v === null) return { mean, parts: [], exact: false };
    const centreVariance = v.kind === 'pooled' ? law.centreFactor * v.s2 : v.centre;
    let meanVariance = centreVariance * quadraticForm(law.inverse, gradient);
    const replicates = law.replicates;
    if (replicates && replicates.length > 1) {
      // Bounded laws: the spread of the refitted laws about the estimate (their bias included, as a
      // fit on a bound is biased), which respects the bounds the linearisation ignores.
      let sum = 0;
      for (const theta of replicates) {
        const y = lawValue(law.kind, theta, x) - (reference === undefined ? 0 : lawValue(law.kind, theta, reference));
        sum += (y - mean) ** 2;
      }
      meanVariance = sum / replicates.length;
    }
    if (v.kind === 'pooled') {
      return { mean, parts: [{ variance: meanVariance + (options.newObservation ? v.s2 : 0), df: v.df }], exact: true };
    }
    // The centre variance already holds the model error τ² and the centres' own noise: a new
    // measurement adds τ² (counted once more) and the part of its noise a centre does not have.
    const parts: VariancePart[] = [{ variance: meanVariance + v.centre, df: v.centreDf }];
    if (options.newObservation && v.noiseDf > 0) parts.push({ variance: v.noise * Math.max(0, 1 - law.centreFactor), df: v.noiseDf });
    return { mean, parts, exact: true };
  }

  function addLog(terms: ReadonlyArray<{ sign: 1 | -1; prediction: LogPrediction }>, constant: number): LogPrediction {
    let mean = constant;
    const parts: VariancePart[] = [];
    let exact = true;
    for (const { sign, prediction } of terms) {
      mean += sign * prediction.mean;
      parts.push(...prediction.parts);
      exact = exact && prediction.exact;
    }
    return { mean, parts, exact };
  }

  function tQuantile(table: TQuantileTable, df: number): number {
    const values = table.values;
    const last = values.length - 1;
    const u = Math.min(1, Math.max(0, 1 / df));
    const position = u * last;
    const i = Math.min(last - 1, Math.floor(position));
    const low = values[i] ?? 0;
    const high = values[i + 1] ?? low;
    // Interpolating log t keeps the steep end near df = 1 accurate.
    return Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * (position - i));
  }

  function interval(prediction: LogPrediction, table: TQuantileTable): Interval {
    const estimate = Math.exp(prediction.mean);
    const parts = prediction.parts.filter((p) => p.variance > 0 && p.df > 0);
    if (!prediction.exact) return { estimate, low: null, high: null };
    const total = parts.reduce((s, p) => s + p.variance, 0);
    if (!(total > 0)) return { estimate, low: estimate, high: estimate };
    const denominator = parts.reduce((s, p) => s + (p.variance * p.variance) / p.df, 0);
    const df = (total * total) / denominator;
    const half = tQuantile(table, df) * Math.sqrt(total);
    return { estimate, low: Math.exp(prediction.mean - half), high: Math.exp(prediction.mean + half) };
  }

  return { lawValue, lawGradient, quadraticForm, predictLog, addLog, tQuantile, interval };
}
