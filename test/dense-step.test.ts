/** The fused dense-stack training step (one kernel per step) against the op-by-op fast path and stock kernels. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { initBackend, type Tf } from '../src/backends/index.js';
import { BUILTIN_MODELS } from '../src/models/catalog.js';
import { batchOrder, prepareData, type Batch } from '../src/models/data.js';
import { DenseStepper, denseStepPlan } from '../src/models/dense-step.js';
import { GroupedAdam } from '../src/models/adam.js';
import { makeLoss } from '../src/models/loss.js';
import { trainAndEvaluate } from '../src/models/train.js';
import { generate, GENERATORS } from '../src/data/generators/index.js';
import type { BuiltinModelName } from '../src/results/schema.js';

let tf: Tf;
beforeAll(async () => {
  tf = (await initBackend('wasm', { stockKernels: false, threads: 1 })).tf;
});

/**
 * Weights after 16 steps (2 epochs of 8 batches, the last one short) of Adam with epsilon 1: a
 * large epsilon keeps each update proportional to its gradient. (With the default 1e-7 an update is
 * lr·sign(g) wherever |g| is tiny, so float32 rounding in a near-zero gradient, here the bias sums
 * taken in another order, flips whole updates and the comparison says nothing.)
 */
async function trainWeights(name: BuiltinModelName, fused: boolean, stockKernels = false): Promise<number[][]> {
  const { tf: t } = await initBackend('wasm', { stockKernels, threads: 1 });
  const spec = GENERATORS[BUILTIN_MODELS[name].defaultGenerator].defaultSpec;
  const table = generate(spec, 1200, 3);
  const data = prepareData(t, { x: table.x, y: table.y, nTrain: 1000, nTest: 200, spec });
  const model = BUILTIN_MODELS[name].build(t, spec, 4);
  const adam = { learningRate: 0.01, epsilon: 1 };
  try {
    const batches = data.batches(128);
    const plan = denseStepPlan(t, model, spec);
    let step: (b: Batch) => void;
    let dispose: () => void;
    if (fused) {
      if (!plan) throw new Error(`${name}: no fused step on this backend`);
      const stepper = new DenseStepper(t, plan, adam);
      step = (b) => stepper.step(b, false);
      dispose = () => stepper.dispose();
    } else {
      const loss = makeLoss(t, model, spec, { fast: true });
      const optimizer = new GroupedAdam(t, model.trainableWeights.map((w) => w.read() as Variable), adam);
      step = (b) => optimizer.minimize(() => loss(b, false), false);
      dispose = () => optimizer.dispose();
    }
    for (const i of batchOrder(batches.length, 2, 5)) step(batches[i] as Batch);
    dispose();
    return model.getWeights().map((w: Tensor) => Array.from(w.dataSync()));
  } finally {
    model.dispose();
    data.dispose();
    await initBackend('wasm', { stockKernels: false, threads: 1 });
  }
}

function relativeDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((values, i) => {
    const ref = b[i] as number[];
    const scale = Math.max(1e-3, ...ref.map(Math.abs));
    values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - (ref[j] as number)) / scale)));
  });
  return worst;
}

describe('fused dense step', () => {
  it('takes the dense stacks (linear, logistic, both MLPs) and leaves the CNN to the op path', () => {
    for (const name of ['linear', 'logistic', 'mlp-small', 'mlp-deep', 'cnn-small'] as const) {
      const spec = GENERATORS[BUILTIN_MODELS[name].defaultGenerator].defaultSpec;
      const model = BUILTIN_MODELS[name].build(tf, spec, 1);
      const plan = denseStepPlan(tf, model, spec);
      expect(plan === null, name).toBe(name === 'cnn-small');
      if (plan) expect(plan.loss).toBe(name === 'linear' ? 'squared-error' : 'softmax-cross-entropy');
      model.dispose();
    }
  });

  it('is not used for a model with a regulariser, a softmax output or a reshape in front', () => {
    const spec = GENERATORS.classification.defaultSpec;
    const build = (layers: unknown[]) => tf.sequential({ layers: layers as never });
    const models = [
      build([tf.layers.dense({ units: 4, inputShape: [32], kernelRegularizer: tf.regularizers.l2({ l2: 0.1 }) })]),
      build([tf.layers.dense({ units: 4, inputShape: [32], activation: 'softmax' })]),
      build([tf.layers.reshape({ targetShape: [32], inputShape: [32] }), tf.layers.dense({ units: 4 })]),
    ];
    for (const model of models) {
      expect(denseStepPlan(tf, model, spec)).toBeNull();
      model.dispose();
    }
  });

  for (const name of ['linear', 'logistic', 'mlp-small', 'mlp-deep'] as const) {
    it(`${name}: 16 fused steps give the op path's weights (within 1e-4), on scale-bench's and on stock kernels`, async () => {
      const fused = await trainWeights(name, true);
      const ops = await trainWeights(name, false);
      const stock = await trainWeights(name, false, true);
      expect(relativeDiff(fused, ops)).toBeLessThan(1e-4);
      expect(relativeDiff(fused, stock)).toBeLessThan(1e-4);
      // The weights moved: equality is not that of untrained models.
      const initial = BUILTIN_MODELS[name].build(tf, GENERATORS[BUILTIN_MODELS[name].defaultGenerator].defaultSpec, 4);
      expect(relativeDiff(fused, initial.getWeights().map((w: Tensor) => Array.from(w.dataSync())))).toBeGreaterThan(1e-3);
      initial.dispose();
    }, 60_000);
  }

  it('leaks no tensors and disposes its moments', async () => {
    const spec = GENERATORS.classification.defaultSpec;
    const table = generate(spec, 600, 3);
    const data = prepareData(tf, { x: table.x, y: table.y, nTrain: 500, nTest: 100, spec });
    data.batches(64);
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const model = BUILTIN_MODELS['mlp-small'].build(tf, spec, 1);
    const out = await trainAndEvaluate(tf, model, data, { epochs: 2, batchSize: 64, learningRate: 0.01, seed: 1 });
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    // The step's activations live outside tfjs's accounting and are added to the peak: > 64 rows x 132 units x 4 bytes.
    expect(out.peakTensorBytes).toBeGreaterThan(bytes + 64 * 132 * 4);
    data.dispose();
  });
});
