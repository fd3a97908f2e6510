/**
 * Worker module of the job-parallel mode: each of the cell's w tasks trains its own replica on the
 * shared dataset. Keeps the prepared dataset tensors warm between tasks, so a cell pays the upload once.
 */
import { threadId } from 'node:worker_threads';
import { initBackend, type Tf } from '../../backends/index.js';
import { buildModel } from '../../models/build.js';
import { describeModel } from '../../models/flops.js';
import { prepareData, type PreparedData } from '../../models/data.js';
import { trainAndEvaluate } from '../../models/train.js';
import { weightsChecksum } from '../../models/checksum.js';
import { viewTable } from '../../data/table.js';
import { arriveAndWait } from '../../measure/barrier.js';
import { cpuNowUs, nowEpochMs } from '../../measure/clock.js';
import { faultFor, injectFault, injectSlowdown, slowdownFor } from '../../measure/faults.js';
import type { TrainReply, TrainTask } from './protocol.js';

let prepared: { key: string; data: PreparedData } | undefined;

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

export default async function runTrain(task: TrainTask): Promise<TrainReply> {
  const { tf } = await initBackend(task.backend, { stockKernels: task.stockKernels, threads: task.threads });
  const data = preparedFor(tf, task);
  const model = await buildModel(tf, task.model, task.spec, task.seed, task.modelPath);
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
    const trainMs = outcome.trainMs + injectSlowdown(slowdownFor(task.cellId), outcome.trainMs);
    // trainMs excludes evaluation; place the end stamp at the end of training, not of evaluation.
    const finishedAtMs = startedAtMs + trainMs;
    return {
      kind: 'train',
      threadId,
      model: info,
      initialWeightsChecksum,
      startedAtMs,
      finishedAtMs,
      trainMs,
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
