/**
 * Parameter and FLOP counts of a tfjs LayersModel, from a walk of its layers.
 *
 * Conventions (a multiply-add is 2 FLOPs): Dense 2·in·out, Conv2D 2·kh·kw·cin·cout·outH·outW, plus
 * one FLOP per output element for a bias and one for a non-linear activation; pooling one FLOP per
 * window element; reshapes and dropout nothing. Training ≈ 3 × forward (the backward pass computes
 * two products per forward product: the input gradient and the weight gradient), which for dense
 * models is ≈ 6 × parameters per sample.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ModelInfo } from '../results/schema.js';

/** Backward ≈ 2 × forward, so one training step ≈ 3 × forward. */
export const TRAIN_TO_FORWARD = 3;

/** The parts of a tfjs layer this walk reads (structural, so tests can pass plain objects). */
export interface LayerLike {
  name: string;
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  /** Shape with a null batch dimension; an array of shapes for multi-output layers. */
  outputShape: ReadonlyArray<number | null> | ReadonlyArray<ReadonlyArray<number | null>>;
  weights: ReadonlyArray<{ shape: ReadonlyArray<number | null>; trainable: boolean }>;
  /** Present when the layer is itself a model (nested Sequential or functional model). */
  layers?: LayerLike[];
}

export interface LayerFlops {
  layer: string;
  className: string;
  /** Trainable parameters of this layer. */
  params: number;
  /** Forward FLOPs per sample. */
  forwardFlops: number;
  /** How the count was made when it is an estimate. */
  note?: string;
}

export interface ModelFlops {
  info: ModelInfo;
  layers: LayerFlops[];
  /** Layer types counted by the fallback estimate (2 × params), by class name. */
  estimated: string[];
}

const NO_COMPUTE = new Set([
  'InputLayer',
  'Reshape',
  'Flatten',
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'Permute',
  'RepeatVector',
  'Masking',
  'ZeroPadding2D',
  'Cropping2D',
]);

/** Layers whose cost is about one FLOP per output element (activations, merges, normalisation). */
const ELEMENTWISE = new Set([
  'Activation',
  'ReLU',
  'LeakyReLU',
  'PReLU',
  'ELU',
  'ThresholdedReLU',
  'Softmax',
  'Add',
  'Subtract',
  'Multiply',
  'Average',
  'Maximum',
  'Minimum',
  'Concatenate',
  'BatchNormalization',
  'LayerNormalization',
  'Rescaling',
]);

const POOLING = new Set(['MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D']);
const GLOBAL_POOLING = new Set([
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
]);

function product(dims: ReadonlyArray<number | null>): number {
  let n = 1;
  for (const d of dims) n *= d ?? 1;
  return n;
}

/** Elements per sample of a layer's (first) output: the product of all but the batch dimension. */
function outputElements(layer: LayerLike): number {
  const shape = layer.outputShape;
  const first = (Array.isArray(shape[0]) ? shape[0] : shape) as ReadonlyArray<number | null>;
  return product(first.slice(1));
}

function trainableParams(layer: LayerLike): number {
  return layer.weights.filter((w) => w.trainable).reduce((sum, w) => sum + product(w.shape), 0);
}

function activationFlops(layer: LayerLike, outputs: number): number {
  const activation = layer.getConfig()['activation'];
  return activation === undefined || activation === 'linear' || activation === null ? 0 : outputs;
}

function biasFlops(layer: LayerLike, outputs: number): number {
  return layer.getConfig()['useBias'] === false ? 0 : outputs;
}

function poolWindow(layer: LayerLike): number {
  const size = layer.getConfig()['poolSize'];
  if (typeof size === 'number') return size;
  if (Array.isArray(size)) return product(size as number[]);
  return 1;
}

/** Forward FLOPs per sample of one (non-nested) layer, and a note when estimated. */
function layerFlops(layer: LayerLike): { flops: number; note?: string } {
  const className = layer.getClassName();
  const outputs = outputElements(layer);
  const kernel = layer.weights[0]?.shape;
  switch (true) {
    case className === 'Dense' && kernel !== undefined: {
      const [inputs = 0, units = 0] = kernel as number[];
      const matmul = 2 * inputs * units * (outputs / Math.max(units, 1));
      return { flops: matmul + biasFlops(layer, outputs) + activationFlops(layer, outputs) };
    }
    case (className === 'Conv2D' || className === 'Conv1D') && kernel !== undefined: {
      // kernel: [kh, kw, cin, cout] (2D) or [k, cin, cout] (1D); outputs = outH·outW·cout.
      const k = kernel as number[];
      const perOutput = 2 * product(k.slice(0, -1));
      return { flops: perOutput * outputs + biasFlops(layer, outputs) + activationFlops(layer, outputs) };
    }
    case NO_COMPUTE.has(className):
      return { flops: 0 };
    case ELEMENTWISE.has(className):
      return { flops: outputs };
    case POOLING.has(className):
      return { flops: outputs * poolWindow(layer) };
    case GLOBAL_POOLING.has(className):
      // Every input element is read once; the input is not recorded here, so count outputs as a floor.
      return { flops: outputs, note: 'global pooling counted as 1 FLOP per output' };
    default: {
      const params = trainableParams(layer);
      return {
        flops: 2 * params + activationFlops(layer, outputs),
        note: `unknown layer type ${className}: estimated as 2 FLOPs per parameter`,
      };
    }
  }
}

function walk(layers: readonly LayerLike[], out: LayerFlops[], estimated: Set<string>): void {
  for (const layer of layers) {
    if (layer.layers && layer.layers.length > 0) {
      walk(layer.layers, out, estimated);
      continue;
    }
    const { flops, note } = layerFlops(layer);
    if (note?.startsWith('unknown')) estimated.add(layer.getClassName());
    out.push({
      layer: layer.name,
      className: layer.getClassName(),
      params: trainableParams(layer),
      forwardFlops: flops,
      ...(note ? { note } : {}),
    });
  }
}

/** Per-layer counts, plus the totals as a ModelInfo. */
export function countModelFlops(model: { layers: readonly LayerLike[] }, name: string): ModelFlops {
  const layers: LayerFlops[] = [];
  const estimated = new Set<string>();
  walk(model.layers, layers, estimated);
  const params = layers.reduce((sum, l) => sum + l.params, 0);
  const forwardFlopsPerSample = layers.reduce((sum, l) => sum + l.forwardFlops, 0);
  return {
    info: { name, params, forwardFlopsPerSample, trainFlopsPerSample: TRAIN_TO_FORWARD * forwardFlopsPerSample },
    layers,
    estimated: [...estimated],
  };
}

/** Size of a model: trainable parameters and forward/training FLOPs per sample. */
export function describeModel(model: LayersModel, name: string): ModelInfo {
  return countModelFlops(model as unknown as { layers: LayerLike[] }, name).info;
}
