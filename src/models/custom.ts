/**
 * A user's own model: a JavaScript (or, with tsx installed, TypeScript) module whose default export
 * (or `createModel` export) builds a tfjs LayersModel for the data set it is given:
 *
 *   export default function createModel({ tf, inputShape, outputUnits, seed }) {
 *     const model = tf.sequential();
 *     model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape,
 *       kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
 *     model.add(tf.layers.dense({ units: outputUnits }));
 *     return model;
 *   }
 *
 * The module must build with the `tf` it is handed: it is the instance whose backend the worker
 * initialised, and a second copy of tfjs would not share it. Classification models output one score
 * per class (logits; a final softmax is also accepted), regression models one value.
 */
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Tf } from '../backends/index.js';
import type { DatasetSpec, Task } from '../results/schema.js';
import { InputError, errorMessage } from '../config/errors.js';
import { outputUnits } from './catalog.js';

/** What a model factory receives. */
export interface ModelFactoryInput {
  /** The tfjs namespace to build with (tf.sequential, tf.layers, tf.initializers, ...). */
  tf: Tf;
  /** Shape of one input row, without the batch dimension: [features]. */
  inputShape: [number];
  /** Input features per row. */
  features: number;
  task: Task;
  /** Number of classes (classification) or 1 (regression). */
  classes: number;
  /** Units the last layer must have: classes for classification, 1 for regression. */
  outputUnits: number;
  /** Seed for initialisers, so every replica and every run starts from the same weights. */
  seed: number;
  /** Class names in index order, when the data came from a file. */
  labels?: readonly string[];
  /** Name of the data set, e.g. "iris.csv" or "classification". */
  dataset: string;
}

/** The export a custom model module provides. */
export type ModelFactory = (input: ModelFactoryInput) => LayersModel | Promise<LayersModel>;

export const CUSTOM_PREFIX = 'custom:';

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** Whether a --models entry names a module file rather than a built-in model. */
export function isModulePath(text: string): boolean {
  return text.includes('/') || text.includes('\\') || MODULE_EXTENSIONS.has(extname(text).toLowerCase());
}

/** A custom model's name in cells and reports: `custom:<file name>`. */
export function customModelName(path: string): string {
  return `${CUSTOM_PREFIX}${basename(path).replace(/[\u0000-\u001f\u007f|]/g, '_')}`;
}

export function isCustomModel(name: string): boolean {
  return name.startsWith(CUSTOM_PREFIX);
}

const EXAMPLE =
  'export default function createModel({ tf, inputShape, outputUnits, seed }) { const model = tf.sequential(); ' +
  "model.add(tf.layers.dense({ units: outputUnits, inputShape })); return model; }";

async function importModule(path: string, file: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) throw new InputError(file, 'no such file. Check the path given to --model (or the config file\'s models).');
  const url = pathToFileURL(path).href;
  if (!TS_EXTENSIONS.has(extname(path).toLowerCase())) {
    try {
      return (await import(url)) as Record<string, unknown>;
    } catch (error) {
      throw new InputError(file, `failed to load: ${errorMessage(error)}`);
    }
  }
  let tsImport: (specifier: string, parent: string) => Promise<unknown>;
  try {
    ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
  } catch {
    throw new InputError(file, 'is TypeScript, which Node 20 cannot load by itself: install tsx (npm i -D tsx) next to scale-bench, or compile the model to .js');
  }
  try {
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(file, `failed to load: ${errorMessage(error)}`);
  }
}

