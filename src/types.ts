/**
 * The data contracts of the pipeline:
 *   CliOptions -> BenchmarkPlan -> RunResult -> Analysis (-> Comparison) -> Artifact[]
 * Rules that can be carried in types are carried here; every numeric field names its unit.
 */

/** Version of the saved RunResult file format. Bump on any incompatible change. */
export const RESULT_SCHEMA_VERSION = 1 as const;

export type BackendName = 'node' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

/** Built-in synthetic data generators (mirroring scikit-learn's make_* functions) plus generated images. */
export type GeneratorName = 'regression' | 'classification' | 'blobs' | 'moons' | 'images';

/** Built-in models in increasing complexity. Custom models are `custom:<file name>`. */
export type BuiltinModelName = 'linear' | 'logistic' | 'mlp-small' | 'mlp-deep' | 'cnn-small';

/**
 * job-parallel: each of w workers trains its own replica on the shared dataset; aggregate samples/s.
 * data-parallel: w workers train ONE model with synchronous gradient averaging.
 * inference: a trained model served by w workers under load.
 */
export type Mode = 'job-parallel' | 'data-parallel' | 'inference';

export type Task = 'regression' | 'classification';

/** What a dataset is made of; enough to regenerate it byte for byte with the plan's seed. */
export interface DatasetSpec {
  /** Display and file-safe name, e.g. "classification" or "iris.csv". */
  name: string;
  /** 'file' for user data loaded from disk. */
  generator: GeneratorName | 'file';
  task: Task;
  /** Number of input features per sample (for images: height*width*channels). */
  features: number;
  /** Number of classes for classification; 1 for regression. */
  classes: number;
  /** Image shape [height, width, channels] when the inputs are images. */
  imageShape?: [number, number, number];
  /** Path of the user file, when generator is 'file'. */
  path?: string;
  /** Class names in index order (classification from a file): class i is labels[i]. */
  labels?: string[];
  /** How a user file is read and encoded (generator 'file'): enough to load it again on resume. */
  source?: DataFileSource;
}

/** The reading options of a user data file, as resolved while planning. */
export interface DataFileSource {
  /** Column predicted. */
  target: string;
  /** Input columns in file order, before encoding (all but the target unless chosen). */
  columns: string[];
  /** What happens to rows with a missing or non-numeric value in a used column. */
  onBadRow: 'skip' | 'fail';
  /** How text (categorical) input columns become numbers. */
  encoding: 'one-hot' | 'index';
  /** Usable rows (after skipped ones) when the plan was made. */
  rows: number;
  /** Names of the encoded input features, e.g. "sepal_length" or "island=Biscoe"; length = DatasetSpec.features. */
  featureNames: string[];
}

/** One point of the sweep. */
export interface Cell {
  /** Stable id, e.g. "mlp-small|classification|n=4000|w=2|job-parallel". Unique in a plan. */
  id: string;
  model: string;
  dataset: string;
  /** Number of samples (train + held-out). */
  size: number;
  /** Pool width: worker threads used. */
  workers: number;
  mode: Mode;
  /** data-parallel: 'strong' keeps the global batch at the configured batch size, 'weak' multiplies it by the width. */
  scaling?: Scaling;
  /** inference: rows (predictions) per request. */
  batchSize?: number;
  /** inference, closed loop: requests kept outstanding at all times. */
  concurrency?: number;
  /** inference, open loop: requests sent per second, whatever the answers. */
  rate?: number;
}

/** Data-parallel scaling: fixed global batch (strong) or global batch growing with the width (weak). */
export type Scaling = 'strong' | 'weak';

/** Per-request latency of an inference load level, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Settings of the inference mode's load generator. */
export interface InferenceConfig {
  /** Milliseconds of load per level per repetition. */
  durationMs: number;
}

export interface TrainingConfig {
  /** Passes over the training split per trial. */
  epochs: number;
  /** Mini-batch size (per worker in data-parallel weak scaling). */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Fraction of each dataset held out for the quality metric, in (0, 1). */
  testFraction: number;
}

