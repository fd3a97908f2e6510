import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type Tf } from '../src/backends/index.js';
import { BUILTIN_MODELS, imageShapeOf, isBuiltinModel, layerSeed, outputUnits } from '../src/models/catalog.js';
import { countModelFlops, describeModel, type LayerLike } from '../src/models/flops.js';
import type { BuiltinModelName, DatasetSpec } from '../src/results/schema.js';

const CLASSIFICATION: DatasetSpec = { name: 'c', generator: 'classification', task: 'classification', features: 32, classes: 4 };
const REGRESSION: DatasetSpec = { name: 'r', generator: 'regression', task: 'regression', features: 32, classes: 1 };
const IMAGES: DatasetSpec = {
  name: 'i',
  generator: 'images',
  task: 'classification',
  features: 64,
  classes: 3,
  imageShape: [8, 8, 1],
};

let tf: Tf;
beforeAll(async () => {
  tf = (await initBackend('wasm', { stockKernels: false, threads: 1 })).tf;
});

function weightsOf(model: { getWeights(): Array<{ dataSync(): ArrayLike<number> }> }): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('catalog', () => {
  it('lists the five built-in models with their default generators', () => {
    expect(Object.keys(BUILTIN_MODELS)).toEqual(['linear', 'logistic', 'mlp-small', 'mlp-deep', 'cnn-small']);
    expect(BUILTIN_MODELS.linear.defaultGenerator).toBe('regression');
    expect(BUILTIN_MODELS['mlp-deep'].defaultGenerator).toBe('classification');
    expect(BUILTIN_MODELS['cnn-small'].defaultGenerator).toBe('images');
    expect(isBuiltinModel('mlp-small')).toBe(true);
    expect(isBuiltinModel('toString')).toBe(false);
  });

  // Hand-computed trainable parameters: weights + biases per layer.
  const cases: Array<[BuiltinModelName, DatasetSpec, number, number[]]> = [
    ['linear', REGRESSION, 32 + 1, [1]],
    ['logistic', CLASSIFICATION, 32 * 4 + 4, [4]],
    ['mlp-small', CLASSIFICATION, 32 * 64 + 64 + 64 * 64 + 64 + 64 * 4 + 4, [4]],
    ['mlp-deep', CLASSIFICATION, 32 * 256 + 256 + 3 * (256 * 256 + 256) + 256 * 4 + 4, [4]],
    // conv 3x3x1x8 + 8, 'same' conv then 2x2 pool: 4x4x8 = 128 -> dense 3
    ['cnn-small', IMAGES, 3 * 3 * 8 + 8 + 128 * 3 + 3, [3]],
  ];
  for (const [name, spec, params, outShape] of cases) {
    it(`${name} has ${params} parameters and outputs [batch, ${outShape.join(', ')}]`, () => {
      const model = BUILTIN_MODELS[name].build(tf, spec, 1);
      try {
        expect(model.countParams()).toBe(params);
        expect(model.outputs[0]?.shape).toEqual([null, ...outShape]);
        const y = tf.tidy(() => (model.predict(tf.zeros([2, spec.features])) as { shape: number[] }).shape);
        expect(y).toEqual([2, ...outShape]);
      } finally {
        model.dispose();
      }
    });
  }

  it('gives identical initial weights for the same seed and different ones for another seed', () => {
    for (const name of ['mlp-small', 'cnn-small'] as const) {
      const spec = name === 'cnn-small' ? IMAGES : CLASSIFICATION;
      const a = BUILTIN_MODELS[name].build(tf, spec, 42);
      const b = BUILTIN_MODELS[name].build(tf, spec, 42);
      const c = BUILTIN_MODELS[name].build(tf, spec, 43);
      try {
        expect(weightsOf(b)).toEqual(weightsOf(a));
        expect(weightsOf(c)[0]).not.toEqual(weightsOf(a)[0]);
      } finally {
        [a, b, c].forEach((m) => m.dispose());
      }
    }
    // Each layer gets its own seed: same-shaped hidden kernels are not copies of each other.
    const deep = BUILTIN_MODELS['mlp-deep'].build(tf, CLASSIFICATION, 42);
    const kernels = weightsOf(deep).filter((w) => w.length === 256 * 256);
    deep.dispose();
    expect(kernels).toHaveLength(3);
    expect(kernels[1]).not.toEqual(kernels[0]);
    expect(kernels[2]).not.toEqual(kernels[1]);
  });

  it('derives distinct, stable 32-bit layer seeds', () => {
    const seeds = [0, 1, 2, 3].map((i) => layerSeed(42, i));
    expect(new Set(seeds).size).toBe(4);
    expect(layerSeed(42, 0)).toBe(seeds[0]);
    expect(layerSeed(43, 0)).not.toBe(seeds[0]);
    for (const s of seeds) expect(s >>> 0).toBe(s);
  });

  it('adapts the output layer to the task and rejects impossible datasets', () => {
    expect(outputUnits(REGRESSION)).toBe(1);
    expect(outputUnits(CLASSIFICATION)).toBe(4);
    expect(() => outputUnits({ ...CLASSIFICATION, classes: 1 })).toThrow(/at least 2 classes/);
    const m = BUILTIN_MODELS.logistic.build(tf, REGRESSION, 1);
    expect(m.outputs[0]?.shape).toEqual([null, 1]);
    m.dispose();
  });

  it('infers square one-channel images and explains what is missing', () => {
    expect(imageShapeOf({ ...IMAGES, imageShape: undefined })).toEqual([8, 8, 1]);
    expect(imageShapeOf({ ...IMAGES, features: 16 * 16 * 3, imageShape: [16, 16, 3] })).toEqual([16, 16, 3]);
    expect(() => imageShapeOf({ ...CLASSIFICATION, features: 30 })).toThrow(/cnn-small needs image data/);
    expect(() => imageShapeOf({ ...IMAGES, imageShape: [4, 4, 1] })).toThrow(/holds 16 values/);
  });
});

