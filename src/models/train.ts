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
  /** Called the moment the timed loop ends, before evaluation (the runner reads process CPU time there). */
  onTrainEnd?: () => void;
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
 * Growth of tensor bytes during a trial, by model architecture and batch size: measured once with
 * tf.profile (which syncs every kernel, so it is slow) and reused by later trials of the same shape.
 */
const peakGrowthCache = new Map<string, number>();

function peakKey(model: LayersModel, cfg: TrainConfig, spec: DatasetSpec): string {
  const layers = model.layers.map((l) => `${l.getClassName()}:${l.weights.map((w) => w.shape.join('x')).join(',')}`);
  const loop = `${cfg.optimizer ?? 'flat'}|${String(cfg.fastPath ?? true)}|${String(cfg.fusedStep ?? true)}`;
  return `${spec.task}|${spec.features}|${spec.classes}|${cfg.batchSize}|${loop}|${layers.join(';')}`;
}

/** Trains `model` in place with Adam, then measures held-out quality. The caller disposes the model. */
export async function trainAndEvaluate(tf: Tf, model: LayersModel, data: PreparedData, cfg: TrainConfig): Promise<TrainOutcome> {
  if (!Number.isInteger(cfg.epochs) || cfg.epochs < 1) {
    throw new RangeError(`epochs must be a whole number >= 1, got ${String(cfg.epochs)}: check --epochs`);
  }
  if (!(cfg.learningRate > 0) || !Number.isFinite(cfg.learningRate)) {
    throw new RangeError(`learning rate must be a positive number, got ${String(cfg.learningRate)}: check --learning-rate`);
  }
  const batches = data.batches(cfg.batchSize);
  const order = batchOrder(batches.length, cfg.epochs, cfg.seed);
  const budget = cfg.maxSamples ?? Infinity;
  const optimizer = makeStepper(tf, model, data.spec, cfg);
  const key = peakKey(model, cfg, data.spec);
  const cachedGrowth = peakGrowthCache.get(key);
  const startBytes = tf.memory().numBytes;

  let samples = 0;
  let steps = 0;
  let finalLoss = Number.NaN;
  let profiledPeak: number | undefined;
  try {
    const started = performance.now();
    for (let i = 0; i < order.length; i++) {
      const batch = batches[order[i] as number] as Batch;
      const last = i === order.length - 1 || samples + batch.rows >= budget;
      const step = (): Scalar | null => optimizer.step(batch, last);
      let cost: Scalar | null;
      if (steps === 0 && cachedGrowth === undefined) {
        const profile = await tf.profile(() => step() ?? undefined);
        cost = profile.result as Scalar | null;
        if (Number.isFinite(profile.peakBytes) && batch.rows === cfg.batchSize) profiledPeak = profile.peakBytes;
      } else {
        cost = step();
      }
      samples += batch.rows;
      steps++;
      if (cost) {
        finalLoss = (await cost.data())[0] as number;
        cost.dispose();
      }
      if (last) break;
    }
    const trainMs = performance.now() - started;
    cfg.onTrainEnd?.();
    if (!Number.isFinite(finalLoss)) {
      throw new TrainingDivergedError(
        `training diverged: the loss is ${String(finalLoss)} after ${steps} steps; lower --learning-rate (now ${cfg.learningRate})`,
      );
    }
    let peakTensorBytes: number;
    if (profiledPeak !== undefined) {
      peakGrowthCache.set(key, profiledPeak - startBytes);
      peakTensorBytes = profiledPeak;
    } else {
      peakTensorBytes = startBytes + (cachedGrowth ?? 0);
    }
    // A fused step's activations live outside tfjs's accounting.
    peakTensorBytes += optimizer.hiddenBytes(cfg.batchSize);
    const quality = await evaluateQuality(tf, model, data);
    return { trainMs, samples, finalLoss, quality, peakTensorBytes: Math.max(peakTensorBytes, tf.memory().numBytes) };
  } finally {
    optimizer.dispose();
  }
}