export interface BenchmarkPlan {
  runId: string;
  cells: Cell[];
  datasets: DatasetSpec[];
  /** Counted repetitions per cell (>= 1). */
  repeats: number;
  /** Uncounted warm-up trials per cell before the counted ones. */
  warmup: number;
  seed: number;
  backend: BackendChoice;
  /** Use tfjs's stock kernels instead of scale-bench's faster transposed-matmul kernel (wasm). */
  stockKernels: boolean;
  training: TrainingConfig;
  /** A cell still running after this many milliseconds is stopped and recorded as 'timeout'. */
  cellTimeoutMs: number;
  /** Folder the run's artifacts go to: <out>/<runId>/. */
  outDir: string;
  /** Logical cores of this machine, recorded so widths above it can be flagged as oversubscribed. */
  cores: number;
  /** Absolute module path of each custom model (`--model`), by its model name `custom:<file name>`. */
  customModels?: Record<string, string>;
  /** Set when this run is one shard of a split sweep (`run --shard i/n`); `cells` then holds only this shard's cells. */
  shard?: ShardInfo;
  /** Load generator settings, when the plan has inference cells. */
  inference?: InferenceConfig;
}

/** Which part of a split sweep a run covered; `scale-bench merge` uses it to check that nothing is missing. */
export interface ShardInfo {
  /** 1-based shard number. */
  index: number;
  /** Number of shards the sweep was split into. */
  count: number;
  /** Run id shared by every shard of the sweep; the merged result takes it. */
  sweepRunId: string;
  /** Every cell of the whole (unsplit) sweep, in plan order. */
  plannedCells: Cell[];
}

export type TrialState = 'ok' | 'errored' | 'timeout';

/** Held-out quality: R² for regression, accuracy (0..1) for classification. */
export interface Quality {
  metric: 'r2' | 'accuracy';
  value: number;
}

/** Raw measurements of one counted repetition of one cell. */
export interface TrialResult {
  /** 0-based index among the counted repetitions. */
  repetition: number;
  state: TrialState;
  /** Why the trial did not finish, when state is not 'ok'. */
  error?: string;
  /** Wall-clock time of the training phase, all workers, in milliseconds. */
  wallMs: number;
  /** Samples trained per second, summed over all workers (aggregate throughput). */
  samplesPerSec: number;
  /** Total samples processed in the timed phase (all workers, all epochs). */
  samples: number;
  /** Process CPU time (user + system) during the timed phase, in milliseconds. */
  cpuMs: number;
  /** Peak resident set size of the whole process during the trial, in bytes. */
  peakRssBytes: number;
  /** Peak bytes held by tfjs tensors in any one worker during the trial. */
  peakTensorBytes: number;
  /** Training loss after the last step (median over workers). */
  finalLoss: number;
  /** Held-out quality (median over workers). */
  quality: Quality;
  /** data-parallel: milliseconds spent exchanging gradients (writing, waiting for peers, summing), all steps, median over workers. */
  exchangeMs?: number;
  /** data-parallel: milliseconds spent computing gradients and applying updates, all steps, median over workers. */
  computeMs?: number;
  /** data-parallel: optimizer steps (each one gradient exchange). */
  steps?: number;
  /** data-parallel: largest absolute difference between any worker's final weights and worker 0's. */
  replicaMaxDiff?: number;
  /** inference: latency of the answered requests, in ms (send, or scheduled send in the open loop, to answer). */
  latency?: LatencySummary;
  /** inference: requests sent during the level. */
  requests?: number;
  /** inference: requests that failed, were refused (queue full) or were not answered before the drain deadline. */
  errors?: number;
}

/** Size of a model, independent of how it ran. */
export interface ModelInfo {
  name: string;
  /** Trainable parameters. */
  params: number;
  /** Forward-pass floating-point operations per sample (multiply-add = 2 FLOPs). */
  forwardFlopsPerSample: number;
  /** Training FLOPs per sample (forward + backward), about 3x forward. */
  trainFlopsPerSample: number;
}

