/**
 * The saved, versioned results file (results.json): raw measurements only, as the plan ran them.
 * These zod schemas are the one definition of its types (z.infer); reading a file validates it
 * against them (./file.ts), so a bad or foreign file gets a clear message, never a crash later.
 * Every numeric field names its unit.
 */
import { z } from 'zod';
import { convergenceSettingsSchema, trainingConfigSchema } from '../config/schema.js';
import { backendChoiceSchema, backendNameSchema, generatorNameSchema, modeSchema, scalingSchema, taskSchema } from '../config/names.js';

export type { BackendChoice, BackendName, BuiltinModelName, GeneratorName, Mode, Scaling, Task } from '../config/names.js';
export type { ConvergenceSettings, QualityTarget, TrainingConfig } from '../config/schema.js';

/** Version of the saved RunResult file format. Bump on any incompatible change. */
export const RESULT_SCHEMA_VERSION = 1 as const;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** One point of the sweep. */
export const cellSchema = z.object({
  /** Stable id, e.g. "mlp-small|classification|n=4000|w=2|job-parallel". Unique in a plan. */
  id: z.string(),
  model: z.string(),
  dataset: z.string(),
  /** Number of training samples (the held-out rows come on top). */
  size: z.number().int().positive(),
  /** Pool width: worker threads used. */
  workers: z.number().int().positive(),
  mode: modeSchema,
  /** data-parallel: 'strong' keeps the global batch at the configured batch size, 'weak' multiplies it by the width. */
  scaling: scalingSchema.optional(),
  /** inference: rows (predictions) per request. */
  batchSize: z.number().int().positive().optional(),
  /** inference, closed loop: requests kept outstanding at all times. */
  concurrency: z.number().int().positive().optional(),
  /** inference, open loop: requests sent per second, whatever the answers. */
  rate: finite.optional(),
});
export type Cell = z.infer<typeof cellSchema>;

/** Per-request latency of an inference load level, in milliseconds. */
export const latencySummarySchema = z.object({ p50: finite, p95: finite, p99: finite, max: finite, mean: finite });
export type LatencySummary = z.infer<typeof latencySummarySchema>;

/** Which part of a split sweep a run covered; `scale-bench merge` uses it to check that nothing is missing. */
export const shardInfoSchema = z.object({
  /** 1-based shard number. */
  index: z.number().int().positive(),
  /** Number of shards the sweep was split into. */
  count: z.number().int().positive(),
  /** Run id shared by every shard of the sweep; the merged result takes it. */
  sweepRunId: z.string(),
  /** Every cell of the whole (unsplit) sweep, in plan order. */
  plannedCells: z.array(cellSchema),
});
export type ShardInfo = z.infer<typeof shardInfoSchema>;

/** Held-out quality: R² for regression, accuracy (0..1) for classification. */
export const qualitySchema = z.object({ metric: z.enum(['r2', 'accuracy']), value: finite });
export type Quality = z.infer<typeof qualitySchema>;

/**
 * The best held-out quality any model can reach on a generated data set, derived from its generating
 * model: the noise-free R² of a regression, the Bayes accuracy of a classification (label noise and
 * class overlap). Where no closed form exists it is estimated once by simulation and says so.
 */
export const idealQualitySchema = z.object({
  metric: qualitySchema.shape.metric,
  value: finite,
  /** Standard error of a simulated estimate; for a closed form 0 (or the width of a bound, see basis). */
  standardError: finite,
  method: z.enum(['closed-form', 'simulation']),
  /** Samples drawn from the generating model, for a simulation. */
  samples: z.number().int().positive().optional(),
  /** How it was derived, in words, e.g. "Bayes classifier of the known mixture, 1% flipped labels". */
  basis: z.string(),
});
export type IdealQuality = z.infer<typeof idealQualitySchema>;

export const trialStateSchema = z.enum(['ok', 'errored', 'timeout']);
export type TrialState = z.infer<typeof trialStateSchema>;