/** The factory a module exports: its default export, or a function named createModel. */
export async function importModelFactory(path: string, file: string = path): Promise<ModelFactory> {
  const module = await importModule(path, file);
  // A CommonJS module's exports arrive as `default`; a transpiled ES module's may be nested one deeper.
  const candidates = [module.default, module.createModel, (module.default as Record<string, unknown> | undefined)?.default];
  const factory = candidates.find((value) => typeof value === 'function');
  if (!factory) {
    const names = Object.keys(module).filter((name) => name !== '__esModule').sort();
    throw new InputError(
      file,
      `exports no model factory (its exports: ${names.length > 0 ? names.join(', ') : 'none'}). Export a function that returns a tfjs LayersModel, e.g. ${EXAMPLE}`,
    );
  }
  return factory as ModelFactory;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined (did the function forget to return the model?)';
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).slice(0, 6).join(', ') || '(none)'}`;
  return `a ${typeof value}`;
}

interface ModelLike {
  layers: unknown[];
  inputs: Array<{ shape: Array<number | null> }>;
  outputs: Array<{ shape: Array<number | null> }>;
  apply: unknown;
  trainableWeights: unknown[];
  dispose: unknown;
}

function isLayersModel(value: unknown): value is ModelLike {
  if (typeof value !== 'object' || value === null) return false;
  const model = value as Partial<ModelLike>;
  return (
    Array.isArray(model.layers) &&
    Array.isArray(model.inputs) &&
    Array.isArray(model.outputs) &&
    Array.isArray(model.trainableWeights) &&
    typeof model.apply === 'function' &&
    typeof model.dispose === 'function'
  );
}

function shapeText(shape: ReadonlyArray<number | null>): string {
  return `[${shape.map((d) => (d === null ? 'batch' : String(d))).join(', ')}]`;
}

/** Checks that a factory's result is a LayersModel that fits the data set; returns it typed. */
export function checkBuiltModel(value: unknown, spec: DatasetSpec, file: string): LayersModel {
  if (!isLayersModel(value)) {
    throw new InputError(file, `the model factory returned ${describeValue(value)}, not a tfjs LayersModel: return the model made by tf.sequential() or tf.model()`);
  }
  const model = value;
  if (model.trainableWeights.length === 0) {
    throw new InputError(file, 'the model has no trainable weights, so there is nothing to train: add at least one Dense (or other trainable) layer');
  }
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new InputError(file, `the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; scale-bench trains models with exactly one of each`);
  }
  const input = model.inputs[0]!.shape;
  const inputValues = input.slice(1).reduce<number>((product, d) => product * (d ?? Number.NaN), 1);
  if (inputValues !== spec.features) {
    throw new InputError(
      file,
      `the model takes inputs of shape ${shapeText(input)}, but rows of "${spec.name}" have ${spec.features} features: build the first layer with the inputShape the factory is given ([${spec.features}])`,
    );
  }
  const output = model.outputs[0]!.shape;
  const want = outputUnits(spec);
  if (output.length !== 2 || output[1] !== want) {
    const what = spec.task === 'regression' ? 'one value per row (regression)' : `one score per class (${spec.classes} classes)`;
    throw new InputError(file, `the model outputs ${shapeText(output)}, but "${spec.name}" needs [batch, ${want}]: ${what}. Give the last layer outputUnits (${want}) units.`);
  }
  return value as unknown as LayersModel;
}

function factoryInput(tf: Tf, spec: DatasetSpec, seed: number): ModelFactoryInput {
  return {
    tf,
    inputShape: [spec.features],
    features: spec.features,
    task: spec.task,
    classes: spec.classes,
    outputUnits: outputUnits(spec),
    seed,
    ...(spec.labels ? { labels: spec.labels } : {}),
    dataset: spec.name,
  };
}

/**
 * Every initial weight must be a finite number: on wasm a NaN weight does not always make the loss
 * NaN (some kernels turn it into 0), so such a model would train silently to chance.
 */
export function checkInitialWeights(model: LayersModel, file: string): void {
  for (const weight of model.weights) {
    const values = weight.read().dataSync() as Float32Array;
    const bad = values.findIndex((value) => !Number.isFinite(value));
    if (bad !== -1) {
      throw new InputError(
        file,
        `the model's initial weights hold ${String(values[bad])} (${weight.name}, element ${bad}): check the initializers in the model factory (a seeded glorotUniform, for example).`,
      );
    }
  }
}

/** Imports the module (cached by Node after the first time), calls its factory and checks the model. */
export async function buildCustomModel(tf: Tf, path: string, spec: DatasetSpec, seed: number, file: string = path): Promise<LayersModel> {
  const factory = await importModelFactory(path, file);
  let value: unknown;
  try {
    value = await factory(factoryInput(tf, spec, seed));
  } catch (error) {
    throw new InputError(file, `the model factory threw: ${errorMessage(error)}`);
  }
  const model = checkBuiltModel(value, spec, file);
  try {
    checkInitialWeights(model, file);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
