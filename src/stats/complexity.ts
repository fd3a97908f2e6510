/**
 * Best asymptotic class of a cost curve, as Google Benchmark's complexity.cc does it:
 * for each candidate f, fit t ≈ c·f(n) through the origin by least squares, and keep the
 * candidate with the smallest RMS of the residuals relative to the mean of t.
 */
import type { BigOClass } from './types.js';

/** Candidate curves in the order they are tried; logarithms are base 2 as in Google Benchmark. */
export const BIG_O_CURVES: ReadonlyArray<readonly [BigOClass, (n: number) => number]> = [
  ['O(1)', () => 1],
  ['O(log n)', (n) => Math.log2(n)],
  ['O(n)', (n) => n],
  ['O(n log n)', (n) => n * Math.log2(n)],
  ['O(n^2)', (n) => n * n],
  ['O(n^3)', (n) => n * n * n],
];

export interface BigOFit {
  class: BigOClass;
  /** c in t ≈ c·f(n), in the unit of t. */
  coefficient: number;
  /** RMS of the residuals divided by the mean of t (0 for a perfect fit). */
  relativeRms: number;
}

/** Least-squares coefficient and relative RMS of t ≈ c·f(n); null when f is 0 at every n. */
export function fitCurve(n: readonly number[], t: readonly number[], f: (n: number) => number): Omit<BigOFit, 'class'> | null {
  let sff = 0;
  let stf = 0;
  let st = 0;
  const count = Math.min(n.length, t.length);
  for (let i = 0; i < count; i++) {
    const fi = f(n[i] ?? 0);
    sff += fi * fi;
    stf += (t[i] ?? 0) * fi;
    st += t[i] ?? 0;
  }
  if (!(sff > 0) || !Number.isFinite(sff)) return null;
  const coefficient = stf / sff;
  let sse = 0;
  for (let i = 0; i < count; i++) {
    const r = (t[i] ?? 0) - coefficient * f(n[i] ?? 0);
    sse += r * r;
  }
  const rms = Math.sqrt(sse / count);
  const mean = st / count;
  return { coefficient, relativeRms: mean !== 0 ? rms / Math.abs(mean) : rms };
}

/**
 * Best Big-O class for costs t measured at sizes n (n >= 1). Null with fewer than 2 distinct
 * sizes, where every curve fits. Ties go to the simpler class (tried first), as in Google Benchmark.
 */
export function fitBigO(n: readonly number[], t: readonly number[]): BigOFit | null {
  const usable = n.map((ni, i) => [ni, t[i] ?? Number.NaN] as const).filter(([ni, ti]) => ni >= 1 && Number.isFinite(ni) && Number.isFinite(ti));
  if (new Set(usable.map(([ni]) => ni)).size < 2) return null;
  const ns = usable.map(([ni]) => ni);
  const ts = usable.map(([, ti]) => ti);
  let best: BigOFit | null = null;
  for (const [name, f] of BIG_O_CURVES) {
    const fit = fitCurve(ns, ts, f);
    if (fit && (best === null || fit.relativeRms < best.relativeRms)) best = { class: name, ...fit };
  }
  return best;
}
