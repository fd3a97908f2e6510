/**
 * Summary statistics of one sample (a cell's repetitions).
 *
 * Quantiles use simple-statistics' `quantileSorted`, which is the linear-interpolation
 * definition (Hyndman & Fan type 7, the default of R and numpy): Q(p) = x[(n-1)p] interpolated.
 * The confidence interval of the median uses order statistics and the Binomial(n, 1/2)
 * distribution, so it is deterministic and makes no assumption about the shape of the data.
 */
import { mean as ssMean, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import type { Estimate, SampleSummary } from './types.js';
import { binomialCdf } from './distributions.js';

/** A MAD is scaled by this to estimate the standard deviation of normal data. */
export const MAD_NORMAL_SCALE = 1.4826;
/** Samples further than this many scaled MADs from the median count as outliers. */
export const OUTLIER_MADS = 3;

/** Numeric ascending sort that leaves the input untouched. */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median of a non-empty sample (type 7: mean of the two middle values for even n). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty sample');
  return quantileSorted(sortedCopy(values), 0.5);
}

/** Quantile p in [0, 1] of a non-empty sample, type 7 (see module comment). */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty sample');
  return quantileSorted(sortedCopy(values), p);
}

/** Raw (unscaled) median absolute deviation from the median. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const center = median(values);
  return median(values.map((v) => Math.abs(v - center)));
}

/**
 * Distribution-free confidence interval of the median from order statistics.
 *
 * [x(l), x(n+1-l)] (1-based) covers the population median with probability 1 − 2·P(B ≤ l−1),
 * B ~ Binomial(n, 1/2). The widest l that still reaches `level` is used, so the coverage is at
 * least `level` and `level` is reported. When even [min, max] cannot reach it (n ≤ 5 at 95%),
 * [min, max] is returned with its true, lower coverage as `level` (e.g. 0.9375 for n = 5);
 * a single sample has no interval (null bounds).
 */
export function medianConfidenceInterval(values: readonly number[], level = 0.95): Estimate {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  if (n === 0) throw new RangeError('median confidence interval of an empty sample');
  const value = quantileSorted(sorted, 0.5);
  if (n === 1) return { value, low: null, high: null, level };
  const coverage = (l: number): number => 1 - 2 * binomialCdf(l - 1, n, 0.5);
  let l = 1;
  if (coverage(1) < level) {
    return { value, low: sorted[0] ?? value, high: sorted[n - 1] ?? value, level: coverage(1) };
  }
  while (l + 1 <= Math.floor(n / 2) && coverage(l + 1) >= level) l++;
  return { value, low: sorted[l - 1] ?? value, high: sorted[n - l] ?? value, level };
}

/**
 * Summary of a sample; null when it has no finite values. Non-finite values (a broken
 * measurement) are dropped rather than allowed to turn every statistic into NaN.
 */
export function summarise(values: readonly number[], level = 0.95): SampleSummary | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  const sorted = sortedCopy(finite);
  const n = sorted.length;
  const med = quantileSorted(sorted, 0.5);
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  const mad = medianAbsoluteDeviation(sorted);
  const limit = OUTLIER_MADS * MAD_NORMAL_SCALE * mad;
  return {
    n,
    median: med,
    mean: ssMean(sorted),
    stdDev: n > 1 ? sampleStandardDeviation(sorted) : 0,
    min: sorted[0] ?? med,
    max: sorted[n - 1] ?? med,
    iqr,
    mad,
    // With MAD = 0 (most samples identical) any differing sample counts: it is off the typical value.
    outliers: sorted.filter((v) => Math.abs(v - med) > limit).length,
    medianCi: medianConfidenceInterval(sorted, level),
    relativeSpread: med === 0 ? 0 : Math.abs(iqr / med),
  };
}
