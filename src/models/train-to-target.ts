/**
 * Training to a target quality (MLPerf's time-to-train) or to convergence: the lean loop of train.ts,
 * evaluating the held-out metric every --eval-every epochs and stopping by the rules of schedule.ts.
 * Training time is the loop's time between evaluations; evaluation is timed apart and reported
 * beside it, so time-to-target is comparable across evaluation frequencies.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Scalar } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import type { ConvergenceSettings, Quality } from '../results/schema.js';
import { epochPermutations, type Batch, type PreparedData } from './data.js';
import { makeStepper } from './stepper.js';
import { evaluateQuality } from './quality.js';
import { EvaluationSchedule, type ConvergenceRecord } from './schedule.js';
import { TrainingDivergedError, type TrainOutcome } from './train.js';

export interface TrainToTargetConfig {
  batchSize: number;
  learningRate: number;
  /** Seeds the batch order (the model's initial weights come from the same seed, at build time). */
  seed: number;
  convergence: Pick<ConvergenceSettings, 'evalEvery' | 'maxEpochs' | 'patience'>;
  /** The held-out quality to reach; absent: train until --patience or --max-epochs stops it. */
  target?: Quality;
  /** Called the moment training stops, before the last bookkeeping, with the training time so far (the runner reads process CPU time there). */
  onTrainEnd?: (trainMs: number) => void;
  /** Tensor bytes one step adds at its peak, profiled untimed beforehand (train.ts profileStep); absent: not known. */
  stepGrowthBytes?: number;
}

export interface TrainToTargetOutcome extends TrainOutcome {
  convergence: ConvergenceRecord;
  steps: number;
}

export async function trainToTarget(tf: Tf, model: LayersModel, data: PreparedData, cfg: TrainToTargetConfig): Promise<TrainToTargetOutcome> {
  if (!(cfg.learningRate > 0) || !Number.isFinite(cfg.learningRate)) {
    throw new RangeError(`learning rate must be a positive number, got ${String(cfg.learningRate)}: check --learning-rate`);
  }
  const batches = data.batches(cfg.batchSize);
  // The same step as a fixed-budget trial (the fused dense step where the model allows it), so time to target measures the same training.
  const optimizer = makeStepper(tf, model, data.spec, { learningRate: cfg.learningRate });
  const schedule = new EvaluationSchedule(batches.length, cfg.convergence, cfg.target);
  const nextEpoch = epochPermutations(batches.length, cfg.seed);
  const startBytes = tf.memory().numBytes;
  let peakTensorBytes = startBytes + (cfg.stepGrowthBytes ?? optimizer.hiddenBytes(cfg.batchSize));
  let trainMs = 0;
  let samples = 0;
  let steps = 0;
  let finalLoss = Number.NaN;
  let quality: Quality | undefined;
  try {
    let order: number[] = [];
    let position = 0;
    let stop = false;
    while (!stop) {
      if (position === order.length) {
        order = nextEpoch();
        position = 0;
      }
      const batch = batches[order[position++] as number] as Batch;
      const evaluating = schedule.evaluatesAfter(steps + 1);
      // Every step is timed: tf.profile (which syncs every kernel) ran before the trial, in profileStep.
      const started = performance.now();
      const cost: Scalar | null = optimizer.step(batch, evaluating);
      if (evaluating && cost) finalLoss = (await cost.data())[0] as number;
      trainMs += performance.now() - started;
      cost?.dispose();
      samples += batch.rows;
      steps++;
      if (!evaluating) continue;
      if (!Number.isFinite(finalLoss)) {
        throw new TrainingDivergedError(`training diverged: the loss is ${String(finalLoss)} after ${steps} steps; lower --learning-rate (now ${cfg.learningRate})`);
      }
      const evalStarted = performance.now();
      quality = await evaluateQuality(tf, model, data);
      peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
      stop = schedule.record(steps, trainMs, quality.value, performance.now() - evalStarted);
    }
    cfg.onTrainEnd?.(trainMs);
    const convergence = schedule.result();
    return { trainMs, samples, finalLoss, quality: quality as Quality, peakTensorBytes, convergence, steps };
  } finally {
    optimizer.dispose();
  }
}
