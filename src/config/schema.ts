/**
 * The options of a run, defined once: the config file and suites (their spelling, with sizes such as
 * "4k"), the options planning takes (RunOptions, parsed values), and the limits that flags, files and
 * saved plans are all checked against. The types are derived from these zod schemas.
 */
import { z } from 'zod';
import { backendChoiceSchema, generatorNameSchema, modeSchema, scalingSchema, taskSchema } from './names.js';

/** Allowed ranges, shared by the flags, config files and the plan saved in a results file. */
export const LIMITS = {
  /** Training-set size, samples. */
  size: { min: 10, max: 50_000_000 },
  /** Pool width, worker threads. */
  workers: { min: 1, max: 256 },
  repeats: { min: 1, max: 1000 },
  warmup: { min: 0, max: 100 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  epochs: { min: 1, max: 10_000 },
  batchSize: { min: 1, max: 1_000_000 },
  /** Exclusive bounds. */
  learningRate: { min: 0, max: 10 },
  /** Exclusive bounds: a fraction of the training size. */
  holdout: { min: 0, max: 1 },
  /** Exclusive lower bound, seconds. */
  cellTimeout: { min: 0, max: 86_400 },
  /** Exclusive bounds, seconds: loading and building one custom model module while planning. */
  buildTimeout: { min: 0, max: 86_400 },
  /** Training to a target: most epochs a trial may train. */
  maxEpochs: { min: 1, max: 10_000 },
  /** Exclusive lower bound, epochs between held-out evaluations. */
  evalEvery: { min: 0, max: 10_000 },
  /** Evaluations in a row without improvement before a trial stops. */
  patience: { min: 1, max: 10_000 },
} as const;

/** A held-out quality to reach: accuracy (classification) or R² (regression). */
export const qualityTargetSchema = z.object({
  metric: z.enum(['r2', 'accuracy']),
  value: z.number().refine(Number.isFinite, 'must be a finite number'),
});
export type QualityTarget = z.infer<typeof qualityTargetSchema>;

/**
 * Training to a target quality or to convergence (`--target`, `--patience`), instead of a fixed
 * number of epochs: every trial evaluates the held-out metric as it trains and stops by these rules.
 */
export const convergenceSettingsSchema = z.object({
  /** At most one per metric; each model uses the one of its task. Empty: train to convergence (patience). */
  targets: z.array(qualityTargetSchema),
  /** Epochs between held-out evaluations (fractions allowed). */
  evalEvery: z.number().positive(),
  /** Most epochs a trial trains. */
  maxEpochs: z.number().positive(),
  /** Evaluations in a row without improvement that stop a trial; absent: the target (or max epochs) stops it. */
  patience: z.number().int().positive().optional(),
});
export type ConvergenceSettings = z.infer<typeof convergenceSettingsSchema>;

export const whole = (limit: { min: number; max: number }) => z.number().int().min(limit.min).max(limit.max);
export const between = (limit: { min: number; max: number }) => z.number().gt(limit.min).lt(limit.max);

/**
 * Run ids name folders: letters, digits, ".", "-" and "_", at most 100, and never only dots ("." or
 * ".." would name the output folder itself or its parent). A flag and an id read from a file are
 * checked against this one pattern.
 */
export const RUN_ID_PATTERN = /^(?!\.+$)[\w.-]{1,100}$/;
export const runIdSchema = z.string().regex(RUN_ID_PATTERN, 'is not a run id (up to 100 letters, digits, ".", "-" or "_", naming a folder)');

/** The reading options of a user data file (`--data`, `--target`, `--task`, `--features`, `--on-bad-row`). */
export const dataConfigSchema = z.strictObject({
  /** CSV, TSV, JSON (array of objects) or NDJSON file; relative to the config file (or the working directory for --data). */
  path: z.string().min(1),
  /** Column to predict. */
  target: z.string().min(1),
  /** Default: inferred (text or few distinct whole numbers: classification; else regression). */
  task: taskSchema.optional(),
  /** Input columns; default every column but the target. */
  features: z.array(z.string().min(1)).min(1).optional(),
  /** Rows with a missing or non-numeric value: 'fail' (default, naming the line) or 'skip'. */
  onBadRow: z.enum(['skip', 'fail']).optional(),
  /** Text input columns: 'one-hot' (default) or 'index' (0..k-1). */
  encoding: z.enum(['one-hot', 'index']).optional(),
});
export type DataConfig = z.input<typeof dataConfigSchema>;
/** A data file as planning reads it (its path already resolved). */
export type DataFileOptions = z.output<typeof dataConfigSchema>;

/** Options only one mode takes (src/modes/<mode>/ checks their values). */
export const modeOptionsSchema = z.object({
  /** data-parallel scaling (default strong). */
  scaling: scalingSchema.optional(),
  /** inference closed-loop levels: outstanding requests. */
  concurrency: z.array(z.number()).optional(),
  /** inference open-loop levels: requests per second. */
  rate: z.array(z.number()).optional(),
  /** inference rows (predictions) per request; not the training batch size (--batch-size). */
  requestRows: z.array(z.number()).optional(),
  /** inference seconds of load per level per repetition. */
  duration: z.number().optional(),
  /** The quick profile: inference then runs fewer, shorter levels. */
  quick: z.boolean().optional(),
});
export type ModeOptions = z.infer<typeof modeOptionsSchema>;

/** The sweep settings a config file and the flags share, in the same spelling. */
const sharedFields = {
  /** Start from the quick profile instead of the default one. */
  quick: z.boolean().optional(),
  /** Pool widths. */
  workers: z.array(whole(LIMITS.workers)).min(1).optional(),
  /** One data generator for every model; default each model's own. */
  generator: generatorNameSchema.optional(),
  mode: modeSchema.optional(),
  scaling: modeOptionsSchema.shape.scaling,
  concurrency: modeOptionsSchema.shape.concurrency,
  rate: modeOptionsSchema.shape.rate,
  requestRows: modeOptionsSchema.shape.requestRows,
  duration: modeOptionsSchema.shape.duration,
  repeats: whole(LIMITS.repeats).optional(),
  warmup: whole(LIMITS.warmup).optional(),
  seed: whole(LIMITS.seed).optional(),
  backend: backendChoiceSchema.optional(),
  /** Measure tfjs's stock wasm kernels instead of scale-bench's faster ones. */
  stockKernels: z.boolean().optional(),
  epochs: whole(LIMITS.epochs).optional(),
  batchSize: whole(LIMITS.batchSize).optional(),
  learningRate: between(LIMITS.learningRate).optional(),
  /** Seconds before a cell is stopped and recorded as timed out. */
  cellTimeout: between(LIMITS.cellTimeout).optional(),
  /** Seconds a custom model module may take to load and build while planning (default 60). */
  buildTimeout: between(LIMITS.buildTimeout).optional(),
  /** Output folder, relative to the working directory. */
  out: z.string().min(1).optional(),
  /** Training to a target: evaluate the held-out metric every this many epochs (default 0.25). */
  evalEvery: z.number().gt(LIMITS.evalEvery.min).max(LIMITS.evalEvery.max).optional(),
  /** Training to a target: stop a trial that has not reached it after this many epochs (default 50). */
  maxEpochs: whole(LIMITS.maxEpochs).optional(),
  /** Stop a trial after this many evaluations in a row without improvement; with --target, train on past it to convergence. */
  patience: whole(LIMITS.patience).optional(),
};

/** Everything a config file or suite may set; flags on the command line override it. */
export const configSchema = z.strictObject({
  /** For editors that read JSON schemas; ignored. */
  $schema: z.string().optional(),
  /** Suite name shown by `scale-bench list` (default: the file name). */
  name: z.string().optional(),
  /** One line shown by `scale-bench list`. */
  description: z.string().optional(),
  /** Training-set sizes, as numbers or counts like "4k". */
  sizes: z.array(z.union([z.number().int().positive(), z.string().min(1)])).min(1).optional(),
  /** Built-in model names and/or paths of model modules (relative to this file). */
  models: z.array(z.string().min(1)).min(1).optional(),
  ...sharedFields,
  /** Deprecated name of requestRows: read, with a warning, so older files still load. */
  batchSizes: modeOptionsSchema.shape.requestRows,
  /** Held-out rows as a fraction of the training size, in (0, 1). */
  holdout: between(LIMITS.holdout).optional(),
  /** Report formats, e.g. ["html", "json"]. */
  report: z.array(z.string().min(1)).min(1).optional(),
  /** false skips the memory preflight. */
  memoryCheck: z.boolean().optional(),
  /** CI gate: a baseline name (under <out>/baselines/) or results.json path to compare against. */
  baseline: z.string().min(1).optional(),
  /** CI gate: budgets such as "mlp-deep.exponent<=1.1" or "efficiency@2>=0.8". */
  assert: z.array(z.string()).optional(),
  /** CI gate: noise threshold, e.g. "10%" or {"wallMs": "15%", "rss": "20%"}. */
  threshold: z.union([z.string(), z.number(), z.record(z.string(), z.union([z.string(), z.number()]))]).optional(),
  /** CI gate: significance level of the two-sample test (default 0.05). */
  alpha: z.number().gt(0).lt(0.5).optional(),
  /** CI gate: which checks may fail the build: auto (raw times only on the same machine), raw or shape. */
  gate: z.enum(['auto', 'raw', 'shape']).optional(),
  /** CI gate: 'canary' judges times divided by how much slower the machine ran each cell (its canary); default 'none'. */
  normalise: z.enum(['none', 'canary']).optional(),
  /** CI gate: re-run regressed cells once after the sweep, and fail only if the re-run regresses too (default true). */
  confirm: z.boolean().optional(),
  /** Benchmark on this file instead of generated data. */
  data: dataConfigSchema.optional(),
  /** Train each trial to a target quality, one per metric, e.g. ["accuracy=0.85", "r2=0.9"] (the flag --target). */
  targets: z.array(z.string().min(1)).min(1).optional(),
});
export type ScaleBenchConfig = z.input<typeof configSchema>;

/** One shard of a split sweep, as given on the command line (`--shard i/n`). */
export const shardSpecSchema = z.object({
  /** 1-based shard number. */
  index: z.number().int().positive(),
  /** Number of shards. */
  count: z.number().int().positive(),
});
export type ShardSpec = z.infer<typeof shardSpecSchema>;

/** Typed, already-parsed options (from flags and/or a config file) that planning takes. Absent = profile default. */
export const runOptionsSchema = z.object({
  ...sharedFields,
  /** Training-set sizes. */
  sizes: z.array(whole(LIMITS.size)).optional(),
  /** Built-in model names. */
  models: z.array(z.string()).optional(),
  /** Held-out rows as a fraction of the training size. */
  testFraction: between(LIMITS.holdout).optional(),
  runId: runIdSchema.optional(),
  /** Run only this shard of the sweep (`--shard i/n`). */
  shard: shardSpecSchema.optional(),
  /** Benchmark on the user's file instead of generated data; planRun loads it. */
  data: dataConfigSchema.optional(),
  /** Custom model modules (--model), absolute paths. */
  customModels: z.array(z.string()).optional(),
  /** Train to these held-out qualities (--target), at most one per metric. */
  targets: z.array(qualityTargetSchema).optional(),
});
export type RunOptions = z.infer<typeof runOptionsSchema>;

/** The training settings of a run. */
export const trainingConfigSchema = z.object({
  /** Passes over the training split per trial. */
  epochs: z.number().refine(Number.isFinite, 'must be a finite number'),
  /** Mini-batch size (per worker in data-parallel weak scaling). */
  batchSize: z.number().refine(Number.isFinite, 'must be a finite number'),
  /** Adam learning rate. */
  learningRate: z.number().refine(Number.isFinite, 'must be a finite number'),
  /** Fraction of each dataset held out for the quality metric, in (0, 1). */
  testFraction: z.number().refine(Number.isFinite, 'must be a finite number'),
});
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;

