/**
 * A lean training loop for tfjs LayersModels, and held-out evaluation.
 *
 * Why not model.fit: fit reads the loss back to JavaScript every batch, builds callback logs and
 * re-slices the data each epoch; for the small models here that overhead is as large as the
 * compute. This loop keeps the data on the backend as pre-cut batches, runs each step as one
 * gradient computation plus one Adam update (nothing outlives a step: gradients are disposed and
 * every intermediate lives in tfjs's own scopes), and reads the loss once, after the last step.
 * It also launches far fewer kernels per step than the layers' own graph with tf.train.adam
 * (fastpath.ts, adam.ts): measured on this machine (wasm, batch 256, min CPU time per step)
 * mlp-small went from ~1.7 ms to ~1.0 ms per step. Same losses and optimizer maths, so the same
 * quality (test/train.test.ts compares them).
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Scalar } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import type { DatasetSpec, Quality } from '../results/schema.js';
import { batchOrder, type Batch, type PreparedData } from './data.js';
import { evaluateQuality } from './quality.js';
import { makeStepper } from './stepper.js';

export interface TrainConfig {
  /** Passes over the training rows. */
  epochs: number;
  /** Rows per step. */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Seeds the order in which batches are visited in each epoch. */
  seed: number;
  /**
   * Called the moment the timed loop starts, after every untimed preparation (the step profile):
   * the runner reads its clocks there.
   */
  onTrainStart?: () => void;
  /** Called the moment the timed loop ends, before evaluation, with its wall time (the runner reads process CPU time there). */
  onTrainEnd?: (trainMs: number) => void;
  /** Stop after this many samples (a short warm-up); whole batches, at least one step. */
  maxSamples?: number;
  /**
   * Adam implementation: 'flat' (default; GroupedAdam, fewer kernel launches, see adam.ts) or 'tfjs'
   * (tf.train.adam, per variable). Same algorithm; kept selectable for benchmarks and tests.
   */
  optimizer?: 'flat' | 'tfjs';
  /** Use the custom-gradient Dense layers and losses of fastpath.ts (default true). */
  fastPath?: boolean;
  /** Train dense stacks with one fused kernel per step (dense-step.ts; default true where the backend has it). */
  fusedStep?: boolean;
}

export interface TrainOutcome {
  /** Wall time of the training loop, ending with the read-back of the final loss, in ms. */
  trainMs: number;
  /** Samples trained on (all epochs). */
  samples: number;
  /** Training loss of the last step: MSE of the standardised target, or softmax cross-entropy. */
  finalLoss: number;
  /** Held-out R² (regression) or accuracy (classification). */
  quality: Quality;
  /** Peak bytes held by tfjs tensors in this thread during training. */
  peakTensorBytes: number;
}

/** The loss stopped being a finite number: training diverged. */
export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

/**
 * Growth of tensor bytes during one training step, by model architecture and batch size: measured
 * once with tf.profile (which syncs every kernel, so it is slow) in an untimed step outside every
 * timed loop (profileStep), and reused by every trial of the same shape.
 */
const peakGrowthCache = new Map<string, number>();

function peakKey(model: LayersModel, cfg: TrainConfig, spec: DatasetSpec): string {
  const layers = model.layers.map((l) => `${l.getClassName()}:${l.weights.map((w) => w.shape.join('x')).join(',')}`);
  const loop = `${cfg.optimizer ?? 'flat'}|${String(cfg.fastPath ?? true)}|${String(cfg.fusedStep ?? true)}`;
  return `${spec.task}|${spec.features}|${spec.classes}|${cfg.batchSize}|${loop}|${layers.join(';')}`;
}

/**
 * Untimed: the tensor bytes one training step adds (optimizer state it creates, gradients and
 * intermediates at their peak), measured with tf.profile on one full batch with a throw-away
 * optimizer, once per architecture and batch size; the weights are restored afterwards, so the
 * training that follows is exactly what it would have been. Call it outside any timed section
 * (the job-parallel worker calls it before its start line; trainAndEvaluate before its timer).
 * Returns the growth in bytes, or undefined when no batch is full-size.
 */
