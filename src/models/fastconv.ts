/**
 * A Conv2D layer as one custom-gradient op, for training on wasm with scale-bench's kernels.
 *
 * Why: under a gradient tape tfjs-layers' Conv2D runs as conv2d + bias add + relu (fusing is off
 * while gradients are recorded), and its backward pass is a relu-gradient multiply, a sum over three
 * axes for the bias (which wasm computes by transposing first) and the filter gradient: five more
 * kernels, each a pass over the activations. Here the forward pass is wasm's FusedConv2D (XNNPACK:
 * conv, bias and relu in one kernel) and the backward pass one ScaleBenchConv2DGrad call (relu mask,
 * filter and bias gradients as SIMD passes on the heap, train-kernels.ts). Same maths: the tests
 * compare both.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import { CONV_GRAD_KERNEL } from '../backends/train-kernels.js';

export interface ConvParts {
  kernel: Tensor;
  bias: Tensor | null;
  activation: 'linear' | 'relu';
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
}

interface ConvLayerView {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  trainableWeights: Array<{ read(): Tensor; shape: number[] }>;
}

const pair = (v: unknown): [number, number] | null => {
  const p = Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];
  return p.every((n) => Number.isInteger(n) && n >= 1) ? (p as [number, number]) : null;
};

/** The parts of a Conv2D layer the fast op can run (NHWC, linear or relu, same/valid padding), else null. */
export function convParts(tf: Tf, layer: ConvLayerView): ConvParts | null {
  if (layer.getClassName() !== 'Conv2D' || !tf.getKernel(CONV_GRAD_KERNEL, tf.getBackend())) return null;
  const config = layer.getConfig();
  const activation = config['activation'];
  const padding = config['padding'];
  if (activation !== 'linear' && activation !== 'relu') return null;
  if (padding !== 'same' && padding !== 'valid') return null;
  if ((config['dataFormat'] ?? 'channelsLast') !== 'channelsLast') return null;
  const strides = pair(config['strides'] ?? 1);
  const dilations = pair(config['dilationRate'] ?? 1);
  // tfjs computes conv gradients only for unit dilations.
  if (!strides || !dilations || dilations[0] !== 1 || dilations[1] !== 1) return null;
  const useBias = config['useBias'] !== false;
  const weights = layer.trainableWeights;
  const kernel = weights[0];
  if (!kernel || kernel.shape.length !== 4 || weights.length !== (useBias ? 2 : 1)) return null;
  return { kernel: kernel.read(), bias: useBias ? (weights[1] as { read(): Tensor }).read() : null, activation, strides, pad: padding, dilations };
}

/**
 * act(conv2d(x, W) + b) with a hand-written gradient; `x` gets a gradient only when `inputNeedsGrad`.
 * `inputIsBatch`: x is (a reshape of) the trial's input batch, alive for the whole trial, so the
 * backward pass uses it without saving a copy.
 */
export function convOp(tf: Tf, x: Tensor, parts: ConvParts, inputNeedsGrad: boolean, inputIsBatch: boolean): Tensor {
  const { kernel, bias, activation, strides, pad, dilations } = parts;
  const attrs = { strides, pad, dataFormat: 'NHWC', dilations, activation, leakyreluAlpha: 0 };
  const op = tf.customGrad((...args: unknown[]) => {
    const save = args[args.length - 1] as (tensors: Tensor[]) => void;
    const tensors = args.slice(0, -1) as Tensor[];
    const input = inputNeedsGrad ? (tensors.shift() as Tensor) : x;
    const filter = tensors[0] as Tensor;
    const b = bias ? (tensors[1] as Tensor) : null;
    const out = tf.engine().runKernel('FusedConv2D', b ? { x: input, filter, bias: b } : { x: input, filter }, attrs) as Tensor;
    const saveInput = inputNeedsGrad || !inputIsBatch;
    save(saveInput ? [input, out] : [out]);
    return {
      value: out,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const a = saveInput ? (saved[0] as Tensor) : x;
        const y = saved[saved.length - 1] as Tensor;
        const gradAttrs = { strides, pad, dilations, filterShape: filter.shape };
        const relu = activation === 'relu';
        // The mask is the layer's output: dy counts where it is > 0.
        const [dW, db] = tf.engine().runKernel(CONV_GRAD_KERNEL, relu ? { x: a, dy, mask: y } : { x: a, dy }, gradAttrs) as Tensor[];
        const grads: Tensor[] = [];
        if (inputNeedsGrad) {
          const dz = relu ? tf.mul(dy, tf.step(y)) : dy;
          grads.push(tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter }, { strides, pad, dataFormat: 'NHWC', inputShape: a.shape }) as Tensor);
        }
        grads.push(dW as Tensor);
        if (bias) grads.push(db as Tensor);
        else (db as Tensor).dispose();
        return grads;
      },
    };
  });
  return op(...[...(inputNeedsGrad ? [x] : []), kernel, ...(bias ? [bias] : [])]);
}
