/**
 * What `scale-bench predict` computes and prints with --json, as zod schemas (the one definition of
 * each type): the fitted laws of one model × data set ready to evaluate anywhere (the HTML what-if
 * panel embeds them), the predictions with their 95% prediction intervals, the answers to
 * --budget, --workers auto and --quality, and the backtest. Times in ms, memory in bytes.
 *
 * Version 2: memory is `memoryBytes` with `memoryMetric` saying what it is (version 1 had
 * `peakRssBytes`, the process's peak RSS, whatever the results held); backtest rows name the memory
 * metric they compared (`cellMemoryBytes` or `peakRssBytes`) instead of `peakRssBytes`.
 */
import { z } from 'zod';
import { modeSchema } from '../config/names.js';
import { fittedLawSchema, intervalSchema, tQuantileTableSchema } from '../stats/prediction-types.js';

export { intervalSchema, type Interval } from '../stats/prediction-types.js';

/** Version of the prediction JSON. Bump on any incompatible change. */
export const PREDICTION_SCHEMA_VERSION = 2 as const;

/**
 * What the memory laws are fitted on, and so what a predicted memory is: `cellMemoryBytes`, the
 * memory the cell holds (its data table plus every worker's tfjs tensors at their peak), whenever the
 * results have it; `peakRssBytes`, the whole process's peak RSS, only for results that predate it
 * (it carries everything the process held before the cell, so its law extrapolates poorly).
 */
export const memoryMetricSchema = z.enum(['cellMemoryBytes', 'peakRssBytes']);

/** Which model × data set × mode (and mode variant) an answer is about. */
const subject = {
  model: z.string(),
  dataset: z.string(),
  mode: modeSchema,
  /** Mode variant (e.g. "|scaling=strong"); empty for job-parallel. */
  variant: z.string(),
};

/** A law fitted over sizes at one width (time or memory against n). */
export const sizeLawSchema = z.object({
  workers: z.number(),
  /** Measured sizes it was fitted on. */
  sizes: z.array(z.number()),
  law: fittedLawSchema,
});
export type SizeLaw = z.infer<typeof sizeLawSchema>;

/** A law fitted over widths at one size: throughput (USL or Amdahl) or memory (linear growth per worker). */
export const widthLawSchema = z.object({
  size: z.number(),
  /** Measured widths it was fitted on (1 among them). */
  widths: z.array(z.number()),
  law: fittedLawSchema,
  /** Throughput laws: why the USL was not used (fewer than 4 widths), when Amdahl was. */
  uslUnavailable: z.string().optional(),
  /** What the law cannot describe in these measurements, e.g. throughput falling with width under Amdahl. */
  caveat: z.string().optional(),
});
export type WidthLaw = z.infer<typeof widthLawSchema>;

/** Everything needed to predict one model × data set × mode anywhere in (n, w). */
export const predictionModelSchema = z.object({
  ...subject,
  /** Passes over the training data per trial, for the time per epoch. */
  epochs: z.number(),
  /** job-parallel: every worker trains its own replica on all n samples, so a cell's work is w times one model's. */
  replicaPerWorker: z.boolean(),
  /** Logical cores of the machine that measured. */
  cores: z.number(),
  sizes: z.array(z.number()),
  widths: z.array(z.number()),
  time: z.array(sizeLawSchema),
  /** What `memory` and `memoryGrowth` are fitted on. */
  memoryMetric: memoryMetricSchema,
  memory: z.array(sizeLawSchema),
  /** Time to the target quality against n, per width, where the run measured it (empty otherwise). */
  timeToTarget: z.array(sizeLawSchema),
  speedup: z.array(widthLawSchema),
  memoryGrowth: z.array(widthLawSchema),
});
export type PredictionModel = z.infer<typeof predictionModelSchema>;

/** Which laws a predicted time combined. */
export const timeLawUsedSchema = z.object({
  /** 'measured-width': the size law fitted at this very width; 'combined': t(n,1)·k/S(w). */
  source: z.enum(['measured-width', 'combined']),
  /** Width of the size law used. */
  sizeLawWorkers: z.number(),
  /** Exponent b of t ∝ n^b and the sizes it was fitted on. */
  exponent: z.number(),
  sizes: z.array(z.number()),
  /** The speedup law, when combined. */
  speedup: z
    .object({
      kind: z.enum(['usl', 'amdahl']),
      /** Size the width law was measured at. */
      size: z.number(),
      widths: z.array(z.number()),
      /** usl: [σ, κ]; amdahl: [p]. */
      parameters: z.array(z.number()),
      /** Predicted S(w) = X(w)/X(1), with its interval (the law's uncertainty only). */
      speedup: intervalSchema,
      uslUnavailable: z.string().optional(),
    })
    .nullable(),
});
export type TimeLawUsed = z.infer<typeof timeLawUsedSchema>;

