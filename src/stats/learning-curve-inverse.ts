/**
 * Reading a fitted learning curve err(n) = a·n^(−α) + c (Hestness et al. 2017) forwards and
 * backwards: the error expected at a size, and the size needed for a target error, with intervals
 * from the fit's bootstrap replicates (percentiles) or, without them, from the corners of the
 * intervals of α and c.
 */
import { quantileSorted } from 'simple-statistics';

export interface LearningCurveParameters {
  /** Scale a > 0. */
  a: number;
  /** Decay exponent α > 0. */
  alpha: number;
  /** Irreducible error c (the floor). */
  c: number;
}

export interface CurveWithUncertainty extends LearningCurveParameters {
  /** Bootstrap replicates of (a, α, c), when the fit made them. */
  replicates?: readonly LearningCurveParameters[];
  /** Intervals of α and c (used when there are no replicates). */
  alphaInterval?: readonly [number, number];
  cInterval?: readonly [number, number];
}

export interface CurveInterval {
  estimate: number;
  low: number | null;
  high: number | null;
}

export function errorAtSize({ a, alpha, c }: LearningCurveParameters, n: number): number {
  return a * n ** -alpha + c;
}

/** Size at which the curve reaches `targetError`; Infinity when the floor c is at or above it. */
export function sizeForErrorPoint({ a, alpha, c }: LearningCurveParameters, targetError: number): number {
  if (!(targetError > c) || !(a > 0) || !(alpha > 0)) return Infinity;
  return (a / (targetError - c)) ** (1 / alpha);
}

function alternatives(fit: CurveWithUncertainty): LearningCurveParameters[] | null {
  if (fit.replicates && fit.replicates.length >= 20) return [...fit.replicates];
  if (!fit.alphaInterval || !fit.cInterval) return null;
  const out: LearningCurveParameters[] = [];
  for (const alpha of fit.alphaInterval) for (const c of fit.cInterval) out.push({ a: fit.a, alpha, c });
  return out;
}

function spread(values: number[], level: number, corners: boolean): { low: number | null; high: number | null } {
  const sorted = values.sort((x, y) => x - y);
  if (corners) return { low: sorted[0] ?? null, high: sorted[sorted.length - 1] ?? null };
  const tail = (1 - level) / 2;
  const low = quantileSorted(sorted, tail);
  const high = quantileSorted(sorted, 1 - tail);
  return { low: Number.isFinite(low) ? low : null, high: Number.isFinite(high) ? high : null };
}

/** Expected error at size n with its interval (the curve's uncertainty). */
export function errorAtSizeInterval(fit: CurveWithUncertainty, n: number, level = 0.95): CurveInterval {
  const estimate = errorAtSize(fit, n);
  const others = alternatives(fit);
  if (!others) return { estimate, low: null, high: null };
  const { low, high } = spread([estimate, ...others.map((p) => errorAtSize(p, n))], level, !fit.replicates);
  return { estimate, low, high };
}

/**
 * Size needed for `targetError` with its interval. `estimate` is Infinity when the fitted floor is
 * at or above the target; a null `high` means the upper end is unbounded (too many replicates have
 * their floor above the target).
 */
export function sizeForErrorInterval(fit: CurveWithUncertainty, targetError: number, level = 0.95): CurveInterval {
  const estimate = sizeForErrorPoint(fit, targetError);
  const others = alternatives(fit);
  if (!others) return { estimate, low: null, high: null };
  const sizes = [estimate, ...others.map((p) => sizeForErrorPoint(p, targetError))];
  const { low, high } = spread(sizes, level, !fit.replicates);
  return { estimate, low, high: high !== null && Number.isFinite(high) ? high : null };
}
