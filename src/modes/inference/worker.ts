/**
 * Piscina worker entry for the inference mode (run on the pool's warm threads through
 * `pool.run(task, { filename })`).
 *
 * 'inference-fit' trains the model once on one worker and returns its weights. 'inference-serve'
 * turns a worker into a server for the whole cell: it loads those weights, then takes requests from
 * a queue in shared memory (see RequestQueue in inference.ts for the layout) until told to stop.
 * Each request is a prediction on `batchSize` held-out rows read straight from the shared dataset.
 * A queue in shared memory rather than one piscina task per request: exactly the cell's w workers
 * serve (the pool may be wider), and piscina's per-task messaging does not blur the latency.
 */
import { threadId } from 'node:worker_threads';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend, type Tf } from '../../backends/index.js';
import { buildModel } from '../../models/build.js';
import { describeModel } from '../../models/flops.js';
import { prepareData } from '../../models/data.js';
import { trainAndEvaluate } from '../../models/train.js';
import { viewTable } from '../../data/table.js';
import { bytesChecksum } from '../../data/checksum.js';
import { abortBarrier, arriveAndWait, type BarrierBuffer } from '../../measure/barrier.js';
import { faultFor, injectFault } from '../../measure/faults.js';
import { taskHandler } from '../../measure/dispatch.js';
import { publishThisHeap } from '../../measure/wasm-heap.js';
import { QUEUE, queueViews, recordServeError, requestRows } from './queue.js';
import type { BackendChoice, DatasetSpec, ModelInfo, Quality } from '../../results/schema.js';

interface BackendRequest {
  backend: BackendChoice;
  stockKernels: boolean;
  threads: number;
  /** Module of a custom model (`custom:<file>`), from the plan; absent for built-in models. */
  modelPath?: string;
}

interface DataRequest {
  spec: DatasetSpec;
  /** The data table's one buffer (x then y); shared, not copied. */
  buffer: SharedArrayBuffer;
  nTrain: number;
  nTest: number;
}

export interface FitTask extends BackendRequest, DataRequest {
  kind: 'inference-fit';
  model: string;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
}

export interface FitReply {
  kind: 'inference-fit';
  model: ModelInfo;
  initialWeightsChecksum: string;
  /** Every weight of the trained model, flattened in getWeights() order. */
  weights: Float32Array;
  shapes: number[][];
  quality: Quality;
  finalLoss: number;
  trainMs: number;
  threads: number;
}

export interface ServeTask extends BackendRequest, DataRequest {
  kind: 'inference-serve';
  cellId: string;
  model: string;
  seed: number;
  weights: Float32Array;
  shapes: number[][];
  /** Rows per request. */
  batchSize: number;
  /** The request queue (inference-queue.ts layout). */
  queue: SharedArrayBuffer;
  rank: number;
  parties: number;
  /** All servers meet here after their warm-up prediction, so the first level starts with every worker ready. */
  start: BarrierBuffer;
  /** Bounds the wait at the start line. */
  timeoutMs: number;
}

export interface ServeReply {
  kind: 'inference-serve';
  rank: number;
  threadId: number;
  /** Requests this worker answered (failed ones included). */
  served: number;
  peakTensorBytes: number;
  rssAfterBytes: number;
  threads: number;
}

export type InferenceWorkerTask = FitTask | ServeTask;
export type InferenceWorkerReply = FitReply | ServeReply;

/** Sleep slice while the queue is empty, so STOP and ABORTED are seen even if a notify is missed. */
const IDLE_WAIT_MS = 20;


async function fit(task: FitTask): Promise<FitReply> {
  const { tf, info } = await initBackend(task.backend, { stockKernels: task.stockKernels, threads: task.threads });
  const table = viewTable(task.buffer, task.nTrain + task.nTest, task.spec.features);
  const data = prepareData(tf, { x: table.x, y: table.y, nTrain: task.nTrain, nTest: task.nTest, spec: task.spec });
  const model = await buildModel(tf, task.model, task.spec, task.seed, task.modelPath);
  try {
    const initial = model.getWeights().map((w) => w.dataSync() as Float32Array);
    const outcome = await trainAndEvaluate(tf, model, data, {
      epochs: task.epochs,
      batchSize: task.batchSize,
      learningRate: task.learningRate,
      seed: task.seed,
    });
    const trained = model.getWeights();
    const shapes = trained.map((w) => [...w.shape]);
    const weights = new Float32Array(trained.reduce((sum, w) => sum + w.size, 0));
    let offset = 0;
    for (const w of trained) {
      weights.set(w.dataSync() as Float32Array, offset);
      offset += w.size;
    }
    return {
      kind: 'inference-fit',
      model: describeModel(model, task.model),
      initialWeightsChecksum: bytesChecksum(initial),
      weights,
      shapes,
      quality: outcome.quality,
      finalLoss: outcome.finalLoss,
      trainMs: outcome.trainMs,
      threads: info.threads,
    };
  } finally {
    model.dispose();
    // The training rows are not needed to serve: keep this worker's memory like its peers'.
    data.dispose();
  }
}