/** Raw measurements of one counted repetition of one cell. */
export const trialResultSchema = z.object({
  /** 0-based index among the counted repetitions. */
  repetition: z.number().int().nonnegative(),
  state: trialStateSchema,
  /** Why the trial did not finish, when state is not 'ok'. */
  error: z.string().optional(),
  /** Wall-clock time of the training phase, all workers, in milliseconds. */
  wallMs: finite,
  /** Samples trained per second, summed over all workers (aggregate throughput). */
  samplesPerSec: finite,
  /** Total samples processed in the timed phase (all workers, all epochs). */
  samples: finite,
  /** Process CPU time (user + system) during the timed phase, in milliseconds. */
  cpuMs: finite,
  /**
   * Peak resident set size of the whole process during the trial, in bytes: every worker of the pool
   * (as wide as the widest cell) and whatever earlier cells left behind (wasm heaps never shrink).
   */
  peakRssBytes: finite,
  /**
   * Memory this cell holds at its peak, in bytes, independent of the cells before it: its data table
   * plus the tfjs tensor bytes of all its workers at their peak (workerTensorBytes). Memory-vs-size
   * laws are fitted on it. Absent in files written before it existed.
   */
  cellMemoryBytes: finite.optional(),
  /**
   * The process's RSS growth from right before the cell to the trial's peak, in bytes. Depends on what
   * ran before (wasm heaps never shrink; freed memory mostly stays resident), so no law is fitted on it.
   */
  cellRssGrowthBytes: finite.optional(),
  /** Process RSS right before the cell's first (warm-up) trial, in bytes. */
  rssBeforeCellBytes: finite.optional(),
  /** Size of every pool worker's wasm heap (WebAssembly.Memory) added up, at the end of the trial; heaps never shrink. Absent off wasm. */
  wasmHeapBytes: finite.optional(),
  /** Peak bytes held by tfjs tensors in any one worker during the trial (bytes held at the start plus one step's growth, profiled once per architecture). */
  peakTensorBytes: finite,
  /** The same peak summed over the cell's workers: the tensor bytes the cell holds at once. */
  workerTensorBytes: finite.optional(),
  /** Training loss after the last step (median over workers). */
  finalLoss: finite,
  /** Held-out quality (median over workers). */
  quality: qualitySchema,
  /** data-parallel: milliseconds spent exchanging gradients (writing, waiting for peers, summing), all steps, median over workers. */
  exchangeMs: finite.optional(),
  /** data-parallel: milliseconds spent computing gradients and applying updates, all steps, median over workers. */
  computeMs: finite.optional(),
  /** Optimizer steps taken (data-parallel: each one gradient exchange). */
  steps: z.number().int().nonnegative().optional(),
  /** Trained to a target (plan.convergence): whether the held-out metric reached it. */
  converged: z.boolean().optional(),
  /** Trained to a target: training milliseconds until the evaluation that first reached it (evaluation time excluded). */
  timeToTargetMs: finite.optional(),
  /** Trained to a target: epochs until that evaluation (fractional). */
  epochsToTarget: finite.optional(),
  /** Trained to a target: epochs trained in all. */
  epochsTrained: finite.optional(),
  /** Trained to a target: milliseconds spent on held-out evaluations, apart from wallMs. */
  evalMs: finite.optional(),
  /** Trained to a target: held-out evaluations made. */
  evaluations: z.number().int().nonnegative().optional(),
  /** Trained to a target: what ended the trial. */
  stopReason: z.enum(['target', 'patience', 'max-epochs']).optional(),
  /** Trained to a target: the best held-out quality seen at any evaluation (quality is the last one). */
  bestQuality: finite.optional(),
  /** Trained to a target: the repetition's seed (data order and initial weights). */
  seed: z.number().int().optional(),
  /** data-parallel: largest absolute difference between any worker's final weights and worker 0's. */
  replicaMaxDiff: finite.optional(),
  /** inference: latency of the answered requests, in ms (send, or scheduled send in the open loop, to answer). */
  latency: latencySummarySchema.optional(),
  /** inference: requests sent during the level. */
  requests: z.number().int().nonnegative().optional(),
  /** inference: requests that failed, were refused (queue full) or were not answered before the drain deadline. */
  errors: z.number().int().nonnegative().optional(),
  /** inference: errors / requests of the level, 0..1; above 1% the level is 'errored', not a latency figure. */
  errorRate: finite.optional(),
  /** inference: what went wrong with the level's first failed request. */
  firstError: z.string().optional(),
});
export type TrialResult = z.infer<typeof trialResultSchema>;

