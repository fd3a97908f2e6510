/**
 * Piscina worker entry for data-parallel training (run on the pool's warm threads through
 * `pool.run(task, { filename })`). Each of w ranks trains the same seeded model on its shard of
 * every global batch, the ranks sum their row-weighted gradients through shared memory
 * (src/measure/allreduce.ts), and every rank applies the same Adam update, so the replicas stay equal.
 *
 * Memory: the dataset is one SharedArrayBuffer in the process; a rank uploads only its own shard
 * rows to its backend, so all ranks together hold the training rows once, whatever the width.
 */
import { cpuNowUs, nowEpochMs } from '../../measure/clock.js';
import { threadId } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { NamedTensorMap, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend, type Tf } from '../../backends/index.js';
import { buildModel } from '../../models/build.js';
import { describeModel } from '../../models/flops.js';
import { GroupedAdam } from '../../models/adam.js';
import { batchOrder, prepareData, targetStats, type Batch, type PreparedData } from '../../models/data.js';
import { evaluateQuality } from '../../models/quality.js';
import { makeLoss } from '../../models/loss.js';
import { TrainingDivergedError } from '../../models/train.js';
import { viewTable } from '../../data/table.js';
import { weightsChecksum } from '../../models/checksum.js';
import { abortBarrier, arriveAndWait, type BarrierBuffer } from '../../measure/barrier.js';
import { faultFor, injectFault } from '../../measure/faults.js';
import { taskHandler } from '../../measure/dispatch.js';
import type { TimedReply } from '../../measure/trial-timing.js';
import { abortExchange, SharedAllreduce, sliceOf, type ReduceStrategy } from '../../measure/allreduce.js';
import type { BackendChoice, ConvergenceSettings, DatasetSpec, ModelInfo, Quality } from '../../results/schema.js';
import type { ConvergenceRecord } from '../../models/schedule.js';
import { StopControl } from './stop-control.js';

interface BackendRequest {
  backend: BackendChoice;
  stockKernels: boolean;
  threads: number;
  /** Module of a custom model (`custom:<file>`), from the plan; absent for built-in models. */
  modelPath?: string;
}

/** Builds the model once to learn its size: the main thread sizes the exchange buffer from it. */
export interface DescribeTask extends BackendRequest {
  kind: 'dp-describe';
  model: string;
  spec: DatasetSpec;
  seed: number;
}

export interface DescribeReply {
  kind: 'dp-describe';
  model: ModelInfo;
  /** Trainable float32 values, in the order the ranks exchange them. */
  trainableValues: number;
  initialWeightsChecksum: string;
  /** Backend compute threads of this worker. */
  threads: number;
}

export interface DataParallelTask extends BackendRequest {
  kind: 'dp-train';
  cellId: string;
  model: string;
  spec: DatasetSpec;
  /** Identifies the table's contents, so a rank keeps its shard tensors between trials. */
  dataKey: string;
  /** The data table's one buffer (x then y); shared, not copied. */
  buffer: SharedArrayBuffer;
  nTrain: number;
  nTest: number;
  seed: number;
  epochs: number;
  /** Rows per step over all ranks together. */
  globalBatch: number;
  learningRate: number;
  /** Warm-ups stop after this many rows (whole global batches, at least one step). */
  maxSamples?: number;
  rank: number;
  parties: number;
  /** One-shot start line (src/measure/barrier.ts). */
  start: BarrierBuffer;
  /** Exchange buffer for `parties` x `exchangeLength` float32 values. */
  exchange: SharedArrayBuffer;
  /** Trainable values + 1 (the last value carries the loss). */
  exchangeLength: number;
  strategy: ReduceStrategy;
  /** Busy-poll at barriers (every rank has a core of its own). */
  spin: boolean;
  /** Any barrier not reached by every rank within this many milliseconds fails the trial. */
  timeoutMs: number;
  /** Tests only: this rank throws at this step, to prove the others are released. */
  failAtStep?: number;
  /** Train to a target or to convergence instead of for `epochs` (plan.convergence); absent in warm-ups. */
  convergence?: Pick<ConvergenceSettings, 'evalEvery' | 'maxEpochs' | 'patience'>;
  /** The held-out quality this model's task is trained to, with `convergence`. */
  target?: Quality;
  /** One-value exchange through which rank 0 tells every rank to stop, with `convergence`. */
  stopExchange?: SharedArrayBuffer;
}

