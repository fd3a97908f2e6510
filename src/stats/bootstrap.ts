/**
 * Seeded bootstrap confidence interval of the ratio of medians (current / baseline), for
 * comparing two runs. Both samples are resampled independently with replacement; the interval
 * is the percentile interval (type 7 quantiles) of the resampled ratios. A fixed seed makes the
 * interval reproducible.
 */
import { quantileSorted } from 'simple-statistics';
import type { Estimate } from './types.js';
import { median, sortedCopy } from './descriptive.js';
import { randomIndex, seededRandom } from './random.js';

export interface BootstrapOptions {
  /** Number of resamples; default 2000. */
  resamples?: number;
  /** Confidence level; default 0.95. */
  level?: number;
  /** PRNG seed; default 1. */
  seed?: number;
}

function resampledMedian(values: readonly number[], random: () => number, scratch: number[]): number {
  for (let i = 0; i < values.length; i++) scratch[i] = values[randomIndex(random, values.length)] ?? 0;
  scratch.sort((a, b) => a - b);
  return quantileSorted(scratch, 0.5);
}

/**
 * A statistic of the medians of several independent samples, with its bootstrap percentile interval:
 * every resample draws each sample with replacement, takes its median, and applies `statistic` to the
 * medians (in the order of `samples`). Resamples where the statistic is not finite are skipped; when more
 * than half the tail probability (1 − level) / 2 of them had to be skipped, or a sample has a single value
 * (it says nothing about its own noise), the bounds are null. Null when a sample is empty or the statistic
 * of the observed medians is not finite.
 */
export function bootstrapMedians(
  samples: ReadonlyArray<readonly number[]>,
  statistic: (medians: readonly number[]) => number,
  options: BootstrapOptions = {},
): Estimate | null {
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const finite = samples.map((sample) => sample.filter(Number.isFinite));
  if (finite.length === 0 || finite.some((sample) => sample.length === 0)) return null;
  const value = statistic(finite.map((sample) => median(sample)));
  if (!Number.isFinite(value)) return null;
  if (finite.some((sample) => sample.length < 2)) return { value, low: null, high: null, level };

  const random = seededRandom(options.seed ?? 1);
  const scratch = finite.map((sample) => new Array<number>(sample.length).fill(0));
  const medians = new Array<number>(finite.length).fill(0);
  const values: number[] = [];
  for (let i = 0; i < resamples; i++) {
    finite.forEach((sample, k) => (medians[k] = resampledMedian(sample, random, scratch[k]!)));
    const v = statistic(medians);
    if (Number.isFinite(v)) values.push(v);
  }
  const alpha = 1 - level;
  if (values.length === 0 || resamples - values.length > (alpha / 2) * resamples * 0.5) return { value, low: null, high: null, level };
  const sorted = sortedCopy(values);
  return { value, low: quantileSorted(sorted, alpha / 2), high: quantileSorted(sorted, 1 - alpha / 2), level };
}

/**
 * Ratio median(current) / median(baseline) with its bootstrap percentile interval.
 * Null when either sample is empty or the baseline median is not positive (no meaningful ratio).
 * Resamples whose baseline median is 0 are skipped.
 */
export function bootstrapRatioOfMedians(current: readonly number[], baseline: readonly number[], options: BootstrapOptions = {}): Estimate | null {
  const base = baseline.filter(Number.isFinite);
  if (base.length > 0 && !(median(base) > 0)) return null;
  return bootstrapMedians([current, baseline], ([c = NaN, b = NaN]) => (b > 0 ? c / b : NaN), options);
}