describe('describeModel', () => {
  it('counts mlp-small by hand: 2·in·out per Dense plus bias and relu per output', () => {
    const model = BUILTIN_MODELS['mlp-small'].build(tf, CLASSIFICATION, 1);
    const info = describeModel(model, 'mlp-small');
    model.dispose();
    const forward = 2 * 32 * 64 + 64 + 64 + (2 * 64 * 64 + 64 + 64) + (2 * 64 * 4 + 4);
    expect(info).toEqual({ name: 'mlp-small', params: 6532, forwardFlopsPerSample: forward, trainFlopsPerSample: 3 * forward });
    // Dense rule of thumb: training ≈ 6 FLOPs per parameter per sample.
    expect(info.trainFlopsPerSample / info.params).toBeCloseTo(6, 0);
  });

  it('counts cnn-small by hand: 2·kh·kw·cin·cout·outH·outW for the conv, one per window element for pooling', () => {
    const model = BUILTIN_MODELS['cnn-small'].build(tf, IMAGES, 1);
    const info = describeModel(model, 'cnn-small');
    model.dispose();
    const conv = 2 * 3 * 3 * 1 * 8 * 8 * 8 + 512 + 512;
    const pool = 4 * 4 * 8 * 4;
    const dense = 2 * 128 * 3 + 3;
    expect(info.params).toBe(467);
    expect(info.forwardFlopsPerSample).toBe(conv + pool + dense);
  });

  it('estimates unknown layers at 2 FLOPs per parameter and says so; walks nested models', () => {
    const layer = (className: string, weights: number[][], outputShape: Array<number | null>, config = {}): LayerLike => ({
      name: className.toLowerCase(),
      getClassName: () => className,
      getConfig: () => config,
      outputShape,
      weights: weights.map((shape) => ({ shape, trainable: true })),
    });
    const inner: LayerLike = {
      ...layer('Sequential', [], [null, 10]),
      layers: [layer('Dense', [[4, 10], [10]], [null, 10], { activation: 'linear' })],
    };
    const result = countModelFlops({ layers: [inner, layer('Mystery', [[10, 5]], [null, 5])] }, 'custom');
    expect(result.info.params).toBe(40 + 10 + 50);
    expect(result.info.forwardFlopsPerSample).toBe(2 * 4 * 10 + 10 + 2 * 50);
    expect(result.estimated).toEqual(['Mystery']);
    expect(result.layers.find((l) => l.className === 'Mystery')?.note).toMatch(/unknown layer type Mystery/);
  });

  it('gives every built-in model more FLOPs than the one before it', () => {
    const flops = (['linear', 'logistic', 'mlp-small', 'mlp-deep'] as const).map((name) => {
      const spec = name === 'linear' ? REGRESSION : CLASSIFICATION;
      const model = BUILTIN_MODELS[name].build(tf, spec, 1);
      const f = describeModel(model, name).trainFlopsPerSample;
      model.dispose();
      return f;
    });
    for (let i = 1; i < flops.length; i++) expect(flops[i]).toBeGreaterThan(flops[i - 1] as number);
  });
});