export interface CellResult {
  cell: Cell;
  model: ModelInfo;
  /** Time from asking for a pool of this width to every worker having its backend ready, in ms; measured once per pool. */
  coldStartMs: number;
  /** Counted repetitions, in order. Warm-ups are not recorded. */
  trials: TrialResult[];
  /** Worker threads' backend threads (e.g. wasm threads per worker). */
  threadsPerWorker: number;
  /** Machine fingerprint id of the machine that ran this cell (differs between merged shards). */
  machineId: string;
  /** Fingerprint of the dataset's bytes (train + held-out): equal seeds give equal checksums. */
  dataChecksum?: string;
  /** Fingerprint of the model's initial weights: equal seeds give equal checksums. */
  initialWeightsChecksum?: string;
}

export interface Environment {
  /** Short stable hash of the machine-describing fields; equal fingerprints mean "same machine". */
  machineId: string;
  cpuModel: string;
  /** Logical cores. */
  cores: number;
  /** Total memory in bytes. */
  totalMemoryBytes: number;
  os: string;
  arch: string;
  node: string;
  /** Backend that actually ran. */
  backend: BackendName;
  /** tfjs version. */
  tfjsVersion: string;
  /** Backend package version (e.g. @tensorflow/tfjs-backend-wasm). */
  backendVersion: string;
  /** Whether the wasm backend used SIMD. */
  wasmSimd?: boolean;
  /** Kernel variants in use, e.g. ["BatchMatMul:transpose-first"]; empty means stock tfjs. */
  kernelPatches: string[];
  /** Measured peak FLOP/s of one worker on this machine and backend (dense matmul calibration), if measured. */
  peakFlopsPerSec?: number;
  gitCommit?: string;
  hostname?: string;
  /** What produced the measurements: 'tfjs' (real training) or 'fake' (the deterministic test runner). */
  runner: 'tfjs' | 'fake';
}

/** The saved, versioned results file: raw measurements only. */
export interface RunResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  tool: { name: 'scale-bench'; version: string };
  runId: string;
  /** ISO 8601 timestamps. */
  startedAt: string;
  finishedAt?: string;
  /** false while running, or when the run was interrupted or had failed cells. */
  complete: boolean;
  plan: Omit<BenchmarkPlan, 'cells' | 'outDir'> & { cells: Cell[] };
  environment: Environment;
  /** Other machines that ran cells (merged shards), by machineId. */
  machines?: Record<string, Environment>;
  cells: CellResult[];
}

// ---------------------------------------------------------------------------
// Analysis: RunResult -> Analysis (pure, src/analyse.ts using src/stats/)
// ---------------------------------------------------------------------------

/** A value with its confidence interval; `null` bounds mean "not enough data for an interval". */
export interface Estimate {
  value: number;
  low: number | null;
  high: number | null;
  /** Confidence level of [low, high], e.g. 0.95. */
  level: number;
}

/** Summary statistics of one metric over a cell's ok repetitions. */
export interface SampleSummary {
  /** Number of ok repetitions summarised. */
  n: number;
  median: number;
  mean: number;
  /** Sample standard deviation (n-1); 0 for a single sample. */
  stdDev: number;
  min: number;
  max: number;
  /** Interquartile range (Q3 - Q1). */
  iqr: number;
  /** Median absolute deviation (raw, unscaled). */
  mad: number;
  /** Samples further than 3 scaled MADs from the median. */
  outliers: number;
  /** Confidence interval of the median. */
  medianCi: Estimate;
  /** Relative spread: IQR / median (0 when the median is 0). */
  relativeSpread: number;
}

export type WarningCode =
  | 'few-repetitions'
  | 'noisy-cell'
  | 'oversubscribed'
  | 'failed-cell'
  | 'not-enough-sizes'
  | 'not-enough-widths'
  | 'missing-width-1'
  | 'quality-tradeoff'
  | 'no-calibration';

export interface AnalysisWarning {
  code: WarningCode;
  message: string;
  /** Cell id or sweep key the warning is about. */
  subject?: string;
}

