/**
 * Worker module of the job-parallel mode: each of the cell's w tasks trains its own replica on the
 * shared dataset. Keeps the prepared dataset tensors warm between tasks, so a cell pays the upload once.
 */
import { threadId } from 'node:worker_threads';
import { initBackend, type Tf } from '../../backends/index.js';
import { buildModel } from '../../models/build.js';
import { describeModel } from '../../models/flops.js';
import { prepareData, type PreparedData } from '../../models/data.js';
import { profileStep, trainAndEvaluate, type TrainConfig } from '../../models/train.js';
import { trainToTarget, type TrainToTargetOutcome } from '../../models/train-to-target.js';
import { weightsChecksum } from '../../models/checksum.js';
import { viewTable } from '../../data/table.js';
import { arriveAndWait } from '../../measure/barrier.js';
import { cpuNowUs, nowEpochMs } from '../../measure/clock.js';
import { faultFor, injectFault, injectSlowdown, slowdownFor } from '../../measure/faults.js';
import { publishThisHeap } from '../../measure/wasm-heap.js';
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
    const config: TrainConfig = {
      epochs: task.epochs,
      batchSize: task.batchSize,
      learningRate: task.learningRate,
      seed: task.seed,
      ...(task.maxSamples !== undefined ? { maxSamples: task.maxSamples } : {}),
    };
    // The first trial of an architecture profiles one step (slow: it syncs every kernel) here, before
    // the start line, so the w replicas still start together and no timed trial contains it.
    const stepGrowthBytes = await profileStep(tf, model, data, config);
    arriveAndWait(task.barrier, task.parties, task.barrierTimeoutMs);
    let startedAtMs = nowEpochMs();
    let cpuAtStartUs = cpuNowUs();
    let cpuAtEndUs = cpuAtStartUs;
    let rssAfterBytes = 0;
    const onTrainStart = (): void => {
      startedAtMs = nowEpochMs();
      cpuAtStartUs = cpuNowUs();
    };
    let slowedMs = 0;
    const onTrainEnd = (trainedMs: number): void => {
      // An injected slowdown (SCALE_BENCH_FAULTS 'slow') spins here, inside the timed phase and before the CPU
      // clock is read, so it costs CPU time as well as wall time on every worker, as slower code would (the
      // gate's CPU share tells the two apart), and the evaluation that follows stays outside the window.
      slowedMs = injectSlowdown(slowdownFor(task.cellId), trainedMs);
      cpuAtEndUs = cpuNowUs();
      rssAfterBytes = process.memoryUsage.rss();
    };
    const outcome = task.convergence
      ? await trainToTarget(tf, model, data, {
          batchSize: task.batchSize,
          learningRate: task.learningRate,
          seed: task.seed,
          convergence: task.convergence,
          ...(task.target ? { target: task.target } : {}),
          ...(stepGrowthBytes !== undefined ? { stepGrowthBytes } : {}),
          onTrainEnd,
        })
      : await trainAndEvaluate(tf, model, data, { ...config, onTrainStart, onTrainEnd });
    const trainMs = outcome.trainMs + slowedMs;
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
      ...('convergence' in outcome ? { convergence: (outcome as TrainToTargetOutcome).convergence } : {}),
      cpuAtStartUs,
      cpuAtEndUs,
      rssAfterBytes,
    };
  } finally {
    model.dispose();
    publishThisHeap();
  }
}
