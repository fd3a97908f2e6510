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
 * Ratio median(current) / median(baseline) with its bootstrap percentile interval.
 * Null when either sample is empty or the baseline median is not positive (no meaningful ratio).
 * Resamples whose baseline median is 0 are skipped.
 */
export function bootstrapRatioOfMedians(current: readonly number[], baseline: readonly number[], options: BootstrapOptions = {}): Estimate | null {
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const cur = current.filter(Number.isFinite);
  const base = baseline.filter(Number.isFinite);
  if (cur.length === 0 || base.length === 0) return null;
  const baseMedian = median(base);
  if (!(baseMedian > 0)) return null;
  const value = median(cur) / baseMedian;

  const random = seededRandom(options.seed ?? 1);
  const curScratch = new Array<number>(cur.length).fill(0);
  const baseScratch = new Array<number>(base.length).fill(0);
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const c = resampledMedian(cur, random, curScratch);
    const b = resampledMedian(base, random, baseScratch);
    if (b > 0) ratios.push(c / b);
  }
  if (ratios.length === 0) return { value, low: null, high: null, level };
  const sorted = sortedCopy(ratios);
  const alpha = 1 - level;
  return { value, low: quantileSorted(sorted, alpha / 2), high: quantileSorted(sorted, 1 - alpha / 2), level };
}