export interface CellAnalysis {
  cellId: string;
  cell: Cell;
  model: ModelInfo;
  /** Repetitions that finished ok / total. */
  okTrials: number;
  totalTrials: number;
  /** null when no repetition finished ok. */
  wallMs: SampleSummary | null;
  samplesPerSec: SampleSummary | null;
  peakRssBytes: SampleSummary | null;
  cpuMs: SampleSummary | null;
  /** Median held-out quality. */
  quality: Quality | null;
  /** Median time per sample per worker, in microseconds. */
  usPerSample: number | null;
  /** Achieved training GFLOP/s (aggregate over workers). */
  gflops: number | null;
  /** Model FLOPs utilisation: achieved / (peak per worker x min(workers, cores)), 0..1. */
  mfu: number | null;
  coldStartMs: number;
  /** Backend compute threads per worker that ran this cell. */
  threadsPerWorker?: number;
  /** data-parallel cells: the gradient exchange beside the compute, medians over ok repetitions. */
  dataParallel?: DataParallelCellAnalysis;
  /** inference cells: latency and errors, medians over ok repetitions. */
  inference?: InferenceCellAnalysis;
}

export interface DataParallelCellAnalysis {
  /** Milliseconds per step exchanging gradients (write, wait for peers, sum). */
  exchangeMsPerStep: number | null;
  /** Milliseconds per step computing gradients and applying the update. */
  computeMsPerStep: number | null;
  /** exchange / (exchange + compute), 0..1. */
  exchangeShare: number | null;
  /** Largest replica weight difference over the repetitions (the replicas agree when it is tiny). */
  replicaMaxDiff: number | null;
}

export interface InferenceCellAnalysis {
  /** Median over repetitions of each latency statistic, in ms; null without answered requests. */
  latency: LatencySummary | null;
  /** Errors summed over the ok repetitions. */
  errors: number;
  /** Requests summed over the ok repetitions. */
  requests: number;
}

/** Throughput and latency against load for one (model, dataset, size, width, batch size, loop). */
export interface InferenceSweep {
  key: string;
  model: string;
  dataset: string;
  size: number;
  workers: number;
  /** Rows per request. */
  batchSize: number;
  /** closed: the level is the concurrency; open: the level is the request rate (requests/s). */
  loop: 'closed' | 'open';
  points: Array<{ level: number; throughput: number; latency: LatencySummary | null; errors: number; requests: number }>;
  /** First level where latency starts to climb (see kneeRule); null when it never does among the levels run. */
  knee: number | null;
  /** The rule the knee was found by, in words. */
  kneeRule: string;
}

export type BigOClass = 'O(1)' | 'O(log n)' | 'O(n)' | 'O(n log n)' | 'O(n^2)' | 'O(n^3)';

/** Fit of a metric against dataset size for one (model, dataset, width, mode). */
export interface SizeScaling {
  key: string;
  model: string;
  dataset: string;
  workers: number;
  mode: Mode;
  metric: 'wallMs' | 'peakRssBytes';
  /** Sizes and the median metric used for the fit. */
  points: Array<{ size: number; value: number }>;
  /** Power-law t = a * n^b: exponent b with 95% t-interval; null when fewer than 2 sizes. */
  exponent: Estimate | null;
  /** Prefactor a of the power law. */
  coefficient: number | null;
  rSquared: number | null;
  /** Best Big-O class by relative RMS, with its coefficient and relative RMS; null when fewer than 2 sizes. */
  bigO: { class: BigOClass; coefficient: number; relativeRms: number } | null;
}

export interface WidthPoint {
  workers: number;
  /** Median aggregate samples/s. */
  throughput: number;
  /** S(w) = X(w)/X(1) (job-parallel throughput) or T(1)/T(w). null without width 1. */
  speedup: number | null;
  /** E = S/w. */
  efficiency: number | null;
  /** Karp-Flatt serial fraction; null at w = 1 or without width 1. */
  karpFlatt: number | null;
  oversubscribed: boolean;
}

export interface UslFit {
  sigma: number;
  kappa: number;
  lambda: number;
  /** Width of peak throughput, sqrt((1 - sigma) / kappa); null when kappa = 0 (no peak). */
  peakWorkers: number | null;
  /** Predicted throughput at the peak. */
  peakThroughput: number | null;
  limitedBy: 'contention' | 'coherency' | 'none';
  rSquared: number;
}

