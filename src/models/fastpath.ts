/**
 * Leaner forward/backward graphs for training: the same maths as the layers and losses they
 * replace, written as custom-gradient ops so a step launches fewer tfjs kernels.
 *
 * Why: under tf.variableGrads a Dense layer runs as matMul + add + relu (fusing is disabled while
 * recording gradients), clones each input for the backward pass, and its backward pass takes ~9
 * kernels; softmax cross-entropy with mean reduction takes ~13 kernels forward and ~17 backward.
 * Each kernel launch costs ~10 µs of engine bookkeeping in tfjs, which is most of a step for small
 * models. The custom versions: Dense = one fused matmul forward, 4-5 kernels backward (no input
 * gradient for the first layer); loss = 3-4 kernels backward, and its value is only computed on the
 * steps whose loss is read. Conv2D layers have a fast form too (fastconv.ts). Layers without a fast
 * form run through their own `apply`.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import { convOp, convParts } from './fastconv.js';

type Activation = 'linear' | 'relu';

interface DenseParts {
  kernel: Tensor;
  bias: Tensor | null;
  activation: Activation;
}

/** The layer surface read here (tfjs-layers keeps Dense's fields private). */
interface LayerView {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  trainableWeights: Array<{ read(): Tensor; shape: number[] }>;
  apply(x: Tensor, kwargs: { training: boolean }): unknown;
}

/** Kernel, bias and activation of a Dense layer the fast path can run, else null. */
function denseParts(layer: LayerView): DenseParts | null {
  if (layer.getClassName() !== 'Dense') return null;
  const config = layer.getConfig();
  const activation = config['activation'];
  if (activation !== 'linear' && activation !== 'relu') return null;
  const useBias = config['useBias'] !== false;
  const weights = layer.trainableWeights;
  const kernel = weights[0];
  const bias = useBias ? weights[1] : undefined;
  if (!kernel || kernel.shape.length !== 2 || weights.length !== (useBias ? 2 : 1)) return null;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== kernel.shape[1])) return null;
  return { kernel: kernel.read(), bias: bias ? bias.read() : null, activation };
}

/**
 * act(x·W + b) with a hand-written gradient. `x` gets a gradient only when `inputNeedsGrad` (not
 * for the data batch that feeds the first layer). `inputIsBatch`: x is the model's input batch,
 * alive for the whole trial, so the backward pass may use it without saving a copy.
 */
export function denseOp(tf: Tf, x: Tensor, parts: DenseParts, inputNeedsGrad: boolean, inputIsBatch = false): Tensor {
  const { kernel, bias, activation } = parts;
  const forward = (a: Tensor, w: Tensor, b: Tensor | null): Tensor => {
    // runKernel directly: tf.fused.matMul refuses to fuse a non-linear activation while gradients
    // are recorded. The kernel takes rank-3 operands, as tf.fused.matMul would pass them.
    const [rows = 0, inner = 0] = a.shape;
    const units = w.shape[1] ?? 0;
    const a3 = tf.reshape(a, [1, rows, inner]);
    const w3 = tf.reshape(w, [1, inner, units]);
    const out = tf.engine().runKernel(
      '_FusedMatMul',
      b ? { a: a3, b: w3, bias: b } : { a: a3, b: w3 },
      { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 },
    ) as Tensor;
    return tf.reshape(out, [rows, units]);
  };
  const backward = (dy: Tensor, a: Tensor, w: Tensor, out: Tensor): Tensor[] => {
    const dz = activation === 'relu' ? tf.mul(dy, tf.step(out)) : dy;
    const grads: Tensor[] = [];
    if (inputNeedsGrad) grads.push(tf.matMul(dz, w, false, true));
    grads.push(tf.matMul(a, dz, true, false));
    // Σ over the batch as a [1, batch] · dz product: wasm reduces over axis 0 by transposing first,
    // which costs ~4x the matmul for 256x256.
    if (bias) grads.push(tf.reshape(tf.matMul(tf.ones([1, dz.shape[0] ?? 1]), dz), [dz.shape[1] ?? 1]));
    return grads;
  };
  const op = tf.customGrad((...args: unknown[]) => {
    // The last argument is customGrad's save(): tensors the gradient needs must go through it,
    // because engine.gradients disposes every other intermediate of the forward pass.
    const save = args[args.length - 1] as (tensors: Tensor[]) => void;
    const tensors = args.slice(0, -1) as Tensor[];
    const a = inputNeedsGrad ? (tensors.shift() as Tensor) : x;
    const w = tensors[0] as Tensor;
    const out = forward(a, w, bias ? (tensors[1] as Tensor) : null);
    // Weights are variables and the input batch lives for the whole trial: neither needs saving.
    const saveInput = inputNeedsGrad || !inputIsBatch;
    save(saveInput ? [a, out] : [out]);
    return {
      value: out,
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        backward(dy, saveInput ? (saved[0] as Tensor) : x, w, saved[saved.length - 1] as Tensor),
    };
  });
  const inputs = [...(inputNeedsGrad ? [x] : []), kernel, ...(bias ? [bias] : [])];
  return op(...inputs);
}

