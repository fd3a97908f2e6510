/** Messages between the pool runner (main thread) and src/measure/worker.ts. Plain data only. */
import type { BackendChoice, DatasetSpec, ModelInfo, Quality } from '../types.js';
import type { BarrierBuffer } from './barrier.js';

export interface InitTask {
  kind: 'init';
  backend: BackendChoice;
  stockKernels: boolean;
  threads: number;
  /** All init tasks of a pool meet here, so each lands on a different thread. */
  barrier: BarrierBuffer;
  parties: number;
  barrierTimeoutMs: number;
}

export interface InitReply {
  kind: 'init';
  threadId: number;
  /** Time this worker spent loading tfjs and initialising its backend, in ms. */
  initMs: number;
  backend: {
    name: 'node' | 'wasm' | 'cpu';
    tfjsVersion: string;
    backendVersion: string;
    wasmSimd?: boolean;
    kernelPatches: string[];
    threads: number;
  };
}

export interface CalibrateTask {
  kind: 'calibrate';
  backend: BackendChoice;
  stockKernels: boolean;
  threads: number;
}

export interface CalibrateReply {
  kind: 'calibrate';
  /** FLOP/s one worker reached on a dense matmul. */
  peakFlopsPerSec: number;
}

export interface TrainTask {
  kind: 'train';
  /** The cell's id, for error messages and fault injection in tests. */
  cellId: string;
  backend: BackendChoice;
  stockKernels: boolean;
  threads: number;
  model: string;
  /** Absolute path of the module that builds a custom model (`custom:<file>`); absent for built-in models. */
  modelPath?: string;
  spec: DatasetSpec;
  /** Key under which the worker caches the prepared tensors of this dataset between trials. */
  dataKey: string;
  /** The data table's one buffer (x then y, see src/data/table.ts); shared, not copied: every worker reads the same memory. */
  buffer: SharedArrayBuffer;
  nTrain: number;
  nTest: number;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Warm-up trials train on at most this many samples; undefined = the full timed trial. */
  maxSamples?: number;
  barrier: BarrierBuffer;
  parties: number;
  barrierTimeoutMs: number;
}

export interface TrainReply {
  kind: 'train';
  threadId: number;
  model: ModelInfo;
  /** Fingerprint of the freshly built model's weights. */
  initialWeightsChecksum: string;
  /** Epoch milliseconds (performance.timeOrigin + now), comparable across threads. */
  startedAtMs: number;
  finishedAtMs: number;
  trainMs: number;
  samples: number;
  finalLoss: number;
  quality: Quality;
  peakTensorBytes: number;
  /** Process-wide CPU microseconds (user + system) when this worker started and finished training. */
  cpuAtStartUs: number;
  cpuAtEndUs: number;
  /** Process RSS right after training, in bytes. */
  rssAfterBytes: number;
}

export type WorkerTask = InitTask | CalibrateTask | TrainTask;
export type WorkerReply = InitReply | CalibrateReply | TrainReply;