/** Fit of throughput against pool width for one (model, dataset, size, mode). */
export interface WidthScaling {
  key: string;
  model: string;
  dataset: string;
  size: number;
  mode: Mode;
  points: WidthPoint[];
  /** Amdahl parallel fraction p in [0, 1]; null when not fittable. */
  amdahlParallelFraction: number | null;
  /** USL fit, or the reason there is none (e.g. "not enough widths: 3 < 4"). */
  usl: UslFit | { unavailable: string };
}

/** Time per sample vs model size for one (dataset size, width, mode). */
export interface ComplexityScaling {
  key: string;
  size: number;
  workers: number;
  mode: Mode;
  points: Array<{ model: string; params: number; trainFlopsPerSample: number; usPerSample: number; gflops: number | null }>;
  /** Exponent of time/sample against params (log-log), null with fewer than 2 models. */
  exponentVsParams: Estimate | null;
  /** Dataset the models were trained on (the key includes it; sizes of different datasets are not comparable). */
  dataset?: string;
  /** Exponent of time/sample against training FLOPs per sample (log-log), null with fewer than 2 models. */
  exponentVsFlops?: Estimate | null;
}

export interface QualityFlag {
  /** The faster configuration that reached worse quality. */
  cellId: string;
  /** The slowest configuration it was compared with. */
  referenceCellId: string;
  metric: Quality['metric'];
  value: number;
  referenceValue: number;
  /** Speed ratio (reference wall / this wall). */
  speedup: number;
}

export interface Analysis {
  runId: string;
  backend: BackendName;
  environment: Environment;
  cells: CellAnalysis[];
  sizeScaling: SizeScaling[];
  widthScaling: WidthScaling[];
  complexityScaling: ComplexityScaling[];
  qualityFlags: QualityFlag[];
  warnings: AnalysisWarning[];
  /** Inference load sweeps, when the run has inference cells. */
  inference?: InferenceSweep[];
}

// ---------------------------------------------------------------------------
// Comparison: baseline RunResult + current RunResult -> Comparison (src/compare.ts)
// ---------------------------------------------------------------------------

export type Verdict = 'improved' | 'regressed' | 'unchanged' | 'inconclusive';

export interface MetricComparison {
  /** e.g. "wallMs", "peakRssBytes", "quality", "exponent", "efficiency@2", "uslPeak". */
  metric: string;
  subject: string;
  baseline: number;
  current: number;
  /** Relative change (current / baseline - 1); for quality the absolute difference. */
  change: number;
  /** Confidence interval of the change, when the test gives one. */
  changeCi: Estimate | null;
  /** Test used, e.g. "mann-whitney-exact", "bootstrap-ratio", "ci-overlap", "threshold". */
  test: string;
  pValue: number | null;
  /** Noise threshold the change had to exceed, relative. */
  threshold: number;
  verdict: Verdict;
  /** Whether this comparison was allowed to fail the gate (raw times only on the same machine). */
  gated: boolean;
}

export interface BudgetResult {
  /** The budget as written, e.g. "mlp-deep.exponent<=1.1". */
  expression: string;
  measured: number | null;
  passed: boolean;
  message: string;
}

export interface Comparison {
  baselineRunId: string;
  currentRunId: string;
  sameMachine: boolean;
  /** 'raw' = times and memory gated (same machine); 'shape' = only fitted laws and quality gated. */
  gateMode: 'raw' | 'shape';
  metrics: MetricComparison[];
  budgets: BudgetResult[];
  /** Geometric mean of current/baseline wall-time ratios over matched cells. */
  geometricMeanRatio: number | null;
  regressions: number;
  improvements: number;
  warnings: string[];
  /** true when nothing gated regressed and every budget passed. */
  passed: boolean;
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

/** One file a reporter produced: bytes only; src/write.ts is the only module that writes. */
export interface Artifact {
  /** Path relative to the run's output folder, e.g. "report.html" or "charts/time-vs-size.png". */
  path: string;
  mediaType: string;
  bytes: Uint8Array;
}

export interface ReportInput {
  /** One or more runs (several overlay their curves). The first is the primary. */
  runs: Array<{ result: RunResult; analysis: Analysis }>;
  comparison?: Comparison;
}
