/** Users' model modules: loading, the factory contract, the checks and their messages, sizes and FLOPs. */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend, type Tf } from '../src/backends/index.js';
import { checkCustomModels } from '../src/plan/custom-check.js';
import { buildCustomModel, customModelName, importModelFactory, isCustomModel, isModulePath } from '../src/models/custom.js';
import { describeModel } from '../src/models/flops.js';
import { buildPlan } from '../src/plan/build.js';
import { customModelsByName } from '../src/plan/user-data.js';
import { UsageError } from '../src/config/errors.js';
import type { DatasetSpec } from '../src/results/schema.js';

const TINY = resolve('fixtures/models/tiny-mlp.js');
const IRIS: DatasetSpec = { name: 'iris.csv', generator: 'file', task: 'classification', features: 4, classes: 3, labels: ['setosa', 'versicolor', 'virginica'] };
const REGRESSION: DatasetSpec = { name: 'r.csv', generator: 'file', task: 'regression', features: 6, classes: 1 };
const dir = mkdtempSync(join(tmpdir(), 'sb-models-'));
let counter = 0;

function module(source: string, ext = 'mjs'): string {
  const path = join(dir, `model-${++counter}.${ext}`);
  writeFileSync(path, source);
  return path;
}

async function buildError(tf: Tf, source: string, spec: DatasetSpec = IRIS, ext = 'mjs'): Promise<string> {
  const path = module(source, ext);
  try {
    (await buildCustomModel(tf, path, spec, 1)).dispose();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message.startsWith(`${path}: `)).toBe(true);
    return message;
  }
  throw new Error('expected the build to fail');
}

let tf: Tf;
beforeAll(async () => {
  tf = (await initBackend('cpu', { stockKernels: true, threads: 1 })).tf;
});

describe('names', () => {
  it('tells module paths from built-in names', () => {
    for (const path of ['./m.js', 'models/m.js', 'm.mjs', 'm.ts', 'C:\\m.js']) expect(isModulePath(path), path).toBe(true);
    for (const name of ['mlp-small', 'linear', 'cnn-small']) expect(isModulePath(name), name).toBe(false);
  });

  it('names a custom model custom:<file name>, and refuses two modules with one name', () => {
    expect(customModelName('/a/b/tiny-mlp.js')).toBe('custom:tiny-mlp.js');
    expect(isCustomModel('custom:tiny-mlp.js')).toBe(true);
    expect(isCustomModel('mlp-small')).toBe(false);
    expect([...customModelsByName(['/a/m.js', '/b/n.js', '/a/m.js'])]).toEqual([
      ['custom:m.js', '/a/m.js'],
      ['custom:n.js', '/b/n.js'],
    ]);
    expect(() => customModelsByName(['/a/m.js', '/b/m.js'])).toThrow(/--model: \/a\/m\.js and \/b\/m\.js have the same file name.*rename one/);
  });
});

describe('the example model', () => {
  it('builds on iris with 67 parameters and 131 forward FLOPs per sample', async () => {
    const model = await buildCustomModel(tf, TINY, IRIS, 7);
    try {
      // Dense 4->8 relu: 2*4*8 + 8 bias + 8 relu = 80; Dense 8->3: 2*8*3 + 3 bias = 51.
      expect(describeModel(model, 'custom:tiny-mlp.js')).toEqual({ name: 'custom:tiny-mlp.js', params: 67, forwardFlopsPerSample: 131, trainFlopsPerSample: 393 });
      expect(model.outputs[0]!.shape).toEqual([null, 3]);
    } finally {
      model.dispose();
    }
  });

  it('adapts to a regression data set and seeds its weights', async () => {
    const a = await buildCustomModel(tf, TINY, REGRESSION, 7);
    const b = await buildCustomModel(tf, TINY, REGRESSION, 7);
    const c = await buildCustomModel(tf, TINY, REGRESSION, 8);
    try {
      expect(describeModel(a, 'm').params).toBe(6 * 8 + 8 + 8 + 1);
      expect(a.outputs[0]!.shape).toEqual([null, 1]);
      const weights = (m: typeof a) => Array.from(m.getWeights()[0]!.dataSync());
      expect(weights(a)).toEqual(weights(b));
      expect(weights(a)).not.toEqual(weights(c));
    } finally {
      for (const m of [a, b, c]) m.dispose();
    }
  });
});

