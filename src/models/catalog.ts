/**
 * Built-in models in increasing complexity. All take flat rows [batch, spec.features] (images are
 * reshaped inside the model) and output one value (regression) or spec.classes logits
 * (classification: softmax is applied by the loss, which keeps its gradient simple and stable).
 *
 * Every initializer is seeded from the model seed, so one seed gives identical initial weights in
 * every worker and every run.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Tf } from '../backends/index.js';
import type { BuiltinModelName, DatasetSpec, GeneratorName, Task } from '../results/schema.js';

export interface ModelDefinition {
  name: BuiltinModelName;
  description: string;
  /** The task the model is meant for; built for another task it adapts its output layer. */
  task: Task;
  defaultGenerator: GeneratorName;
  build(tf: Tf, spec: DatasetSpec, seed: number): LayersModel;
}

/** A 32-bit seed for layer `index` of a model seeded with `seed` (splitmix32-style mixing). */
export function layerSeed(seed: number, index: number): number {
  let z = (Math.trunc(seed) ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Output units for a dataset: 1 for regression, one logit per class for classification. */
export function outputUnits(spec: DatasetSpec): number {
  if (spec.task === 'regression') return 1;
  if (!Number.isInteger(spec.classes) || spec.classes < 2) {
    throw new RangeError(`dataset "${spec.name}": classification needs at least 2 classes, got ${String(spec.classes)}`);
  }
  return spec.classes;
}

function checkFeatures(spec: DatasetSpec): void {
  if (!Number.isInteger(spec.features) || spec.features < 1) {
    throw new RangeError(`dataset "${spec.name}": features must be a whole number >= 1, got ${String(spec.features)}`);
  }
}

/**
 * [height, width, channels] of the dataset's images: spec.imageShape, or a square one-channel
 * image when features is a perfect square.
 */
export function imageShapeOf(spec: DatasetSpec): [number, number, number] {
  checkFeatures(spec);
  if (spec.imageShape) {
    const [h, w, c] = spec.imageShape;
    if (h * w * c !== spec.features) {
      throw new RangeError(
        `dataset "${spec.name}": imageShape ${h}x${w}x${c} holds ${h * w * c} values but rows have ${spec.features} features`,
      );
    }
    if (h < 3 || w < 3) throw new RangeError(`dataset "${spec.name}": cnn-small needs images of at least 3x3, got ${h}x${w}`);
    return [h, w, c];
  }
  const side = Math.round(Math.sqrt(spec.features));
  if (side * side !== spec.features || side < 3) {
    throw new RangeError(
      `model cnn-small needs image data: dataset "${spec.name}" has ${spec.features} features and no imageShape; ` +
        'use the "images" generator or a non-convolutional model',
    );
  }
  return [side, side, 1];
}

/** Stacks Dense layers of the given widths (relu) and a linear output layer. */
function denseStack(tf: Tf, spec: DatasetSpec, seed: number, hidden: readonly number[]): LayersModel {
  checkFeatures(spec);
  const model = tf.sequential();
  const widths = [...hidden, outputUnits(spec)];
  widths.forEach((units, i) => {
    const last = i === widths.length - 1;
    model.add(
      tf.layers.dense({
        units,
        activation: last ? 'linear' : 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, i) }),
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [spec.features] } : {}),
      }),
    );
  });
  return model;
}

function cnnSmall(tf: Tf, spec: DatasetSpec, seed: number): LayersModel {
  const shape = imageShapeOf(spec);
  const model = tf.sequential();
  model.add(tf.layers.reshape({ targetShape: shape, inputShape: [spec.features] }));
  model.add(
    tf.layers.conv2d({
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 0) }),
      biasInitializer: 'zeros',
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({
      units: outputUnits(spec),
      kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 1) }),
      biasInitializer: 'zeros',
    }),
  );
  return model;
}

export const BUILTIN_MODELS: Record<BuiltinModelName, ModelDefinition> = {
  linear: {
    name: 'linear',
    description: 'linear regression: one Dense unit',
    task: 'regression',
    defaultGenerator: 'regression',
    build: (tf, spec, seed) => denseStack(tf, spec, seed, []),
  },
  logistic: {
    name: 'logistic',
    description: 'multinomial logistic regression: Dense to one logit per class, softmax in the loss',
    task: 'classification',
    defaultGenerator: 'classification',
    build: (tf, spec, seed) => denseStack(tf, spec, seed, []),
  },
  'mlp-small': {
    name: 'mlp-small',
    description: 'MLP with 2 hidden layers of 64 relu units',
    task: 'classification',
    defaultGenerator: 'classification',
    build: (tf, spec, seed) => denseStack(tf, spec, seed, [64, 64]),
  },
  'mlp-deep': {
    name: 'mlp-deep',
    description: 'MLP with 4 hidden layers of 256 relu units',
    task: 'classification',
    defaultGenerator: 'classification',
    build: (tf, spec, seed) => denseStack(tf, spec, seed, [256, 256, 256, 256]),
  },
  'cnn-small': {
    name: 'cnn-small',
    description: 'conv 3x3 x 8 filters (relu, same padding), 2x2 max-pool, flatten, Dense output',
    task: 'classification',
    defaultGenerator: 'images',
    build: cnnSmall,
  },
};

/** Whether `name` is a built-in model name. */
export function isBuiltinModel(name: string): name is BuiltinModelName {
  return Object.prototype.hasOwnProperty.call(BUILTIN_MODELS, name);
}
