/**
 * What the analysis says about model quality, as zod schemas: the training budget behind every
 * quality figure, the undertrained flag, time to a target (MLPerf), statistical efficiency across
 * widths, and learning curves err(n) = a·n^(−α) + c. Plain data, so reports and `predict` read it.
 */
import { z } from 'zod';
import { estimateSchema } from '../stats/types.js';
import { modeSchema, scalingSchema } from '../config/names.js';
import { idealQualitySchema, qualitySchema } from '../results/schema.js';

const metricSchema = qualitySchema.shape.metric;

/** What a cell's quality was measured after: a fixed budget, or training to a target / to convergence. */
export const trainingBudgetSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('fixed'),
    epochs: z.number(),
    /** Optimizer steps per trial (per replica); null when unknown. */
    steps: z.number().nullable(),
    /** Rows per step (the global batch in data-parallel). */
    batchSize: z.number(),
  }),
  z.object({
    kind: z.literal('to-target'),
    /** The target of this cell's task; null when training ran to convergence only (--patience). */
    target: qualitySchema.nullable(),
    maxEpochs: z.number(),
    patience: z.number().nullable(),
    /** Median epochs trained per trial, and optimizer steps. */
    epochs: z.number().nullable(),
    steps: z.number().nullable(),
    batchSize: z.number(),
  }),
]);
export type TrainingBudget = z.infer<typeof trainingBudgetSchema>;

/** A cell whose held-out quality is no better than the trivial predictor's: it learned nothing yet. */
export const undertrainedSchema = z.object({
  /** The trivial predictor's quality (majority class, or R² 0). */
  trivial: z.number(),
  /** What to change, e.g. "--epochs 50" or "--target r2=0.9". */
  fix: z.string(),
});
export type Undertrained = z.infer<typeof undertrainedSchema>;

/** Time to a target quality for one cell, over its repetitions (each with its own seed). */
export const timeToTargetSchema = z.object({
  metric: metricSchema,
  target: z.number(),
  /** Repetitions trained, and how many reached the target. */
  runs: z.number(),
  converged: z.number(),
  /** 'not-converged' when more than one repetition missed the target (MLPerf): then no time is a number. */
  status: z.enum(['converged', 'not-converged']),
  /** MLPerf score: drop the fastest and slowest run, mean of the rest (ms); null with the reason. */
  mlperfMs: z.number().nullable(),
  mlperfNote: z.string().nullable(),
  /** Median time to target (ms) with its interval; non-converged runs count as slowest. */
  medianMs: estimateSchema.nullable(),
  /** Median epochs to target with its interval. */
  epochs: estimateSchema.nullable(),
  /** Coefficient of variation of epochs-to-target over converged runs. */
  epochsCv: z.number().nullable(),
  /** Repetitions that would put the mean epochs within ±10% at 95%, when more than were run. */
  repetitionsNeeded: z.number().nullable(),
  /** Median milliseconds per trial spent evaluating (not in the times above). */
  evalMs: z.number().nullable(),
});
export type TimeToTarget = z.infer<typeof timeToTargetSchema>;

/** The quality fields of a cell's analysis. */
export const cellQualityFieldsSchema = z.object({
  budget: trainingBudgetSchema.optional(),
  undertrained: undertrainedSchema.optional(),
  trivialQuality: qualitySchema.optional(),
  idealQuality: idealQualitySchema.optional(),
  timeToTarget: timeToTargetSchema.optional(),
});
export type CellQualityFields = z.infer<typeof cellQualityFieldsSchema>;

/** One width of a time-to-target sweep. */
export const timeToTargetPointSchema = z.object({
  workers: z.number(),
  /** Median time to target (ms); null when the cell did not converge. */
  timeToTargetMs: z.number().nullable(),
  epochsToTarget: z.number().nullable(),
  /** Median samples/s. */
  throughput: z.number().nullable(),
  /** X(w)/X(1) of one job's samples/s (job-parallel: the aggregate over w): what the hardware gives. */
  hardwareSpeedup: z.number().nullable(),
  /** Epochs to target at w=1 over at w: what the larger (global) batch costs in convergence. */
  statisticalEfficiency: z.number().nullable(),
  /** hardwareSpeedup × statisticalEfficiency: the time-to-accuracy speedup they predict. */
  predictedSpeedup: z.number().nullable(),
  /** T(1)/T(w) measured. */
  timeToTargetSpeedup: z.number().nullable(),
});
export type TimeToTargetPoint = z.infer<typeof timeToTargetPointSchema>;

/** Time to target against width for one (model, dataset, size, mode). */
export const timeToTargetScalingSchema = z.object({
  key: z.string(),
  model: z.string(),
  dataset: z.string(),
  size: z.number(),
  mode: modeSchema,
  /** data-parallel: strong or weak scaling (weak grows the global batch with the width). */
  scaling: scalingSchema.optional(),
  metric: metricSchema,
  target: z.number(),
  points: z.array(timeToTargetPointSchema),
});
export type TimeToTargetScaling = z.infer<typeof timeToTargetScalingSchema>;

/** A learning curve err(n) = a·n^(−α) + c, as data `predict` can extrapolate from (when it is a power law). */
export const learningCurveSchema = z.object({
  key: z.string(),
  model: z.string(),
  dataset: z.string(),
  mode: modeSchema,
  workers: z.number(),
  metric: metricSchema,
  /** Median end-of-training quality per size; error = 1 − quality. */
  points: z.array(z.object({ size: z.number(), quality: z.number(), error: z.number(), repetitions: z.number() })),
  /** The fit, or null when there is none (see verdict). Estimates are 95% bootstrap intervals. */
  fit: z
    .object({
      a: estimateSchema,
      alpha: estimateSchema,
      c: estimateSchema,
      /** Weighted (relative) R² of the fit. */
      rSquared: z.number(),
      /** Standard deviation of the relative residuals. */
      residualSd: z.number(),
    })
    .nullable(),
  verdict: z.enum(['power-law', 'not-a-power-law', 'too-few-sizes', 'stopped-at-target']),
  /** Why the verdict is not 'power-law'. */
  reason: z.string().nullable(),
  /** 1 − the data set's ideal quality, when known: the fit holds the floor c at or above it (less 2 standard errors of a simulated ideal). */
  idealError: z.number().nullable(),
  /** The lowest floor c the fit allowed: the ideal error less 2 standard errors of a simulated ideal, else 0. */
  minFloor: z.number(),
  /** The size the curve reaches the run's target at, with its interval; only for a power law. */
  sizeForTarget: z
    .object({
      quality: z.number(),
      size: estimateSchema.nullable(),
      reachable: z.boolean(),
      /** Beyond 4x the largest size measured. */
      extrapolated: z.boolean(),
    })
    .nullable(),
  /** Fitted quality with its 95% band, from half the smallest to twice the largest size (power laws only). */
  band: z.array(z.object({ size: z.number(), quality: z.number(), low: z.number().nullable(), high: z.number().nullable() })),
});
export type LearningCurve = z.infer<typeof learningCurveSchema>;
