/** What the scheduler needs from something that trains models: raw numbers only, no statistics. */
import type { BenchmarkPlan, CanaryReading, CanaryWorkload, Cell, DatasetSpec, ModelInfo, TrialResult } from '../results/schema.js';
import type { BackendFacts } from './environment.js';
import type { DataTable } from '../data/table.js';

export interface CellJob {
  cell: Cell;
  spec: DatasetSpec;
  /** Rows [0, nTrain) train, [nTrain, nTrain + nTest) held out; SharedArrayBuffer-backed. */
  table: DataTable;
  nTrain: number;
  nTest: number;
  /** Identifies the table's contents, so workers can keep its tensors between trials. */
  dataKey: string;
  /** 'confirm' when the confirm step re-runs the cell after the sweep; absent (or 'sweep') otherwise. */
  phase?: CanaryReading['phase'];
}

/** Times the canary, a fixed reference workload, on the workers a cell is about to use (see backends/canary.ts). */
export interface CanaryProbe {
  readonly workload: CanaryWorkload;
  /** Each worker's wall time for the workload, in ms, the cell's `workers` workers reading together. */
  read(cell: Cell, phase: CanaryReading['phase']): Promise<number[]>;
}

export interface CellMeasurement {
  model: ModelInfo;
  coldStartMs: number;
  threadsPerWorker: number;
  trials: TrialResult[];
  /** Fingerprint of the initial weights every replica started from. */
  initialWeightsChecksum?: string;
}

export interface TrialProgress {
  cell: Cell;
  /** Negative for warm-up trials. */
  repetition: number;
}

export interface Runner {
  readonly kind: 'tfjs' | 'fake';
  /** Start workers/backends once per run; returns what ran, for the environment block. */
  start(plan: BenchmarkPlan): Promise<BackendFacts>;
  runCell(job: CellJob, onTrial?: (progress: TrialProgress) => void): Promise<CellMeasurement>;
  /** The machine-speed canary, when this runner has one (available after start()). */
  readonly canary?: CanaryProbe;
  /** Resident set size of the measured process now, in bytes (simulated by the fake runner). */
  rssBytes?(): number;
  /** Stop everything, including tasks in flight. Safe to call twice. */
  close(): Promise<void>;
}

/** Batches a warm-up trial trains: enough to compile every kernel and allocate every buffer of a step. */
const WARMUP_BATCHES = 4;

/** Samples of an uncounted warm-up trial: a few batches, not a full pass, so small cells do not pay for it twice. */
export function warmupSamples(nTrain: number, batchSize: number): number {
  return Math.min(nTrain, WARMUP_BATCHES * batchSize);
}

/** The fields every training or serving task carries about its cell, in every mode. */
export interface CellTaskFields {
  backend: BenchmarkPlan['backend'];
  stockKernels: boolean;
  threads: number;
  /** Absolute path of the module that builds a custom model; absent for built-in models. */
  modelPath?: string;
  model: string;
  spec: DatasetSpec;
  /** The data table's one buffer (x then y); shared, not copied. */
  buffer: SharedArrayBuffer;
  nTrain: number;
  nTest: number;
  seed: number;
}

export function cellTaskFields(plan: BenchmarkPlan, job: CellJob, threads: number): CellTaskFields {
  const modelPath = plan.customModels?.[job.cell.model];
  return {
    backend: plan.backend,
    stockKernels: plan.stockKernels,
    threads,
    ...(modelPath ? { modelPath } : {}),
    model: job.cell.model,
    spec: job.spec,
    buffer: job.table.x.buffer as SharedArrayBuffer,
    nTrain: job.nTrain,
    nTest: job.nTest,
    seed: plan.seed,
  };
}
