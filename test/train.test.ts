import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { initBackend, type Tf } from '../src/backends/index.js';
import { BUILTIN_MODELS } from '../src/models/catalog.js';
import { GroupedAdam, planGroups } from '../src/models/adam.js';
import { adamUpdate } from '../src/backends/adam-kernel.js';
import { accuracy, rSquared } from '../src/models/quality.js';
import { batchOrder, prepareData, targetStats, type TrainData } from '../src/models/data.js';
import { makeLoss } from '../src/models/loss.js';
import { profileStep, trainAndEvaluate, TrainingDivergedError } from '../src/models/train.js';
import type { DatasetSpec } from '../src/results/schema.js';

let tf: Tf;
beforeAll(async () => {
  tf = (await initBackend('wasm', { stockKernels: false, threads: 1 })).tf;
});

/** Deterministic uniform(-1, 1) numbers (LCG), so the tests need no data module. */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** y = 3·x0 − 2·x1 + 0.5 + small noise, in `features` columns. */
function linearData(n: number, nTest: number, features = 4, scale = 1): TrainData {
  const r = uniform(1);
  const x = new Float32Array(n * features).map(() => r());
  const y = new Float32Array(n).map((_, i) => scale * (3 * (x[i * features] as number) - 2 * (x[i * features + 1] as number) + 0.5 + 0.01 * r()));
  return { x, y, nTrain: n - nTest, nTest, spec: { name: 'lin', generator: 'regression', task: 'regression', features, classes: 1 } };
}

/** Three well-separated blobs in `features` dimensions. */
function blobData(n: number, nTest: number, features = 8, classes = 3): TrainData {
  const r = uniform(2);
  const x = new Float32Array(n * features);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < features; j++) x[i * features + j] = (j % classes === c ? 3 : 0) + 0.5 * r();
  }
  const spec: DatasetSpec = { name: 'blobs', generator: 'blobs', task: 'classification', features, classes };
  return { x, y, nTrain: n - nTest, nTest, spec };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