function loadWeights(tf: Tf, model: LayersModel, weights: Float32Array, shapes: number[][]): void {
  let offset = 0;
  const tensors = shapes.map((shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const tensor = tf.tensor(weights.slice(offset, offset + size), shape);
    offset += size;
    return tensor;
  });
  if (offset !== weights.length) throw new Error(`the trained weights hold ${weights.length} values but the model's shapes need ${offset}`);
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

function serve(task: ServeTask, tf: Tf, model: LayersModel): number {
  const q = queueViews(task.queue);
  const f = task.spec.features;
  const table = viewTable(task.buffer, task.nTrain + task.nTest, f);
  const input = new Float32Array(task.batchSize * f);
  let served = 0;
  const predict = (id: number): void => {
    requestRows(table.x, f, task.nTrain, task.nTest, task.batchSize, id, input);
    const out = tf.tidy(() => model.predict(tf.tensor2d(input, [task.batchSize, f])) as Tensor);
    try {
      // Reading the predictions back is part of answering the request.
      out.dataSync();
    } finally {
      out.dispose();
    }
  };
  for (;;) {
    if (Atomics.load(q.control, QUEUE.STOP) === 1) return served;
    if (Atomics.load(q.control, QUEUE.ABORTED) === 1) throw new Error('the inference cell was stopped');
    const tail = Atomics.load(q.control, QUEUE.TAIL);
    const head = Atomics.load(q.control, QUEUE.HEAD);
    if (head >= tail) {
      Atomics.wait(q.control, QUEUE.TAIL, tail, IDLE_WAIT_MS);
      continue;
    }
    if (Atomics.compareExchange(q.control, QUEUE.HEAD, head, head + 1) !== head) continue;
    let ok = true;
    // Requests the load generator gave up on (a finished level) are answered as failed, unserved.
    if (head < Atomics.load(q.control, QUEUE.CANCEL_BELOW)) ok = false;
    else {
      try {
        predict(head);
      } catch (error) {
        ok = false;
        recordServeError(task.queue, `a server failed a prediction: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    served++;
    Atomics.store(q.state, head % q.capacity, ok ? head + 1 : -(head + 1));
    Atomics.add(q.control, QUEUE.COMPLETED, 1);
    Atomics.notify(q.control, QUEUE.COMPLETED);
  }
}

async function runServer(task: ServeTask): Promise<ServeReply> {
  const { tf, info } = await initBackend(task.backend, { stockKernels: task.stockKernels, threads: task.threads });
  const model = await buildModel(tf, task.model, task.spec, task.seed, task.modelPath);
  try {
    loadWeights(tf, model, task.weights, task.shapes);
    const q = queueViews(task.queue);
    // One untimed prediction compiles the kernels before the first request is timed.
    const table = viewTable(task.buffer, task.nTrain + task.nTest, task.spec.features);
    const warm = new Float32Array(task.batchSize * task.spec.features);
    requestRows(table.x, task.spec.features, task.nTrain, task.nTest, task.batchSize, 0, warm);
    tf.tidy(() => (model.predict(tf.tensor2d(warm, [task.batchSize, task.spec.features])) as Tensor).dataSync());
    const peakTensorBytes = tf.memory().numBytes;
    q.tensorBytes[task.rank] = peakTensorBytes;
    // A server's task lasts the whole cell: publish its heap now, after the warm-up grew it.
    publishThisHeap();
    arriveAndWait(task.start, task.parties, task.timeoutMs);
    Atomics.add(q.control, QUEUE.READY, 1);
    Atomics.notify(q.control, QUEUE.READY);
    // Reliability tests (SCALE_BENCH_FAULTS): the last server fails once serving has begun.
    const fault = task.rank === task.parties - 1 ? faultFor(task.cellId) : undefined;
    if (fault) injectFault(fault, task.cellId);
    const served = serve(task, tf, model);
    return {
      kind: 'inference-serve',
      rank: task.rank,
      threadId,
      served,
      peakTensorBytes,
      rssAfterBytes: process.memoryUsage.rss(),
      threads: info.threads,
    };
  } catch (error) {
    abortBarrier(task.start);
    throw error;
  } finally {
    model.dispose();
  }
}

export default taskHandler<InferenceWorkerTask, InferenceWorkerReply>({ 'inference-fit': fit, 'inference-serve': runServer });