export interface DataParallelReply extends TimedReply {
  kind: 'dp-train';
  rank: number;
  threadId: number;
  model: ModelInfo;
  initialWeightsChecksum: string;
  trainMs: number;
  /** Optimizer steps taken (equal on every rank). */
  steps: number;
  /** Rows of the global batches trained on (all ranks together). */
  samples: number;
  /** Rows this rank computed gradients on. */
  shardSamples: number;
  /** Milliseconds in forward/backward, gradient read-back and the Adam update, summed over steps. */
  computeMs: number;
  /** Milliseconds from writing this rank's gradients to holding the sum (waiting for peers included), summed over steps. */
  exchangeMs: number;
  /** Loss of the last global batch (row-weighted over ranks). */
  finalLoss: number;
  /** Held-out quality; rank 0 only (the replicas are equal, see replicaMaxDiff). */
  quality?: Quality;
  /** Largest |weight(rank r) - weight(rank 0)| after training; rank 0 only. */
  replicaMaxDiff?: number;
  /** When trained to a target: when it got there, how long it trained and evaluated; rank 0 only. */
  convergence?: ConvergenceRecord;
  threads: number;
}

export type DataParallelWorkerTask = DescribeTask | DataParallelTask;
export type DataParallelWorkerReply = DescribeReply | DataParallelReply;

function trainableVariables(model: LayersModel): Variable[] {
  return model.trainableWeights.map((w) => w.read() as Variable);
}

/** Rows [start, end) of every global batch of `globalBatch` rows over `nTrain` rows. */
export function globalBatches(nTrain: number, globalBatch: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; start < nTrain; start += globalBatch) out.push([start, Math.min(start + globalBatch, nTrain)]);
  return out;
}

/** The rows of one global batch that `rank` of `parties` computes on: a contiguous, near-equal share. */
export function shardOf(batch: readonly [number, number], parties: number, rank: number): [number, number] {
  const [start, end] = batch;
  const [from, to] = sliceOf(end - start, parties, rank);
  return [start + from, start + to];
}

/** This rank's shards of every global batch, on the backend; null where its share of a batch is empty. */
interface Shards {
  key: string;
  batches: Array<Batch | null>;
  /** Rows of each global batch (all ranks). */
  globalRows: number[];
  dispose(): void;
}

let shardCache: Shards | undefined;
let heldOutCache: { key: string; data: PreparedData } | undefined;

function shardsFor(tf: Tf, task: DataParallelTask): Shards {
  const key = `${task.dataKey}|${task.nTrain}|${task.globalBatch}|${task.rank}/${task.parties}`;
  if (shardCache?.key === key) return shardCache;
  shardCache?.dispose();
  shardCache = undefined;
  const { spec, nTrain } = task;
  const f = spec.features;
  const table = viewTable(task.buffer, nTrain + task.nTest, f);
  const classification = spec.task === 'classification';
  // Every rank standardises with the statistics of all training rows, as single-worker training does.
  const scale = classification ? { mean: 0, sd: 1 } : targetStats(table.y, 0, nTrain);
  const ranges = globalBatches(nTrain, task.globalBatch);
  const batches = ranges.map((range): Batch | null => {
    const [start, end] = shardOf(range, task.parties, task.rank);
    const rows = end - start;
    if (rows === 0) return null;
    // slice(): the cpu backend keeps the arrays it is given, and these are views on shared memory.
    const x = tf.tensor2d(table.x.slice(start * f, end * f), [rows, f]);
    let y: Tensor;
    if (classification) {
      const labels = new Float32Array(rows * spec.classes);
      for (let i = 0; i < rows; i++) labels[i * spec.classes + (table.y[start + i] as number)] = 1;
      y = tf.tensor2d(labels, [rows, spec.classes]);
    } else {
      const targets = new Float32Array(rows);
      for (let i = 0; i < rows; i++) targets[i] = ((table.y[start + i] as number) - scale.mean) / scale.sd;
      y = tf.tensor2d(targets, [rows, 1]);
    }
    return { x, y, rows };
  });
  shardCache = {
    key,
    batches,
    globalRows: ranges.map(([start, end]) => end - start),
    dispose: () => {
      for (const batch of batches) if (batch) tf.dispose([batch.x, batch.y]);
    },
  };
  return shardCache;
}

