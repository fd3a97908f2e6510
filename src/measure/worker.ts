/**
 * The pool's default worker module, run by piscina on every thread: initialises the backend once per
 * thread (it stays warm for every later task, whatever mode's module runs it), calibrates peak FLOP/s,
 * and times the canary (the fixed reference workload read before cells, see backends/canary.ts).
 * Each mode's own tasks run in its worker module (src/modes/<mode>/worker.ts) on the same threads.
 */
import { threadId } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { BackendUnavailableError, initBackend } from '../backends/index.js';
import { calibratePeakFlops } from '../backends/calibrate.js';
import { prepareCanary, timeCanary } from '../backends/canary.js';
import { abortBarrier, arriveAndWait } from './barrier.js';
import { taskHandler } from './dispatch.js';
import type { BackendRequest, CalibrateReply, CanaryReply, CanaryTask, InitReply, InitTask, InitUnavailableReply, WorkerReply, WorkerTask } from './protocol.js';

async function runInit(task: InitTask): Promise<InitReply | InitUnavailableReply> {
  const started = performance.now();
  let info: InitReply['backend'];
  try {
    ({ info } = await initBackend(task.backend, { stockKernels: task.stockKernels, threads: task.threads }));
  } catch (error) {
    if (!(error instanceof BackendUnavailableError)) throw error;
    // Release the peers from the start line: none of them will train on this backend.
    abortBarrier(task.barrier);
    return { kind: 'init-unavailable', message: error.message };
  }
  const initMs = performance.now() - started;
  arriveAndWait(task.barrier, task.parties, task.barrierTimeoutMs);
  return { kind: 'init', threadId, initMs, backend: info };
}

async function runCalibrate(task: BackendRequest): Promise<CalibrateReply> {
  const { tf } = await initBackend(task.backend, { stockKernels: task.stockKernels, threads: task.threads });
  return { kind: 'calibrate', peakFlopsPerSec: await calibratePeakFlops(tf) };
}

async function runCanary(task: CanaryTask): Promise<CanaryReply> {
  const { tf } = await initBackend(task.backend, { stockKernels: task.stockKernels, threads: task.threads });
  const work = { size: task.size, matmuls: task.matmuls };
  prepareCanary(tf, work);
  // All of the cell's workers start together, so the reading sees the contention the cell will see.
  arriveAndWait(task.barrier, task.parties, task.barrierTimeoutMs);
  return { kind: 'canary', ms: timeCanary(tf, work) };
}

export default taskHandler<WorkerTask, WorkerReply>({ init: runInit, calibrate: runCalibrate, canary: runCanary });