/** Size of a model, independent of how it ran. */
export const modelInfoSchema = z.object({
  name: z.string(),
  /** Trainable parameters. */
  params: finite,
  /** Forward-pass floating-point operations per sample (multiply-add = 2 FLOPs). */
  forwardFlopsPerSample: finite,
  /** Training FLOPs per sample (forward + backward), about 3x forward. */
  trainFlopsPerSample: finite,
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

/** The machine fingerprint and the software that measured. */
export const environmentSchema = z.object({
  /** Short stable hash of the machine-describing fields; equal fingerprints mean "same machine". */
  machineId: z.string(),
  cpuModel: z.string(),
  /** Logical cores. */
  cores: z.number().int().positive(),
  /** Total memory in bytes. */
  totalMemoryBytes: finite,
  os: z.string(),
  arch: z.string(),
  node: z.string(),
  /** Backend that actually ran. */
  backend: backendNameSchema,
  /** tfjs version. */
  tfjsVersion: z.string(),
  /** Backend package version (e.g. @tensorflow/tfjs-backend-wasm). */
  backendVersion: z.string(),
  /** Whether the wasm backend used SIMD. */
  wasmSimd: z.boolean().optional(),
  /** Kernel variants in use, e.g. ["BatchMatMul:transpose-first"]; empty means stock tfjs. */
  kernelPatches: z.array(z.string()),
  /** Measured peak FLOP/s of one worker on this machine and backend (dense matmul calibration), if measured. */
  peakFlopsPerSec: finite.optional(),
  gitCommit: z.string().optional(),
  hostname: z.string().optional(),
  /** What produced the measurements: 'tfjs' (real training) or 'fake' (the deterministic test runner). */
  runner: z.enum(['tfjs', 'fake']),
});
export type Environment = z.infer<typeof environmentSchema>;

/** The reading options of a user data file, as resolved while planning. */
export const dataFileSourceSchema = z.object({
  /** Column predicted. */
  target: z.string(),
  /** Input columns in file order, before encoding (all but the target unless chosen). */
  columns: z.array(z.string()),
  /** What happens to rows with a missing or non-numeric value in a used column. */
  onBadRow: z.enum(['skip', 'fail']),
  /** How text (categorical) input columns become numbers. */
  encoding: z.enum(['one-hot', 'index']),
  /** Usable rows (after skipped ones) when the plan was made. */
  rows: z.number().int().nonnegative(),
  /** Names of the encoded input features, e.g. "sepal_length" or "island=Biscoe"; length = DatasetSpec.features. */
  featureNames: z.array(z.string()),
});
export type DataFileSource = z.infer<typeof dataFileSourceSchema>;

/** What a dataset is made of; enough to regenerate it byte for byte with the plan's seed. */
export const datasetSpecSchema = z.object({
  /** Display and file-safe name, e.g. "classification" or "iris.csv". */
  name: z.string(),
  /** 'file' for user data loaded from disk. */
  generator: z.union([generatorNameSchema, z.literal('file')]),
  task: taskSchema,
  /** Number of input features per sample (for images: height*width*channels). */
  features: z.number().int().positive(),
  /** Number of classes for classification; 1 for regression. */
  classes: z.number().int().positive(),
  /** Image shape [height, width, channels] when the inputs are images. */
  imageShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]).optional(),
  /** Path of the user file, when generator is 'file'. */
  path: z.string().optional(),
  /** Class names in index order (classification from a file): class i is labels[i]. */
  labels: z.array(z.string()).optional(),
  /** How a user file is read and encoded (generator 'file'): enough to load it again on resume. */
  source: dataFileSourceSchema.optional(),
});
export type DatasetSpec = z.infer<typeof datasetSpecSchema>;

/** Settings of the inference mode's load generator. */
export const inferenceConfigSchema = z.object({
  /** Milliseconds of load per level per repetition. */
  durationMs: finite,
});
export type InferenceConfig = z.infer<typeof inferenceConfigSchema>;

/** The plan as saved in results.json: every cell to run and how. */
export const savedPlanSchema = z.object({
  runId: z.string(),
  cells: z.array(cellSchema),
  datasets: z.array(datasetSpecSchema),
  /** Counted repetitions per cell (>= 1). */
  repeats: z.number().int().positive(),
  /** Uncounted warm-up trials per cell before the counted ones. */
  warmup: z.number().int().nonnegative(),
  seed: z.number().int(),
  backend: backendChoiceSchema,
  /** Use tfjs's stock kernels instead of scale-bench's faster transposed-matmul kernel (wasm). */
  stockKernels: z.boolean(),
  training: trainingConfigSchema,
  /** A cell still running after this many milliseconds is stopped and recorded as 'timeout'. */
  cellTimeoutMs: finite,
  /** Logical cores of this machine, recorded so widths above it can be flagged as oversubscribed. */
  cores: z.number().int().positive(),
  /** Absolute module path of each custom model (`--model`), by its model name `custom:<file name>`. */
  customModels: z.record(z.string(), z.string()).optional(),
  /** Set when this run is one shard of a split sweep (`run --shard i/n`); `cells` then holds only this shard's cells. */
  shard: shardInfoSchema.optional(),
  /** Load generator settings, when the plan has inference cells. */
  inference: inferenceConfigSchema.optional(),
  /** Set when trials train to a target quality or to convergence (--target, --patience) instead of for `training.epochs`. */
  convergence: convergenceSettingsSchema.optional(),
});
export type SavedPlan = z.infer<typeof savedPlanSchema>;