describe('the factory contract', () => {
  it('accepts a named createModel export, an async factory and a CommonJS module', async () => {
    const body = '({ tf, inputShape, outputUnits }) => { const m = tf.sequential(); m.add(tf.layers.dense({ units: outputUnits, inputShape })); return m; }';
    for (const [source, ext] of [
      [`export const createModel = ${body};`, 'mjs'],
      [`export default async function (input) { return (${body})(input); }`, 'mjs'],
      [`module.exports = ${body};`, 'cjs'],
    ] as const) {
      const model = await buildCustomModel(tf, module(source, ext), IRIS, 1);
      expect(describeModel(model, 'm').params).toBe(15);
      model.dispose();
    }
  });

  it('passes the data set\'s shape, task, classes, labels and seed', async () => {
    const path = module(`
      export let seen;
      export default function (input) {
        const { tf, ...rest } = input;
        seen = rest;
        const m = tf.sequential();
        m.add(tf.layers.dense({ units: input.outputUnits, inputShape: input.inputShape }));
        return m;
      }`);
    (await buildCustomModel(tf, path, IRIS, 99)).dispose();
    const { seen } = (await import(path)) as { seen: unknown };
    expect(seen).toEqual({ inputShape: [4], features: 4, task: 'classification', classes: 3, outputUnits: 3, seed: 99, labels: ['setosa', 'versicolor', 'virginica'], dataset: 'iris.csv' });
  });

  it('loads a TypeScript model through tsx', async () => {
    const path = module(
      `import type { ModelFactoryInput } from '${resolve('src/models/custom.ts')}';
       export default function createModel({ tf, inputShape, outputUnits }: ModelFactoryInput) {
         const model = tf.sequential();
         model.add(tf.layers.dense({ units: outputUnits as number, inputShape }));
         return model;
       }`,
      'ts',
    );
    const model = await buildCustomModel(tf, path, IRIS, 1);
    expect(describeModel(model, 'm').params).toBe(15);
    model.dispose();
  });

  it('explains a module without a factory, or one that returns something else', async () => {
    expect(await buildError(tf, 'export const size = 3; export const name = "x";')).toMatch(/exports no model factory \(its exports: name, size\)\. Export a function that returns a tfjs LayersModel, e\.g\. export default function createModel/);
    expect(await buildError(tf, 'export default function () {}')).toMatch(/the model factory returned undefined \(did the function forget to return the model\?\), not a tfjs LayersModel/);
    expect(await buildError(tf, 'export default function () { return { layers: 3 }; }')).toMatch(/returned an object with keys layers, not a tfjs LayersModel: return the model made by tf\.sequential\(\) or tf\.model\(\)/);
    expect(await buildError(tf, 'export default function () { throw new Error("boom"); }')).toMatch(/the model factory threw: boom/);
    expect(await buildError(tf, 'export default function ( { tf } ) { const m = tf.sequential(); m.add(tf.layers.dense({ units: 3, inputShape: [5] })); return m; }')).toMatch(
      /the model takes inputs of shape \[batch, 5\], but rows of "iris\.csv" have 4 features: build the first layer with the inputShape the factory is given \(\[4\]\)/,
    );
    expect(await buildError(tf, 'export default function ( { tf, inputShape } ) { const m = tf.sequential(); m.add(tf.layers.dense({ units: 2, inputShape })); return m; }')).toMatch(
      /the model outputs \[batch, 2\], but "iris\.csv" needs \[batch, 3\]: one score per class \(3 classes\)\. Give the last layer outputUnits \(3\) units/,
    );
    expect(await buildError(tf, 'export default function ( { tf, inputShape } ) { const m = tf.sequential(); m.add(tf.layers.dense({ units: 3, inputShape })); return m; }', REGRESSION)).toMatch(/needs \[batch, 1\]: one value per row \(regression\)/);
    expect(await buildError(tf, 'export default function ( { tf, inputShape } ) { const m = tf.sequential(); m.add(tf.layers.reLU({ inputShape })); return m; }')).toMatch(/no trainable weights/);
    expect(await buildError(tf, 'export default {')).toMatch(/failed to load: /);
    await expect(importModelFactory(join(dir, 'nope.js'))).rejects.toThrow(/nope\.js: no such file\. Check the path given to --model/);
  });
});

describe('checking a plan\'s custom models', () => {
  it('builds each custom model once per data set and reports its size', async () => {
    const plan = buildPlan({ customModels: [TINY], sizes: [100], workers: [1], out: '.tmp/plan-test' }, 2);
    expect(plan.customModels).toEqual({ 'custom:tiny-mlp.js': TINY });
    expect(plan.cells.map((cell) => cell.id)).toEqual(['custom:tiny-mlp.js|classification|n=100|w=1|job-parallel']);
    const checked = await checkCustomModels(plan);
    // Generated classification data: 32 features, 4 classes -> 32*8+8 + 8*4+4 = 300 parameters.
    expect(checked).toEqual([{ name: 'custom:tiny-mlp.js', dataset: 'classification', info: { name: 'custom:tiny-mlp.js', params: 300, forwardFlopsPerSample: 2 * 32 * 8 + 16 + 2 * 8 * 4 + 4, trainFlopsPerSample: 3 * 596 }, estimated: [] }]);
  });

  it('fails while planning when a module is broken', async () => {
    const broken = module('export const nothing = 1;');
    const plan = buildPlan({ customModels: [broken], models: ['linear'], sizes: [100], workers: [1], out: '.tmp/plan-test' }, 2);
    expect(plan.cells.map((cell) => cell.model)).toEqual(['linear', customModelName(broken)]);
    await expect(checkCustomModels(plan, () => 'my-model.mjs')).rejects.toThrow(/^my-model\.mjs: exports no model factory/);
  });
});
