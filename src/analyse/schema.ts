/**
 * RunResult -> Analysis: the types of what the analysis computes and analysis.json holds, as zod
 * schemas (the one definition of each type). Anything that cannot be computed is null or says why.
 */
import { z } from 'zod';
import { bigOClassSchema, estimateSchema, sampleSummarySchema, uslFitSchema } from '../stats/types.js';
import { backendNameSchema, modeSchema } from '../config/names.js';
import { cellSchema, environmentSchema, modelInfoSchema, qualitySchema } from '../results/schema.js';
import { dataParallelCellAnalysisSchema } from '../modes/data-parallel/analysis.js';
import { inferenceCellAnalysisSchema, inferenceSweepSchema } from '../modes/inference/analysis.js';
import { cellQualityFieldsSchema, learningCurveSchema, timeToTargetScalingSchema } from './quality-schema.js';

export type { CellQualityFields, LearningCurve, TimeToTarget, TimeToTargetPoint, TimeToTargetScaling, TrainingBudget, Undertrained } from './quality-schema.js';
import { machineSpeedSchema } from './canary.js';

export type { BigOClass, Estimate, SampleSummary, UslFit } from '../stats/types.js';
export type { DataParallelCellAnalysis } from '../modes/data-parallel/analysis.js';
export type { InferenceCellAnalysis, InferenceSweep } from '../modes/inference/analysis.js';
export type { MachineSpeed } from './canary.js';

export const warningCodeSchema = z.enum([
  'few-repetitions',
  'noisy-cell',
  'oversubscribed',
  'failed-cell',
  'not-enough-sizes',
  'not-enough-widths',
  'missing-width-1',
  'quality-tradeoff',
  'no-calibration',
  'undertrained',
  'not-converged',
  'variable-convergence',
  'learning-curve',
]);
export type WarningCode = z.infer<typeof warningCodeSchema>;

export const analysisWarningSchema = z.object({
  code: warningCodeSchema,
  message: z.string(),
  /** Cell id or sweep key the warning is about. */
  subject: z.string().optional(),
});
export type AnalysisWarning = z.infer<typeof analysisWarningSchema>;

export const cellAnalysisSchema = z.object({
  cellId: z.string(),
  cell: cellSchema,
  model: modelInfoSchema,
  /** Repetitions that finished ok / total. */
  okTrials: z.number(),
  totalTrials: z.number(),
  /** null when no repetition finished ok. */
  wallMs: sampleSummarySchema.nullable(),
  samplesPerSec: sampleSummarySchema.nullable(),
  /** Peak RSS of the whole process (every worker of the pool, and what earlier cells left). */
  peakRssBytes: sampleSummarySchema.nullable(),
  /** Memory this cell holds: its data and its workers' tensors at their peak (TrialResult.cellMemoryBytes); null in results that predate it. */
  cellMemoryBytes: sampleSummarySchema.nullable().optional(),
  cpuMs: sampleSummarySchema.nullable(),
  /** Median held-out quality. */
  quality: qualitySchema.nullable(),
  /** Median time per sample per worker, in microseconds. */
  usPerSample: z.number().nullable(),
  /** Achieved training GFLOP/s (aggregate over workers). */
  gflops: z.number().nullable(),
  /** Model FLOPs utilisation: achieved / (peak per worker x min(workers, cores)), 0..1. */
  mfu: z.number().nullable(),
  coldStartMs: z.number(),
  /** Backend compute threads per worker that ran this cell. */
  threadsPerWorker: z.number().optional(),
  /** data-parallel cells: the gradient exchange beside the compute, medians over ok repetitions. */
  dataParallel: dataParallelCellAnalysisSchema.optional(),
  /** inference cells: latency and errors, medians over ok repetitions. */
  inference: inferenceCellAnalysisSchema.optional(),
  /** The budget behind `quality`, the undertrained flag, the data set's ideal and trivial quality, time to target. */
  ...cellQualityFieldsSchema.shape,
});
export type CellAnalysis = z.infer<typeof cellAnalysisSchema>;