/** One prediction at (n, w) for one model × data set × mode. */
export const cellPredictionSchema = z.object({
  ...subject,
  size: z.number(),
  workers: z.number(),
  /** Wall time of one trial as `run` measures it (job-parallel: w replicas trained at once). */
  wallMs: intervalSchema.nullable(),
  /** Wall time per epoch. */
  epochMs: intervalSchema.nullable(),
  /** Wall time to the target quality, where the run measured time to target. */
  timeToTargetMs: intervalSchema.nullable(),
  /** Time per unit of work t(n,1)/S(w): one model (job-parallel) or the one shared job. */
  timePerJobMs: intervalSchema.nullable(),
  /** Aggregate samples per second. */
  samplesPerSec: intervalSchema.nullable(),
  /** Memory of the cell, in bytes: what `memoryMetric` names. */
  memoryBytes: intervalSchema.nullable(),
  memoryMetric: memoryMetricSchema,
  /** Held-out quality from the learning curve, when there is one. */
  quality: intervalSchema.nullable(),
  timeLaw: timeLawUsedSchema.nullable(),
  /** How the memory was predicted, e.g. "cell memory (data + tensors) ∝ n^1.00 at w=2", or at w=1 × (1 + g% per extra worker). */
  memoryLaw: z.string().nullable(),
  /** n / largest measured size, and w / widest measured width (above 1: extrapolated). */
  extrapolation: z.object({ size: z.number(), width: z.number() }),
  /** Why something is missing, and what to be careful about. */
  warnings: z.array(z.string()),
  /** The width is more than 8x the widest measured: refused unless --force. */
  refused: z.boolean(),
});
export type CellPrediction = z.infer<typeof cellPredictionSchema>;

export const budgetAnswerSchema = z.object({
  ...subject,
  workers: z.number(),
  budgetMs: z.number(),
  /** Largest n whose predicted wall time fits the budget: from the estimate, and from the interval's upper and lower ends. */
  size: intervalSchema.nullable(),
  note: z.string().optional(),
});
export type BudgetAnswer = z.infer<typeof budgetAnswerSchema>;

export const workersChoiceSchema = z.object({
  ...subject,
  size: z.number(),
  /** Width with the least predicted time per job. */
  fastest: z.number(),
  /** Width chosen: the one using the fewest worker-seconds within 10% of the fastest time. */
  chosen: z.number(),
  candidates: z.array(z.object({ workers: z.number(), timePerJobMs: intervalSchema, workerSeconds: z.number() })),
  reason: z.string(),
});
export type WorkersChoice = z.infer<typeof workersChoiceSchema>;

export const qualityAnswerSchema = z.object({
  model: z.string(),
  dataset: z.string(),
  metric: z.enum(['accuracy', 'r2']),
  target: z.number(),
  /** Training-set size needed, from the learning curve; null when the curve's floor is above the target. */
  size: intervalSchema.nullable(),
  /** Predicted wall time of training on that many samples at the width asked (default 1). */
  wallMs: intervalSchema.nullable(),
  workers: z.number(),
  note: z.string().optional(),
});
export type QualityAnswer = z.infer<typeof qualityAnswerSchema>;

export const backtestRowSchema = z.object({
  ...subject,
  /** 'size': refitted without the largest size; 'width': without the widest width. */
  holdout: z.enum(['size', 'width']),
  /** The measured quantity compared; memory rows name their memory metric. */
  metric: z.enum(['wallMs', 'cellMemoryBytes', 'peakRssBytes', 'timeToTargetMs']),
  size: z.number(),
  workers: z.number(),
  /** The law refitted, e.g. "t ∝ n^b at w=1 on 2k, 4k, 8k". */
  law: z.string(),
  predicted: intervalSchema,
  /** Median of the held-out cell's repetitions. */
  measured: z.number(),
  /** (predicted − measured) / measured. */
  relativeError: z.number(),
  /** Whether the measurement lies inside the 95% prediction interval; null when there is none. */
  inside: z.boolean().nullable(),
});
export type BacktestRow = z.infer<typeof backtestRowSchema>;

export const backtestSummarySchema = z.object({
  /** Held-out cells summarised. */
  cells: z.number(),
  /** Median |relative error| (a fraction: 0.1 = 10%). */
  medianAbsError: z.number().nullable(),
  /** Held-out cells whose prediction has an interval. */
  intervals: z.number(),
  /** Fraction of those inside their 95% prediction interval. */
  coverage: z.number().nullable(),
});
export type BacktestSummary = z.infer<typeof backtestSummarySchema>;

export const backtestSchema = z.object({
  rows: z.array(backtestRowSchema),
  /** Wall time over both hold-outs: the headline. */
  summary: backtestSummarySchema,
  /** Wall time, largest size held out. */
  size: backtestSummarySchema,
  /** Wall time, widest width held out. */
  width: backtestSummarySchema,
  /** Memory (cell memory, or the process peak RSS for older results) over both hold-outs. */
  memory: backtestSummarySchema,
  /** Why a hold-out was not possible (e.g. "width: 2 widths, needs 3"). */
  notes: z.array(z.string()),
});
export type Backtest = z.infer<typeof backtestSchema>;

/** The JSON `scale-bench predict --json` prints. */
export const predictionFileSchema = z.object({
  schemaVersion: z.literal(PREDICTION_SCHEMA_VERSION),
  runIds: z.array(z.string()),
  /** Level of every interval (0.95). */
  level: z.number(),
  /** Machine the laws were measured on. */
  machine: z.object({ cpuModel: z.string(), cores: z.number() }),
  predictions: z.array(cellPredictionSchema),
  budget: z.array(budgetAnswerSchema).optional(),
  workersAuto: z.array(workersChoiceSchema).optional(),
  quality: z.array(qualityAnswerSchema).optional(),
  backtest: backtestSchema.optional(),
  /** Groups that could not be predicted, and why. */
  notes: z.array(z.string()),
});
export type PredictionFile = z.infer<typeof predictionFileSchema>;

/** Context every evaluation needs beside the model: the t quantile table of the level. */
export const evaluationContextSchema = z.object({ table: tQuantileTableSchema });
export type EvaluationContext = z.infer<typeof evaluationContextSchema>;