/** A plan ready to run: the saved plan plus where its artifacts go (<outDir>/<runId>/). */
export type BenchmarkPlan = SavedPlan & {
  /** Folder the run's artifacts go to: <out>/<runId>/. */
  outDir: string;
};

/**
 * One reading of the canary: a fixed reference workload (see `canaryWorkloadSchema`) timed on the cell's
 * workers at once, so it sees the contention the cell is about to see. Slower readings mean a slower machine.
 */
export const canaryReadingSchema = z.object({
  /** Milliseconds since the run started (its `startedAt`). */
  atMs: finite,
  /** Workers that ran the workload together (the width of the cell it was read for). */
  workers: z.number().int().positive(),
  /** Wall time of the slowest worker for the fixed workload, in ms: the reading. */
  ms: finite,
  /** Each worker's wall time for the workload, in ms. */
  perWorkerMs: z.array(finite),
  /** 'sweep': read before cells of the sweep; 'confirm': read around the re-runs of the confirm step. */
  phase: z.enum(['sweep', 'confirm']),
});
export type CanaryReading = z.infer<typeof canaryReadingSchema>;

/** The canary's fixed workload: a chain of square float32 matmuls on the run's backend, per worker. */
export const canaryWorkloadSchema = z.object({
  /** Side of the square matrices. */
  size: z.number().int().positive(),
  /** Matmuls per worker per reading. */
  matmuls: z.number().int().positive(),
  /** A new reading is taken before a cell unless one at its width is younger than this (ms); 0 = before every cell. */
  intervalMs: finite,
});
export type CanaryWorkload = z.infer<typeof canaryWorkloadSchema>;

/** The canary's time series over a run. */
export const canaryRecordSchema = z.object({
  workload: canaryWorkloadSchema,
  readings: z.array(canaryReadingSchema),
});
export type CanaryRecord = z.infer<typeof canaryRecordSchema>;

export const cellResultSchema = z.object({
  cell: cellSchema,
  model: modelInfoSchema,
  /** Time from asking for a pool of this width to every worker having its backend ready, in ms; measured once per pool. */
  coldStartMs: finite,
  /** Counted repetitions, in order. Warm-ups are not recorded. */
  trials: z.array(trialResultSchema),
  /** Worker threads' backend threads (e.g. wasm threads per worker). */
  threadsPerWorker: z.number().int().positive(),
  /** Machine fingerprint id of the machine that ran this cell (differs between merged shards). */
  machineId: z.string(),
  /** Fingerprint of the dataset's bytes (train + held-out): equal seeds give equal checksums. */
  dataChecksum: z.string().optional(),
  /** Fingerprint of the model's initial weights: equal seeds give equal checksums. */
  initialWeightsChecksum: z.string().optional(),
  /** Held-out quality of the trivial predictor (majority class, or the mean: R² 0); at or below it a model learned nothing. */
  trivialQuality: qualitySchema.optional(),
  /** The best held-out quality any model can reach on this generated data set (absent for user files). */
  idealQuality: idealQualitySchema.optional(),
  /** The canary reading (ms, see RunResult.canary) this cell ran under: the latest at its width before it. */
  canaryMs: finite.optional(),
  /** The confirm step's re-run of this cell after the sweep (`run --baseline` with --confirm), when it regressed. */
  confirmation: z
    .object({
      /** Counted repetitions of the re-run, in order. */
      trials: z.array(trialResultSchema),
      /** Canary readings (ms) taken just before and just after the re-run. */
      canaryBeforeMs: finite.optional(),
      canaryAfterMs: finite.optional(),
    })
    .optional(),
});
export type CellResult = z.infer<typeof cellResultSchema>;

/** The saved, versioned results file: raw measurements only. */
export const runResultSchema = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('scale-bench'), version: z.string() }),
  runId: z.string(),
  /** ISO 8601 timestamps. */
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  /** false while running, or when the run was interrupted or had failed cells. */
  complete: z.boolean(),
  plan: savedPlanSchema,
  environment: environmentSchema,
  /** Other machines that ran cells (merged shards), by machineId. */
  machines: z.record(z.string(), environmentSchema).optional(),
  cells: z.array(cellResultSchema),
  /** The canary's readings over the run: how the machine's speed drifted (absent in runs before the canary existed). */
  canary: canaryRecordSchema.optional(),
  /**
   * Resident set size of the whole process once the workers were ready, before the first cell, in bytes. Cells'
   * peakRssBytes are the whole process's too, so two runs' memory compares after removing this offset.
   */
  startRssBytes: finite.optional(),
});
export type RunResult = z.infer<typeof runResultSchema>;