/** Fit of a metric against dataset size for one (model, dataset, width, mode). */
export const sizeScalingSchema = z.object({
  key: z.string(),
  model: z.string(),
  dataset: z.string(),
  workers: z.number(),
  mode: modeSchema,
  /**
   * wallMs, or memory: cellMemoryBytes (the memory each cell holds; the one fitted when the results
   * have it) or peakRssBytes (the process peak, for results that predate cellMemoryBytes);
   * timeToTargetMs: median time to a target quality (runs trained with --target).
   */
  metric: z.enum(['wallMs', 'peakRssBytes', 'cellMemoryBytes', 'timeToTargetMs']),
  /** Sizes and the median metric used for the fit. */
  points: z.array(z.object({ size: z.number(), value: z.number() })),
  /** Power-law t = a * n^b: exponent b with 95% t-interval; null when fewer than 2 sizes. */
  exponent: estimateSchema.nullable(),
  /** Prefactor a of the power law. */
  coefficient: z.number().nullable(),
  rSquared: z.number().nullable(),
  /** Best Big-O class by relative RMS, with its coefficient and relative RMS; null when fewer than 2 sizes. */
  bigO: z.object({ class: bigOClassSchema, coefficient: z.number(), relativeRms: z.number() }).nullable(),
});
export type SizeScaling = z.infer<typeof sizeScalingSchema>;

export const widthPointSchema = z.object({
  workers: z.number(),
  /** Median aggregate samples/s. */
  throughput: z.number(),
  /** S(w) = X(w)/X(1) (job-parallel throughput) or T(1)/T(w). null without width 1. */
  speedup: z.number().nullable(),
  /** E = S/w. */
  efficiency: z.number().nullable(),
  /** Karp-Flatt serial fraction; null at w = 1 or without width 1. */
  karpFlatt: z.number().nullable(),
  oversubscribed: z.boolean(),
});
export type WidthPoint = z.infer<typeof widthPointSchema>;

/** Fit of throughput against pool width for one (model, dataset, size, mode). */
export const widthScalingSchema = z.object({
  key: z.string(),
  model: z.string(),
  dataset: z.string(),
  size: z.number(),
  mode: modeSchema,
  points: z.array(widthPointSchema),
  /** Amdahl parallel fraction p in [0, 1]; null when not fittable. */
  amdahlParallelFraction: z.number().nullable(),
  /** USL fit, or the reason there is none (e.g. "not enough widths: 3 < 4"). */
  usl: z.union([uslFitSchema, z.object({ unavailable: z.string() })]),
});
export type WidthScaling = z.infer<typeof widthScalingSchema>;

/** Time per sample vs model size for one (dataset size, width, mode). */
export const complexityScalingSchema = z.object({
  key: z.string(),
  size: z.number(),
  workers: z.number(),
  mode: modeSchema,
  points: z.array(
    z.object({ model: z.string(), params: z.number(), trainFlopsPerSample: z.number(), usPerSample: z.number(), gflops: z.number().nullable() }),
  ),
  /** Exponent of time/sample against params (log-log), null with fewer than 2 models. */
  exponentVsParams: estimateSchema.nullable(),
  /** Dataset the models were trained on (the key includes it; sizes of different datasets are not comparable). */
  dataset: z.string().optional(),
  /** Exponent of time/sample against training FLOPs per sample (log-log), null with fewer than 2 models. */
  exponentVsFlops: estimateSchema.nullable().optional(),
});
export type ComplexityScaling = z.infer<typeof complexityScalingSchema>;

export const qualityFlagSchema = z.object({
  /** The faster configuration that reached worse quality. */
  cellId: z.string(),
  /** The slowest configuration it was compared with. */
  referenceCellId: z.string(),
  metric: qualitySchema.shape.metric,
  value: z.number(),
  referenceValue: z.number(),
  /** Speed ratio (reference wall / this wall). */
  speedup: z.number(),
});
export type QualityFlag = z.infer<typeof qualityFlagSchema>;

export const analysisSchema = z.object({
  runId: z.string(),
  backend: backendNameSchema,
  environment: environmentSchema,
  cells: z.array(cellAnalysisSchema),
  sizeScaling: z.array(sizeScalingSchema),
  widthScaling: z.array(widthScalingSchema),
  complexityScaling: z.array(complexityScalingSchema),
  qualityFlags: z.array(qualityFlagSchema),
  warnings: z.array(analysisWarningSchema),
  /** Inference load sweeps, when the run has inference cells. */
  inference: z.array(inferenceSweepSchema).optional(),
  /** Runs trained to a target: time to target, epochs and statistical efficiency against width. */
  timeToTargetScaling: z.array(timeToTargetScalingSchema).optional(),
  /** Runs trained to a target or to convergence: error against size, err(n) = a·n^(−α) + c. */
  learningCurves: z.array(learningCurveSchema).optional(),
  /** How the machine's speed drifted during the run (canary readings); absent when the run has none. */
  machineSpeed: machineSpeedSchema.optional(),
});
export type Analysis = z.infer<typeof analysisSchema>;