/** Held-out rows for rank 0's quality metric (prepareData uploads only them until batches() is asked for). */
function heldOutFor(tf: Tf, task: DataParallelTask): PreparedData {
  const key = `${task.dataKey}|${task.nTrain}|${task.nTest}`;
  if (heldOutCache?.key === key) return heldOutCache.data;
  heldOutCache?.data.dispose();
  const table = viewTable(task.buffer, task.nTrain + task.nTest, task.spec.features);
  const data = prepareData(tf, { x: table.x, y: table.y, nTrain: task.nTrain, nTest: task.nTest, spec: task.spec });
  heldOutCache = { key, data };
  return data;
}

async function describe(task: DescribeTask): Promise<DescribeReply> {
  const { tf, info } = await initBackend(task.backend, { stockKernels: task.stockKernels, threads: task.threads });
  const model = await buildModel(tf, task.model, task.spec, task.seed, task.modelPath);
  try {
    return {
      kind: 'dp-describe',
      model: describeModel(model, task.model),
      trainableValues: trainableVariables(model).reduce((sum, v) => sum + v.size, 0),
      initialWeightsChecksum: weightsChecksum(model),
      threads: info.threads,
    };
  } finally {
    model.dispose();
  }
}

async function train(task: DataParallelTask): Promise<DataParallelReply> {
  const { tf, info } = await initBackend(task.backend, { stockKernels: task.stockKernels, threads: task.threads });
  const shards = shardsFor(tf, task);
  const heldOut = task.rank === 0 ? heldOutFor(tf, task) : undefined;
  const model = await buildModel(tf, task.model, task.spec, task.seed, task.modelPath);
  const variables = trainableVariables(model);
  const sizes = variables.map((v) => v.size);
  const values = sizes.reduce((a, b) => a + b, 0);
  if (values + 1 !== task.exchangeLength) {
    model.dispose();
    throw new Error(`rank ${task.rank}: model "${task.model}" has ${values} trainable values but the exchange holds ${task.exchangeLength - 1}`);
  }
  const optimizer = new GroupedAdam(tf, variables, { learningRate: task.learningRate });
  try {
    const modelInfo = describeModel(model, task.model);
    const initialWeightsChecksum = weightsChecksum(model);
    const loss = makeLoss(tf, model, task.spec, { fast: true });
    const exchange = new SharedAllreduce(task.exchange, task.parties, task.exchangeLength, task.rank, {
      strategy: task.strategy,
      timeoutMs: task.timeoutMs,
      spin: task.spin,
    });
    const control =
      task.convergence && task.stopExchange
        ? new StopControl(tf, model, heldOut, shards.batches.length, task.convergence, task.target, task.stopExchange, task.parties, task.rank, {
            strategy: 'replicated',
            timeoutMs: task.timeoutMs,
            spin: task.spin,
          })
        : undefined;
    const order = batchOrder(shards.batches.length, control ? control.epochs : task.epochs, task.seed);
    const budget = task.maxSamples ?? Infinity;
    const lossSlot = values;

    // Reliability tests (SCALE_BENCH_FAULTS): the last rank fails, so its peers are left waiting at the exchange.
    const fault = task.rank === task.parties - 1 ? faultFor(task.cellId) : undefined;
    arriveAndWait(task.start, task.parties, task.timeoutMs);
    if (fault) injectFault(fault, task.cellId);
    const startedAtMs = nowEpochMs();
    const cpuAtStartUs = cpuNowUs();
    const started = performance.now();
    let computeMs = 0;
    let exchangeMs = 0;
    let samples = 0;
    let shardSamples = 0;
    let steps = 0;
    let finalLoss = Number.NaN;
    let peakTensorBytes = tf.memory().numBytes;
    for (let i = 0; i < order.length; i++) {
      const index = order[i] as number;
      const globalRows = shards.globalRows[index] as number;
      const shard = shards.batches[index] ?? null;
      const last = i === order.length - 1 || samples + globalRows >= budget;
      const evaluating = control?.evaluatesAfter(steps + 1) ?? false;
      if (task.failAtStep === steps) throw new Error(`injected failure of rank ${task.rank} at step ${steps}`);
      const t0 = performance.now();
      const input = exchange.input;
      if (shard) {
        // Row-weighted: the sum over ranks is then exactly the gradient of the mean loss over the global batch.
        const weight = shard.rows / globalRows;
        const { value, grads } = tf.variableGrads(() => loss(shard, last), variables);
        const flat = tf.tidy(() => tf.concat(variables.map((v) => {
          const g = grads[v.name];
          return g ? tf.reshape(g, [-1]) : tf.zeros([v.size]);
        })));
        const data = flat.dataSync();
        for (let j = 0; j < values; j++) input[j] = (data[j] as number) * weight;
        input[lossSlot] = last || evaluating ? ((value.dataSync()[0] as number) * weight) : 0;
        peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
        tf.dispose([flat, value, ...Object.values(grads)]);
        shardSamples += shard.rows;
      } else {
        input.fill(0);
      }
      const t1 = performance.now();
      const sum = exchange.allreduce();
      const t2 = performance.now();
      if (last || evaluating) finalLoss = sum[lossSlot] as number;
      tf.tidy(() => {
        // One upload per variable straight from the summed values: splitting one flat tensor instead
        // measured twice as slow for mlp-deep (wasm's slice copies its whole input per slice).
        // slice(), not subarray(): the sum is rewritten by the next exchange, and the cpu backend keeps arrays it is given.
        const named: NamedTensorMap = {};
        let offset = 0;
        variables.forEach((v, k) => {
          const size = sizes[k] as number;
          named[v.name] = tf.tensor(sum.slice(offset, offset + size), v.shape);
          offset += size;
        });
        optimizer.applyGradients(named);
      });
      const t3 = performance.now();
      computeMs += t1 - t0 + (t3 - t2);
      exchangeMs += t2 - t1;
      samples += globalRows;
      steps++;
      if (evaluating && control && (await control.evaluate(steps, performance.now() - started))) break;
      if (last) break;
    }
    // Evaluation (and waiting for rank 0's) is timed apart from training.
    const trainMs = performance.now() - started - (control?.evalWindowMs ?? 0);
    const finishedAtMs = startedAtMs + trainMs;
    const cpuAtEndUs = cpuNowUs();
    if (!Number.isFinite(finalLoss)) {
      throw new TrainingDivergedError(
        `training diverged: the loss is ${String(finalLoss)} after ${steps} steps; lower --learning-rate (now ${task.learningRate})`,
      );
    }
    const flatWeights = tf.tidy(() => tf.concat(variables.map((v) => tf.reshape(v, [-1]))));
    const weights = flatWeights.dataSync() as Float32Array;
    flatWeights.dispose();
    const replicaMaxDiff = exchange.maxDifferenceFromRankZero(weights);
    const quality = control?.quality ?? (heldOut ? await evaluateQuality(tf, model, heldOut) : undefined);
    const convergence = control?.result();
    return {
      kind: 'dp-train',
      rank: task.rank,
      threadId,
      model: modelInfo,
      initialWeightsChecksum,
      startedAtMs,
      finishedAtMs,
      trainMs,
      steps,
      samples,
      shardSamples,
      computeMs,
      exchangeMs,
      finalLoss,
      ...(quality ? { quality } : {}),
      ...(convergence ? { convergence } : {}),
      ...(replicaMaxDiff !== null ? { replicaMaxDiff } : {}),
      peakTensorBytes,
      cpuAtStartUs,
      cpuAtEndUs,
      rssAfterBytes: process.memoryUsage.rss(),
      threads: info.threads,
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

async function trainReleasingPeers(task: DataParallelTask): Promise<DataParallelReply> {
  try {
    return await train(task);
  } catch (error) {
    // Release the other ranks at once instead of letting them wait out their deadline.
    abortExchange(task.exchange);
    if (task.stopExchange) abortExchange(task.stopExchange);
    abortBarrier(task.start);
    throw error;
  }
}

export default taskHandler<DataParallelWorkerTask, DataParallelWorkerReply>({ 'dp-describe': describe, 'dp-train': trainReleasingPeers });