describe('metrics', () => {
  it('computes R² by hand and never NaN', () => {
    expect(rSquared([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(rSquared([1, 2, 3], [2, 2, 2])).toBe(0); // predicting the mean
    expect(rSquared([1, 2, 3], [1, 2, 4])).toBeCloseTo(1 - 1 / 2, 12);
    expect(rSquared([5, 5], [5, 5])).toBe(1);
    expect(rSquared([5, 5], [4, 6])).toBe(0);
    expect(rSquared([1, 2], [Number.NaN, 1])).toBe(-Number.MAX_VALUE);
    expect(() => rSquared([], [])).toThrow(RangeError);
  });

  it('computes accuracy and target statistics by hand', () => {
    expect(accuracy([0, 1, 2, 1], [0, 1, 1, 1])).toBe(0.75);
    expect(targetStats([1, 2, 3, 4], 0, 4)).toEqual({ mean: 2.5, sd: Math.sqrt(1.25) });
    expect(targetStats([7, 7, 7], 0, 3)).toEqual({ mean: 7, sd: 1 });
  });
});

describe('batchOrder', () => {
  it('visits every batch once per epoch, in a seeded order', () => {
    const order = batchOrder(5, 3, 9);
    expect(order).toHaveLength(15);
    for (let e = 0; e < 3; e++) expect([...order.slice(e * 5, e * 5 + 5)].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(batchOrder(5, 3, 9)).toEqual(order);
    expect(batchOrder(5, 3, 10)).not.toEqual(order);
    expect(batchOrder(1, 2, 1)).toEqual([0, 0]);
  });
});

describe('prepareData', () => {
  it('validates rows, labels and sizes with messages that say what to change', () => {
    const ok = blobData(10, 2);
    expect(() => prepareData(tf, { ...ok, nTest: 0 })).toThrow(/held-out row/);
    expect(() => prepareData(tf, { ...ok, nTrain: 0 })).toThrow(/training row/);
    expect(() => prepareData(tf, { ...ok, x: ok.x.subarray(0, 10) })).toThrow(/x holds 10 values/);
    const bad = { ...ok, y: Float32Array.from(ok.y, (v, i) => (i === 3 ? 7 : v)) };
    expect(() => prepareData(tf, bad)).toThrow(/row 3 has class 7/);
  });

  it('cuts batches once per size, copies its inputs, and frees everything on dispose', () => {
    const tensors = tf.memory().numTensors;
    const source = linearData(10, 3);
    const data = prepareData(tf, source);
    const batches = data.batches(4);
    expect(batches.map((b) => b.rows)).toEqual([4, 3]);
    expect(data.batches(4)).toBe(batches);
    const first = (batches[0] as { x: Tensor }).x.dataSync()[0];
    source.x[0] = 1234; // e.g. another thread rewriting shared memory
    expect((batches[0] as { x: Tensor }).x.dataSync()[0]).toBe(first);
    // Regression targets are standardised with the training rows' mean and sd.
    const ys = Array.from((batches[0] as { y: Tensor }).y.dataSync());
    const { mean, sd } = data.targetScale;
    ys.forEach((v, i) => expect(v).toBeCloseTo(((source.y[i] as number) - mean) / sd, 5));
    data.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(() => data.batches(4)).toThrow(/disposed/);
  });

  it('one-hot encodes class labels', () => {
    const data = prepareData(tf, blobData(6, 3));
    expect(Array.from((data.batches(3)[0] as { y: Tensor }).y.dataSync())).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    data.dispose();
  });
});

describe('fast path', () => {
  async function lossAndGrads(model: { trainableWeights: Array<{ read(): Tensor }> }, loss: ReturnType<typeof makeLoss>, data: ReturnType<typeof prepareData>) {
    const vars = model.trainableWeights.map((w) => w.read() as Variable);
    const batch = data.batches(32)[0];
    if (!batch) throw new Error('no batch');
    const { value, grads } = tf.variableGrads(() => loss(batch, true), vars);
    const out = [value, ...vars.map((v) => grads[v.name] as Tensor)].map((t) => Array.from(t.dataSync()));
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  }

  const cases = [
    ['mlp-small', () => blobData(64, 8, 8, 3)],
    ['mlp-deep', () => linearData(64, 8, 6)],
    ['cnn-small', () => blobData(64, 8, 16, 3)],
    ['logistic', () => blobData(64, 8, 8, 3)],
  ] as const;
  for (const [name, make] of cases) {
    it(`${name}: custom-gradient layers and loss give autodiff's loss and gradients`, async () => {
      const source = make();
      const data = prepareData(tf, source);
      const model = BUILTIN_MODELS[name].build(tf, source.spec, 3);
      try {
        const fast = await lossAndGrads(model, makeLoss(tf, model, source.spec, { fast: true }), data);
        const reference = await lossAndGrads(model, makeLoss(tf, model, source.spec, { fast: false }), data);
        expect(fast).toHaveLength(reference.length);
        fast.forEach((values, i) => expect(maxAbsDiff(values, reference[i] as number[])).toBeLessThan(1e-5));
        expect(maxAbsDiff(fast[1] as number[], new Array((fast[1] as number[]).length).fill(0))).toBeGreaterThan(0);
      } finally {
        model.dispose();
        data.dispose();
      }
    });
  }
  it('user models: a reshape before the first Dense, and L2 regularizers, match autodiff', async () => {
    const source = blobData(64, 8, 8, 3);
    const data = prepareData(tf, source);
    const build = (l2: number) =>
      tf.sequential({
        layers: [
          tf.layers.reshape({ targetShape: [8], inputShape: [8] }),
          tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), ...(l2 > 0 ? { kernelRegularizer: tf.regularizers.l2({ l2 }) } : {}) }),
          tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
    const plain = build(0);
    const regularized = build(0.5);
    try {
      const fast = await lossAndGrads(regularized, makeLoss(tf, regularized, source.spec, { fast: true }), data);
      const reference = await lossAndGrads(regularized, makeLoss(tf, regularized, source.spec, { fast: false }), data);
      fast.forEach((values, i) => expect(maxAbsDiff(values, reference[i] as number[])).toBeLessThan(1e-5));
      const unpenalised = await lossAndGrads(plain, makeLoss(tf, plain, source.spec, { fast: true }), data);
      // Same seeds, same weights: the difference is the L2 penalty 0.5 · Σ w².
      const kernel = Array.from((regularized.getWeights()[0] as Tensor).dataSync());
      const penalty = 0.5 * kernel.reduce((sum, w) => sum + w * w, 0);
      expect((fast[0] as number[])[0]).toBeCloseTo(((unpenalised[0] as number[])[0] as number) + penalty, 4);
    } finally {
      plain.dispose();
      regularized.dispose();
      data.dispose();
    }
  });
});

describe('GroupedAdam', () => {
  it('plans small variables into one group and large ones alone', () => {
    expect(planGroups([10, 5000, 20000, 3], 16384)).toEqual({ flat: [0, 1, 3], single: [2] });
  });

  for (const fused of [true, false]) {
    it(`follows tf.train.adam step for step (${fused ? 'fused kernel' : 'ops: flat group and single variables'})`, () => {
      const shapes = [[6, 5], [5], [40, 3], [3]];
      const make = (): Variable[] => shapes.map((s, i) => tf.variable(tf.randomUniform(s, -1, 1, 'float32', 50 + i)));
      const mine = make();
      const theirs = make();
      const ours = new GroupedAdam(tf, mine, { learningRate: 0.05, groupLimit: 100, fused }); // ops: [40, 3] alone
      const adam = tf.train.adam(0.05);
      for (let step = 0; step < 5; step++) {
        const grads = shapes.map((s, i) => tf.randomUniform(s, -1, 1, 'float32', 100 * step + i));
        ours.applyGradients(Object.fromEntries(mine.map((v, i) => [v.name, grads[i] as Tensor])));
        adam.applyGradients(theirs.map((v, i) => ({ name: v.name, tensor: grads[i] as Tensor })));
        tf.dispose(grads);
      }
      mine.forEach((v, i) => expect(maxAbsDiff(v.dataSync(), (theirs[i] as Variable).dataSync())).toBeLessThan(1e-5));
      expect(maxAbsDiff(mine[0]?.dataSync() ?? [], make()[0]?.dataSync() ?? [])).toBeGreaterThan(0.1);
      expect(ours.iterations).toBe(5);
      const tensors = tf.memory().numTensors;
      ours.dispose();
      // fused: (m, v) per variable; ops: (m, v) per group (one flat + one single); plus 6 kept constants
      expect(tf.memory().numTensors).toBe(tensors - (fused ? 2 * 4 : 2 * 2) - 6);
      adam.dispose();
      tf.dispose([...mine, ...theirs]);
    });
  }

  it('updates one element by hand', () => {
    const out = { w: [0], m: [0], v: [0] };
    adamUpdate([1], [0.5], [0], [0], out.w, out.m, out.v, {
      beta1: 0.9, beta2: 0.999, oneMinusAccBeta1: 0.1, oneMinusAccBeta2: 0.001, epsilon: 0, learningRate: 0.1,
    });
    // m' = 0.05, v' = 0.00025; m̂ = 0.5, v̂ = 0.25; w' = 1 - 0.1 · 0.5 / 0.5
    expect(out.m[0]).toBeCloseTo(0.05, 12);
    expect(out.v[0]).toBeCloseTo(0.00025, 12);
    expect(out.w[0]).toBeCloseTo(0.9, 12);
  });
});

describe('trainAndEvaluate', () => {
  it('fits a linear target (R² > 0.95) with any target scale, and counts samples', async () => {
    for (const scale of [1, 1000]) {
      const data = prepareData(tf, linearData(1200, 200, 4, scale));
      const model = BUILTIN_MODELS.linear.build(tf, data.spec, 1);
      const out = await trainAndEvaluate(tf, model, data, { epochs: 8, batchSize: 64, learningRate: 0.05, seed: 1 });
      model.dispose();
      data.dispose();
      expect(out.quality.metric).toBe('r2');
      expect(out.quality.value).toBeGreaterThan(0.95);
      expect(out.samples).toBe(8 * 1000);
      expect(out.finalLoss).toBeLessThan(0.1);
      expect(out.trainMs).toBeGreaterThan(0);
    }
  });

  it('separates blobs (accuracy > 0.9) and stops early at maxSamples', async () => {
    const data = prepareData(tf, blobData(600, 150));
    const model = BUILTIN_MODELS['mlp-small'].build(tf, data.spec, 1);
    const out = await trainAndEvaluate(tf, model, data, { epochs: 3, batchSize: 32, learningRate: 0.01, seed: 1 });
    expect(out.quality).toEqual({ metric: 'accuracy', value: expect.any(Number) });
    expect(out.quality.value).toBeGreaterThan(0.9);
    const warm = await trainAndEvaluate(tf, model, data, { epochs: 3, batchSize: 32, learningRate: 0.01, seed: 1, maxSamples: 70 });
    expect(warm.samples).toBe(96); // whole batches: 32 + 32 + 32 >= 70
    model.dispose();
    data.dispose();
  });

  it('leaks no tensors across trials and reports a plausible peak of tensor bytes', async () => {
    const data = prepareData(tf, blobData(300, 44));
    data.batches(64);
    const cfg = { epochs: 2, batchSize: 64, learningRate: 0.01, seed: 1 };
    const peaks: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      const tensors = tf.memory().numTensors;
      const bytes = tf.memory().numBytes;
      const model = BUILTIN_MODELS['mlp-small'].build(tf, data.spec, trial);
      const weightBytes = model.countParams() * 4;
      const out = await trainAndEvaluate(tf, model, data, cfg);
      model.dispose();
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.memory().numBytes).toBe(bytes);
      // At least data + weights + Adam's two moments; far below 100 MB for this model.
      expect(out.peakTensorBytes).toBeGreaterThan(bytes + 3 * weightBytes);
      expect(out.peakTensorBytes).toBeLessThan(100e6);
      peaks.push(out.peakTensorBytes);
    }
    expect(peaks[2]).toBe(peaks[1]);
    data.dispose();
  });

  it('profiles a step only outside the timed loop, once per architecture, without changing the training', async () => {
    // A feature count no other test uses, so this architecture has no cached profile yet.
    const data = prepareData(tf, blobData(400, 80, 11, 3));
    const events: Array<{ what: string; at: number }> = [];
    const spied = new Proxy(tf, {
      get(target, key) {
        if (key !== 'profile') return Reflect.get(target, key) as unknown;
        return async (f: () => unknown) => {
          events.push({ what: 'profile', at: performance.now() });
          const out = await target.profile(f as Parameters<Tf['profile']>[0]);
          events.push({ what: 'profiled', at: performance.now() });
          return out;
        };
      },
    });
    const cfg = { epochs: 2, batchSize: 32, learningRate: 0.01, seed: 4 };
    const outcomes = [];
    const weights: Float32Array[][] = [];
    for (let trial = 0; trial < 2; trial++) {
      const model = BUILTIN_MODELS['mlp-small'].build(tf, data.spec, 7);
      events.push({ what: `trial ${trial}`, at: performance.now() });
      const out = await trainAndEvaluate(spied, model, data, {
        ...cfg,
        onTrainStart: () => events.push({ what: 'timer starts', at: performance.now() }),
        onTrainEnd: () => events.push({ what: 'timer stops', at: performance.now() }),
      });
      outcomes.push(out);
      weights.push(model.getWeights().map((w) => w.dataSync() as Float32Array));
      model.dispose();
    }
    // The first trial profiles before its timer starts; the second reuses the profile.
    expect(events.map((e) => e.what)).toEqual(['trial 0', 'profile', 'profiled', 'timer starts', 'timer stops', 'trial 1', 'timer starts', 'timer stops']);
    const start = events.find((e) => e.what === 'timer starts')!.at;
    expect(events.find((e) => e.what === 'profiled')!.at).toBeLessThanOrEqual(start);
    // The profiled trial trains exactly like the unprofiled one: the weights were restored after the profile.
    expect(outcomes[0]!.finalLoss).toBe(outcomes[1]!.finalLoss);
    expect(outcomes[0]!.peakTensorBytes).toBe(outcomes[1]!.peakTensorBytes);
    weights[0]!.forEach((w, i) => expect(maxAbsDiff(w, weights[1]![i]!)).toBe(0));
    data.dispose();
  });

  it('profileStep leaves the weights and the tensor count as they were, and caches by architecture', async () => {
    const data = prepareData(tf, blobData(200, 40, 13, 2));
    const model = BUILTIN_MODELS['mlp-small'].build(tf, data.spec, 3);
    const before = model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
    data.batches(16); // cut (and cached by the data) before counting
    const tensors = tf.memory().numTensors;
    const growth = await profileStep(tf, model, data, { epochs: 1, batchSize: 16, learningRate: 0.1, seed: 1 });
    expect(growth).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(tensors);
    model.getWeights().forEach((w, i) => expect(maxAbsDiff(w.dataSync() as Float32Array, before[i]!)).toBe(0));
    expect(await profileStep(tf, model, data, { epochs: 3, batchSize: 16, learningRate: 0.1, seed: 9 })).toBe(growth);
    model.dispose();
    data.dispose();
  });

  it('reaches the same quality as tf.train.adam with the reference graph', async () => {
    const data = prepareData(tf, blobData(600, 150, 8, 3));
    const results: number[] = [];
    for (const variant of [{}, { optimizer: 'tfjs' as const, fastPath: false }]) {
      const model = BUILTIN_MODELS['mlp-small'].build(tf, data.spec, 5);
      const out = await trainAndEvaluate(tf, model, data, { epochs: 2, batchSize: 32, learningRate: 0.01, seed: 2, ...variant });
      model.dispose();
      results.push(out.finalLoss, out.quality.value);
    }
    expect(Math.abs((results[0] as number) - (results[2] as number))).toBeLessThan(1e-3);
    expect(results[1]).toBe(results[3]);
    data.dispose();
  });

  it('trains a user model that ends in softmax', async () => {
    const data = prepareData(tf, blobData(300, 60));
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 3, activation: 'softmax', inputShape: [8], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })],
    });
    const out = await trainAndEvaluate(tf, model, data, { epochs: 5, batchSize: 32, learningRate: 0.05, seed: 1 });
    model.dispose();
    data.dispose();
    expect(out.quality.value).toBeGreaterThan(0.9);
  });

  it('rejects a model whose output does not fit the task, and reports divergence instead of NaN', async () => {
    const data = prepareData(tf, linearData(200, 40));
    const wrong = BUILTIN_MODELS.logistic.build(tf, { ...data.spec, task: 'classification', classes: 3 }, 1);
    await expect(trainAndEvaluate(tf, wrong, data, { epochs: 1, batchSize: 32, learningRate: 0.01, seed: 1 })).rejects.toThrow(
      /needs \[batch, 1\]/,
    );
    wrong.dispose();
    const model = BUILTIN_MODELS['mlp-small'].build(tf, data.spec, 1);
    const tensors = tf.memory().numTensors;
    await expect(trainAndEvaluate(tf, model, data, { epochs: 3, batchSize: 32, learningRate: 1e30, seed: 1 })).rejects.toThrow(
      TrainingDivergedError,
    );
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
    data.dispose();
  });

  it('trains the same with stock kernels', async () => {
    const data = prepareData(tf, blobData(400, 100));
    const quality: number[] = [];
    for (const stockKernels of [true, false]) {
      await initBackend('wasm', { stockKernels, threads: 1 });
      const model = BUILTIN_MODELS['mlp-small'].build(tf, data.spec, 9);
      const out = await trainAndEvaluate(tf, model, data, { epochs: 2, batchSize: 32, learningRate: 0.01, seed: 3 });
      model.dispose();
      quality.push(out.quality.value, out.finalLoss);
    }
    expect(Math.abs((quality[0] as number) - (quality[2] as number))).toBeLessThanOrEqual(0.02);
    expect(Math.abs((quality[1] as number) - (quality[3] as number))).toBeLessThan(1e-3);
    data.dispose();
  });
});