export async function profileStep(tf: Tf, model: LayersModel, data: PreparedData, cfg: TrainConfig): Promise<number | undefined> {
  const key = peakKey(model, cfg, data.spec);
  const cached = peakGrowthCache.get(key);
  if (cached !== undefined) return cached;
  const batch = data.batches(cfg.batchSize).find((b) => b.rows === cfg.batchSize);
  if (!batch) return undefined;
  // Values copied out to JavaScript, so nothing the step does to a tensor can reach the copy.
  const weights = model.weights.map((w) => {
    const value = w.read();
    return { w, shape: value.shape, dtype: value.dtype, values: value.dataSync().slice() };
  });
  const optimizer = makeStepper(tf, model, data.spec, cfg);
  try {
    const before = tf.memory().numBytes;
    const profile = await tf.profile(() => optimizer.step(batch, false) ?? undefined);
    tf.dispose(profile.result as Scalar | undefined);
    if (!Number.isFinite(profile.peakBytes)) return undefined;
    // A fused step's activations live outside tfjs's accounting.
    const growth = Math.max(0, profile.peakBytes - before) + optimizer.hiddenBytes(cfg.batchSize);
    peakGrowthCache.set(key, growth);
    return growth;
  } finally {
    optimizer.dispose();
    for (const { w, shape, dtype, values } of weights) {
      const restored = tf.tensor(values, shape, dtype);
      w.write(restored);
      restored.dispose();
    }
  }
}

/** Trains `model` in place with Adam, then measures held-out quality. The caller disposes the model. */
export async function trainAndEvaluate(tf: Tf, model: LayersModel, data: PreparedData, cfg: TrainConfig): Promise<TrainOutcome> {
  if (!Number.isInteger(cfg.epochs) || cfg.epochs < 1) {
    throw new RangeError(`epochs must be a whole number >= 1, got ${String(cfg.epochs)}: check --epochs`);
  }
  if (!(cfg.learningRate > 0) || !Number.isFinite(cfg.learningRate)) {
    throw new RangeError(`learning rate must be a positive number, got ${String(cfg.learningRate)}: check --learning-rate`);
  }
  // Before the optimizer and the clock: profiling is never part of a timed trial.
  const growth = await profileStep(tf, model, data, cfg);
  const batches = data.batches(cfg.batchSize);
  const order = batchOrder(batches.length, cfg.epochs, cfg.seed);
  const budget = cfg.maxSamples ?? Infinity;
  const optimizer = makeStepper(tf, model, data.spec, cfg);
  const startBytes = tf.memory().numBytes;

  let samples = 0;
  let steps = 0;
  let finalLoss = Number.NaN;
  try {
    cfg.onTrainStart?.();
    const started = performance.now();
    for (let i = 0; i < order.length; i++) {
      const batch = batches[order[i] as number] as Batch;
      const last = i === order.length - 1 || samples + batch.rows >= budget;
      const cost = optimizer.step(batch, last);
      samples += batch.rows;
      steps++;
      if (cost) {
        finalLoss = (await cost.data())[0] as number;
        cost.dispose();
      }
      if (last) break;
    }
    const trainMs = performance.now() - started;
    cfg.onTrainEnd?.(trainMs);
    if (!Number.isFinite(finalLoss)) {
      throw new TrainingDivergedError(
        `training diverged: the loss is ${String(finalLoss)} after ${steps} steps; lower --learning-rate (now ${cfg.learningRate})`,
      );
    }
    // Every step of one shape allocates alike: the bytes held at the start plus one step's growth.
    const peakTensorBytes = startBytes + (growth ?? 0);
    const quality = await evaluateQuality(tf, model, data);
    return { trainMs, samples, finalLoss, quality, peakTensorBytes: Math.max(peakTensorBytes, tf.memory().numBytes) };
  } finally {
    optimizer.dispose();
  }
}
