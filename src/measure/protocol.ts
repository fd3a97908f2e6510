/** Messages between the pool runner (main thread) and the pool's default worker module (./worker.ts). Plain data only. */
import type { BackendChoice } from '../results/schema.js';
import type { BarrierBuffer } from './barrier.js';

/** Which backend a task runs on; the first task on a thread initialises it, later ones reuse it. */
export interface BackendRequest {
  backend: BackendChoice;
  stockKernels: boolean;
  threads: number;
}

export interface InitTask extends BackendRequest {
  kind: 'init';
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

/**
 * The backend could not start in this worker. Sent as a reply, not thrown: an error thrown in a
 * worker reaches the main thread as a plain Error, and its type is what makes it a usage error.
 */
export interface InitUnavailableReply {
  kind: 'init-unavailable';
  /** BackendUnavailableError's message: names --backend and the fix. */
  message: string;
}

export interface CalibrateTask extends BackendRequest {
  kind: 'calibrate';
}

export interface CalibrateReply {
  kind: 'calibrate';
  /** FLOP/s one worker reached on a dense matmul. */
  peakFlopsPerSec: number;
}

/** One worker's part of a canary reading: the cell's workers meet at the barrier, then each times the workload. */
export interface CanaryTask extends BackendRequest {
  kind: 'canary';
  /** Side of the square matrices and chained matmuls (backends/canary.ts). */
  size: number;
  matmuls: number;
  barrier: BarrierBuffer;
  parties: number;
  barrierTimeoutMs: number;
}

export interface CanaryReply {
  kind: 'canary';
  /** Wall time of the workload on this worker, in ms. */
  ms: number;
}

export type WorkerTask = InitTask | CalibrateTask | CanaryTask;
export type WorkerReply = InitReply | InitUnavailableReply | CalibrateReply | CanaryReply;