/**
 * The training-mode forward pass of `model`: a chain of fast Dense ops and plain layer calls for
 * Sequential models, `model.apply` otherwise.
 */
export function trainingForward(tf: Tf, model: LayersModel): (x: Tensor) => Tensor {
  if (model.getClassName() !== 'Sequential') {
    return (x) => model.apply(x, { training: true }) as Tensor;
  }
  const layers = model.layers as unknown as LayerView[];
  return (x) => {
    let h = x;
    // No gradient flows into layers before the first trainable one: they only see the data.
    let beforeTrainable = true;
    for (const layer of layers) {
      const dense = h.rank === 2 ? denseParts(layer) : null;
      const conv = h.rank === 4 && !dense ? convParts(tf, layer) : null;
      if (dense) h = denseOp(tf, h, dense, !beforeTrainable, h === x);
      else if (conv) h = convOp(tf, h, conv, !beforeTrainable, h === x);
      else h = layer.apply(h, { training: true }) as Tensor;
      if (layer.trainableWeights.length > 0) beforeTrainable = false;
    }
    return h;
  };
}

/**
 * Mean softmax cross-entropy of logits `z` [batch, classes] against one-hot `labels`, with the
 * gradient (softmax(z) - labels) / batch. The value is computed only when `withValue`; otherwise a
 * zero stands in (the gradient does not need it).
 */
export function softmaxCrossEntropy(tf: Tf, labels: Tensor, z: Tensor, withValue: boolean): Scalar {
  const op = tf.customGrad((...args: unknown[]) => {
    const logits = args[0] as Tensor;
    const save = args[1] as (tensors: Tensor[]) => void;
    const rows = logits.shape[0] ?? 1;
    const value = withValue
      ? tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(labels, logits), 1)))
      : tf.scalar(0);
    save([logits]);
    return {
      value: value as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        tf.mul(tf.sub(tf.softmax(saved[0] as Tensor), labels), tf.div(dy, rows)),
    };
  });
  return op(z) as Scalar;
}

/** Mean squared error of `pred` [batch, 1] against `target` [batch, 1], gradient 2(pred - target)/batch. */
export function meanSquaredError(tf: Tf, target: Tensor, pred: Tensor, withValue: boolean): Scalar {
  const op = tf.customGrad((...args: unknown[]) => {
    const p = args[0] as Tensor;
    const save = args[1] as (tensors: Tensor[]) => void;
    const rows = p.shape[0] ?? 1;
    const diff = tf.sub(p, target);
    const value = withValue ? tf.mean(tf.square(diff)) : tf.scalar(0);
    save([diff]);
    return {
      value: value as Scalar,
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.mul(saved[0] as Tensor, tf.div(tf.mul(dy, 2), rows)),
    };
  });
  return op(pred) as Scalar;
}
