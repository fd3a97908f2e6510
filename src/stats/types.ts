/**
 * The statistics' own result types, as zod schemas (the analysis and comparison files embed them).
 * Nothing here knows about benchmarks.
 */
import { z } from 'zod';

/** A value with its confidence interval; `null` bounds mean "not enough data for an interval". */
export const estimateSchema = z.object({
  value: z.number(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  /** Confidence level of [low, high], e.g. 0.95. */
  level: z.number(),
});
export type Estimate = z.infer<typeof estimateSchema>;

/** Summary statistics of one metric over a sample (e.g. a cell's ok repetitions). */
export const sampleSummarySchema = z.object({
  /** Number of values summarised. */
  n: z.number(),
  median: z.number(),
  mean: z.number(),
  /** Sample standard deviation (n-1); 0 for a single sample. */
  stdDev: z.number(),
  min: z.number(),
  max: z.number(),
  /** Interquartile range (Q3 - Q1). */
  iqr: z.number(),
  /** Median absolute deviation (raw, unscaled). */
  mad: z.number(),
  /** Samples further than 3 scaled MADs from the median. */
  outliers: z.number(),
  /** Confidence interval of the median. */
  medianCi: estimateSchema,
  /** Relative spread: IQR / median (0 when the median is 0). */
  relativeSpread: z.number(),
});
export type SampleSummary = z.infer<typeof sampleSummarySchema>;

export const bigOClassSchema = z.enum(['O(1)', 'O(log n)', 'O(n)', 'O(n log n)', 'O(n^2)', 'O(n^3)']);
export type BigOClass = z.infer<typeof bigOClassSchema>;

/** A fitted Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)). */
export const uslFitSchema = z.object({
  sigma: z.number(),
  kappa: z.number(),
  lambda: z.number(),
  /** Width of peak throughput, sqrt((1 - sigma) / kappa); null when kappa = 0 (no peak). */
  peakWorkers: z.number().nullable(),
  /** Predicted throughput at the peak. */
  peakThroughput: z.number().nullable(),
  limitedBy: z.enum(['contention', 'coherency', 'none']),
  rSquared: z.number(),
});
export type UslFit = z.infer<typeof uslFitSchema>;
