/**
 * How the training loop takes one step: the fused dense-stack kernel where the model is a dense
 * stack and the backend has it (dense-step.ts), else the loss's gradients and an Adam update
 * (GroupedAdam, or tf.train.adam when asked for).
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Scalar, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import type { DatasetSpec } from '../results/schema.js';
import { GroupedAdam } from './adam.js';
import type { Batch } from './data.js';
import { DenseStepper, denseStepPlan } from './dense-step.js';
import { makeLoss } from './loss.js';

export interface Stepper {
  /** One step on `batch`; returns the batch's loss when asked (the caller disposes it), else null. */
  step(batch: Batch, withLoss: boolean): Scalar | null;
  /** Bytes a step of `rows` holds outside tfjs's memory accounting (0 when everything is a tensor). */
  hiddenBytes(rows: number): number;
  dispose(): void;
}

export interface StepperConfig {
  learningRate: number;
  /** 'flat' (default): GroupedAdam or the fused step; 'tfjs': tf.train.adam on the loss's gradients. */
  optimizer?: 'flat' | 'tfjs';
  /** Custom-gradient layers and losses, and the fused dense step (default true). */
  fastPath?: boolean;
  /** With the fast path: one fused kernel per step for dense stacks (default true; false: op by op). */
  fusedStep?: boolean;
}

export function makeStepper(tf: Tf, model: LayersModel, spec: DatasetSpec, cfg: StepperConfig): Stepper {
  const fast = cfg.fastPath ?? true;
  // Built first in every case: it checks the model's output against the task.
  const loss = makeLoss(tf, model, spec, { fast });
  const plan = fast && cfg.optimizer !== 'tfjs' && cfg.fusedStep !== false ? denseStepPlan(tf, model, spec) : null;
  if (plan) {
    const fused = new DenseStepper(tf, plan, { learningRate: cfg.learningRate });
    return { step: (batch, withLoss) => fused.step(batch, withLoss), hiddenBytes: (rows) => fused.hiddenBytes(rows), dispose: () => fused.dispose() };
  }
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  if (cfg.optimizer === 'tfjs') {
    const adam = tf.train.adam(cfg.learningRate);
    return {
      step: (batch, withLoss) => adam.minimize(() => loss(batch, withLoss), withLoss, variables),
      hiddenBytes: () => 0,
      dispose: () => adam.dispose(),
    };
  }
  const grouped = new GroupedAdam(tf, variables, { learningRate: cfg.learningRate });
  return {
    step: (batch, withLoss) => grouped.minimize(() => loss(batch, withLoss), withLoss),
    hiddenBytes: () => 0,
    dispose: () => grouped.dispose(),
  };
}
