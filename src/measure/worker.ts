/**
 * Worker-thread entry run by piscina. Keeps the backend and the prepared dataset tensors warm between
 * tasks, so a cell pays neither backend initialisation nor dataset upload per trial.
 */
import { cpuNowUs, nowEpochMs } from './clock.js';
import { threadId } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { initBackend, type Tf } from '../backends/index.js';
import { calibratePeakFlops } from '../backends/calibrate.js';
import { BUILTIN_MODELS } from '../models/catalog.js';
import { buildCustomModel } from '../models/custom.js';
import { describeModel } from '../models/flops.js';
import { prepareData, trainAndEvaluate, type PreparedData } from '../models/train.js';
import { arriveAndWait } from './barrier.js';
import { viewTable } from '../data/table.js';
import { faultFor, injectFault } from './faults.js';
import { weightsChecksum } from '../checksum.js';
import type { CalibrateReply, InitReply, InitTask, TrainReply, TrainTask, WorkerReply, WorkerTask } from './protocol.js';

interface BackendRequest {
  backend: InitTask['backend'];
  stockKernels: boolean;
  threads: number;
}

let prepared: { key: string; data: PreparedData } | undefined;



async function backendFor(request: BackendRequest) {
  return initBackend(request.backend, { stockKernels: request.stockKernels, threads: request.threads });
}

async function runInit(task: InitTask): Promise<InitReply> {
  const started = performance.now();
  const { info } = await backendFor(task);
  const initMs = performance.now() - started;
  arriveAndWait(task.barrier, task.parties, task.barrierTimeoutMs);
  return { kind: 'init', threadId, initMs, backend: info };
}

function preparedFor(tf: Tf, task: TrainTask): PreparedData {
  if (prepared?.key === task.dataKey) return prepared.data;
  prepared?.data.dispose();
  const table = viewTable(task.buffer, task.nTrain + task.nTest, task.spec.features);
  const data = prepareData(tf, {
    x: table.x,
    y: table.y,
    nTrain: task.nTrain,
    nTest: task.nTest,
    spec: task.spec,
  });
  prepared = { key: task.dataKey, data };
  return data;
}

async function runTrain(task: TrainTask): Promise<TrainReply> {
  const { tf } = await backendFor(task);
  const data = preparedFor(tf, task);
  const definition = BUILTIN_MODELS[task.model as keyof typeof BUILTIN_MODELS];
  if (!definition && task.modelPath === undefined) throw new Error(`unknown model "${task.model}"`);
  const model = task.modelPath !== undefined ? await buildCustomModel(tf, task.modelPath, task.spec, task.seed) : definition!.build(tf, task.spec, task.seed);
  try {
    const info = describeModel(model, task.model);
    const initialWeightsChecksum = weightsChecksum(model);
    const fault = faultFor(task.cellId);
    if (fault) injectFault(fault, task.cellId);
    arriveAndWait(task.barrier, task.parties, task.barrierTimeoutMs);
    const startedAtMs = nowEpochMs();
    const cpuAtStartUs = cpuNowUs();
    let cpuAtEndUs = cpuAtStartUs;
    let rssAfterBytes = 0;
    const outcome = await trainAndEvaluate(tf, model, data, {
      epochs: task.epochs,
      batchSize: task.batchSize,
      learningRate: task.learningRate,
      seed: task.seed,
      ...(task.maxSamples !== undefined ? { maxSamples: task.maxSamples } : {}),
      onTrainEnd: () => {
        cpuAtEndUs = cpuNowUs();
        rssAfterBytes = process.memoryUsage.rss();
      },
    });
    // trainMs excludes evaluation; place the end stamp at the end of training, not of evaluation.
    const finishedAtMs = startedAtMs + outcome.trainMs;
    return {
      kind: 'train',
      threadId,
      model: info,
      initialWeightsChecksum,
      startedAtMs,
      finishedAtMs,
      trainMs: outcome.trainMs,
      samples: outcome.samples,
      finalLoss: outcome.finalLoss,
      quality: outcome.quality,
      peakTensorBytes: outcome.peakTensorBytes,
      cpuAtStartUs,
      cpuAtEndUs,
      rssAfterBytes,
    };
  } finally {
    model.dispose();
  }
}


async function runCalibrate(task: BackendRequest): Promise<CalibrateReply> {
  const { tf } = await backendFor(task);
  return { kind: 'calibrate', peakFlopsPerSec: await calibratePeakFlops(tf) };
}

export default async function handle(task: WorkerTask): Promise<WorkerReply> {
  switch (task.kind) {
    case 'init':
      return runInit(task);
    case 'calibrate':
      return runCalibrate(task);
    case 'train':
      return runTrain(task);
  }
}
