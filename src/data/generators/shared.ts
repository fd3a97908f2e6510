/** Helpers every generator uses: shuffled group labels, argument checks, and the ideal-quality simulation's bookkeeping. */
import type { IdealQuality } from '../../results/schema.js';
import type { Random } from '../random.js';

/** Largest label / group id stored exactly in a float32 y (2^24). */
export const MAX_EXACT_FLOAT32_INT = 16777216;

/**
 * Writes group ids into y in blocks of `counts`, then shuffles y: the shuffled row order of
 * sklearn's grouped generation, decided before any row exists.
 */
export function assignShuffledGroups(y: Float32Array, counts: readonly number[], rng: Random): void {
  if (counts.length > MAX_EXACT_FLOAT32_INT) {
    throw new RangeError(`${counts.length} groups cannot be labelled exactly in a float32 y: use at most 2^24`);
  }
  let row = 0;
  counts.forEach((count, group) => {
    y.fill(group, row, row + count);
    row += count;
  });
  if (row !== y.length) throw new Error(`internal: group counts sum to ${row}, expected ${y.length}`);
  rng.shuffle(y);
}

/** n split as evenly as possible over `groups`, the first `n % groups` groups getting one more (sklearn make_blobs). */
export function evenCounts(n: number, groups: number): number[] {
  const base = Math.floor(n / groups);
  return Array.from({ length: groups }, (_, g) => base + (g < n % groups ? 1 : 0));
}

export function requireInt(value: number, min: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${what} must be a whole number >= ${min}, got ${String(value)}`);
  }
}

export function requireNonNegative(value: number, what: string): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${what} must be a finite number >= 0, got ${String(value)}`);
  }
}

/**
 * Rows drawn from the generating model when the ideal accuracy has no closed form: the standard error
 * sqrt(p(1-p)/N) is then at most 0.0035, below the spread of any held-out accuracy the sweep measures.
 */
export const IDEAL_SIMULATION_SAMPLES = 20_000;

/** A simulated Bayes accuracy: `hits` of `samples` draws classified right by the ideal classifier. */
export function simulatedAccuracy(hits: number, samples: number, basis: string): IdealQuality {
  const p = hits / samples;
  return {
    metric: 'accuracy',
    value: p,
    standardError: Math.sqrt((p * (1 - p)) / samples),
    method: 'simulation',
    samples,
    basis,
  };
}

/** log(sum(exp(values))) without overflow. */
export function logSumExp(values: ArrayLike<number>, length = values.length): number {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, values[i] as number);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.exp((values[i] as number) - max);
  return max + Math.log(sum);
}
