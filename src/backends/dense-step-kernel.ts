/**
 * A whole training step of a stack of dense layers as one kernel: forward, loss gradient, backward
 * and Adam, for the wasm backend.
 *
 * Why: through tfjs's engine a step of an MLP is ~10 kernel launches per layer plus the Adam
 * update, and each launch costs engine bookkeeping (tensor tracking, tape records, scopes) that
 * for the small built-in models is most of the step, and that V8 needs thousands of steps to
 * optimise. Inside this kernel the same work is a fixed sequence of direct calls on the heap:
 * scale-bench's SIMD product (gemm.ts; bias and relu fused into the forward products) and SIMD
 * kernels for the transposes, the loss gradient, the bias sums, the relu gradients and Adam, plus
 * wasm's own Softmax. The engine sees one launch per step, whose outputs are the new weights and
 * moments (and the loss, when asked).
 *
 * Maths: the same as the fast path (fastpath.ts) with the fused Adam kernel: softmax cross-entropy
 * with gradient (softmax(z) - y)/rows, or squared error with gradient 2(z - y)/rows; Adam in
 * tfjs's float32 operation order. Products and bias gradients sum in another order than the op
 * path's (equal to float32 rounding; the tests compare the two).
 */
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { Tf } from './load.js';
import { wasmHeap, type WasmHeap } from './heap.js';
import type { AdamStep } from './adam-kernel.js';

export const DENSE_STEP_KERNEL = 'ScaleBenchDenseStep';

export type DenseLoss = 'softmax-cross-entropy' | 'squared-error';

/** Attributes of one step: the model's shape, the loss, and Adam's constants for this step. */
export interface DenseStepAttrs extends AdamStep {
  /** Per layer: 'relu' or 'linear'. */
  activations: string[];
  /** Per layer: whether it has a bias. */
  biases: boolean[];
  loss: DenseLoss;
  /** Also output the batch's loss (as a last, scalar output). */
  withLoss: boolean;
}

/** Input names of layer i's weight, bias and their Adam moments. */
export function denseStepInputNames(i: number): { w: string; b: string; mw: string; vw: string; mb: string; vb: string } {
  return { w: `w${i}`, b: `b${i}`, mw: `mw${i}`, vw: `vw${i}`, mb: `mb${i}`, vb: `vb${i}` };
}

type KernelParams = { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap };

/** Mean loss of the batch from the logits/predictions z and targets y (float64; read only when asked). */
function batchLoss(z: Float32Array, y: Float32Array, rows: number, cols: number, loss: DenseLoss): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    if (loss === 'squared-error') {
      for (let c = 0; c < cols; c++) total += ((z[base + c] as number) - (y[base + c] as number)) ** 2;
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, z[base + c] as number);
    let sum = 0;
    let dot = 0;
    for (let c = 0; c < cols; c++) {
      sum += Math.exp((z[base + c] as number) - max);
      dot += (y[base + c] as number) * (z[base + c] as number);
    }
    total += max + Math.log(sum) - dot;
  }
  return total / (loss === 'squared-error' ? rows * cols : rows);
}

function stepKernel(tf: Tf): KernelFunc {
  return (params: KernelParams) => {
    const heap = wasmHeap(params.backend) as WasmHeap;
    const attrs = params.attrs as unknown as DenseStepAttrs;
    const backend = heap.backend;
    const kernel = (name: string): KernelFunc => {
      const k = tf.getKernel(name, 'wasm');
      if (!k) throw new Error(`${DENSE_STEP_KERNEL}: the wasm backend has no ${name} kernel`);
      return k.kernelFunc;
    };
    const softmax = kernel('Softmax');
    const get = (name: string): TensorInfo => {
      const info = params.inputs[name];
      if (!info || info.dtype !== 'float32') throw new Error(`${DENSE_STEP_KERNEL}: input ${name} is missing or not float32`);
      return info;
    };
    const temporaries: TensorInfo[] = [];
    const temp = (info: TensorInfo): TensorInfo => {
      temporaries.push(info);
      return info;
    };
    const ptr = (info: TensorInfo): number => heap.pointer(info);
    const single = (out: TensorInfo | TensorInfo[]): TensorInfo => (Array.isArray(out) ? (out[0] as TensorInfo) : out);
    const x = get('x');
    const y = get('y');
    const rows = x.shape[0] as number;
    const layers = attrs.activations.length;
    const outputs: TensorInfo[] = [];
    /** Everything this step allocated for its outputs, freed if the step fails. */
    const made: TensorInfo[] = [];
    try {
      // Forward: h[l] = act(h[l-1]·W + b), one SIMD product per layer, which also writes h[l]ᵀ
      // (the backward pass's dW = h[l]ᵀ·dz needs it, and writing it from registers costs less than
      // a transpose pass). The input batch is transposed once.
      const h: TensorInfo[] = [x];
      const hT: TensorInfo[] = [temp(backend.makeOutput([x.shape[1] as number, rows], 'float32'))];
      heap.simd.transpose(ptr(x), ptr(hT[0] as TensorInfo), rows, x.shape[1] as number);
      const widths: number[] = [x.shape[1] as number];
      for (let l = 0; l < layers; l++) {
        const names = denseStepInputNames(l);
        const w = get(names.w);
        const [inner, units] = w.shape as [number, number];
        const out = temp(backend.makeOutput([rows, units], 'float32'));
        // The last layer's output (the logits) is not needed transposed.
        const outT = l < layers - 1 ? temp(backend.makeOutput([units, rows], 'float32')) : null;
        const bias = attrs.biases[l] ? ptr(get(names.b)) : 0;
        heap.simd.gemm(ptr(h[l] as TensorInfo), ptr(w), ptr(out), bias, rows, units, inner, inner, units, units, attrs.activations[l] === 'relu' ? 1 : 0, outT ? ptr(outT) : 0, rows);
        h.push(out);
        if (outT) hT.push(outT);
        widths.push(units);
      }
      // Loss gradient dz = (softmax(z) - y)/rows, or 2(z - y)/rows.
      const z = h[layers] as TensorInfo;
      const classes = widths[layers] as number;
      let dz = temp(backend.makeOutput([rows, classes], 'float32'));
      if (attrs.loss === 'softmax-cross-entropy') {
        const p = temp(single(softmax({ inputs: { logits: z }, backend, attrs: { dim: 1 } })));
        heap.simd.sub_scale(ptr(p), ptr(y), ptr(dz), rows * classes, 1 / rows);
      } else {
        heap.simd.sub_scale(ptr(z), ptr(y), ptr(dz), rows * classes, 2 / rows);
      }
      const lossValue = attrs.withLoss ? batchLoss(backend.typedArrayFromHeap(z), backend.typedArrayFromHeap(y), rows, classes, attrs.loss) : 0;

      // Backward, last layer first; each layer's gradients go straight into its Adam update.
      const adam = (w: TensorInfo, g: TensorInfo, m: TensorInfo, v: TensorInfo): TensorInfo[] => {
        const trio = [backend.makeOutput(w.shape, 'float32'), backend.makeOutput(w.shape, 'float32'), backend.makeOutput(w.shape, 'float32')];
        made.push(...trio);
        const [ow, om, ov] = trio as [TensorInfo, TensorInfo, TensorInfo];
        heap.simd.adam(ptr(w), ptr(g), ptr(m), ptr(v), ptr(ow), ptr(om), ptr(ov), w.shape.reduce((a, b) => a * b, 1),
          attrs.beta1, 1 - attrs.beta1, attrs.beta2, 1 - attrs.beta2, attrs.oneMinusAccBeta1, attrs.oneMinusAccBeta2, attrs.epsilon, -attrs.learningRate);
        return trio;
      };
      const perLayer: TensorInfo[][] = [];
      for (let l = layers - 1; l >= 0; l--) {
        const names = denseStepInputNames(l);
        const w = get(names.w);
        const inner = widths[l] as number;
        const units = widths[l + 1] as number;
        const hIn = h[l] as TensorInfo;
        // dW = h[l]ᵀ · dz
        const dW = temp(backend.makeOutput([inner, units], 'float32'));
        heap.simd.gemm(ptr(hT[l] as TensorInfo), ptr(dz), ptr(dW), 0, inner, units, rows, rows, units, units, 0, 0, 0);
        const layerOut = adam(w, dW, get(names.mw), get(names.vw));
        if (attrs.biases[l]) {
          const db = temp(backend.makeOutput([units], 'float32'));
          heap.simd.col_sum(ptr(dz), ptr(db), rows, units, heap.scratch(units * 8));
          layerOut.push(...adam(get(names.b), db, get(names.mb), get(names.vb)));
        }
        perLayer[l] = layerOut;
        if (l === 0) break;
        // dz of the layer below = (dz · Wᵀ) masked by its relu.
        const wT = temp(backend.makeOutput([units, inner], 'float32'));
        heap.simd.transpose(ptr(w), ptr(wT), inner, units);
        const dH = temp(backend.makeOutput([rows, inner], 'float32'));
        heap.simd.gemm(ptr(dz), ptr(wT), ptr(dH), 0, rows, inner, units, units, inner, inner, 0, 0, 0);
        if (attrs.activations[l - 1] === 'relu') {
          const masked = temp(backend.makeOutput([rows, inner], 'float32'));
          heap.simd.relu_grad(ptr(dH), ptr(hIn), ptr(masked), rows * inner);
          dz = masked;
        } else {
          dz = dH;
        }
      }
      for (const layerOut of perLayer) outputs.push(...layerOut);
      if (attrs.withLoss) {
        const loss = backend.makeOutput([], 'float32');
        made.push(loss);
        backend.typedArrayFromHeap(loss)[0] = lossValue;
        outputs.push(loss);
      }
      return outputs;
    } catch (error) {
      for (const out of made) backend.disposeData(out.dataId);
      throw error;
    } finally {
      // Temporaries made by calling kernels directly are backend buffers the engine never saw.
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

/** Registers the kernel for wasm when the heap is reachable (idempotent); returns its label, if any. */
export function registerDenseStepKernel(tf: Tf): string[] {
  if (!wasmHeap(tf.findBackend('wasm'))) return [];
  if (!tf.getKernel(DENSE_STEP_KERNEL, 'wasm')) tf.registerKernel({ kernelName: DENSE_STEP_KERNEL, backendName: 'wasm', kernelFunc: stepKernel(tf) });
  return [`${DENSE_STEP_KERNEL}:fused-step`];
}

/** Removes the kernel (idempotent): training then takes the op-by-op fast path. */
export function unregisterDenseStepKernel(tf: Tf): void {
  if (tf.getKernel(DENSE_STEP_KERNEL, 'wasm')) tf.unregisterKernel(DENSE_STEP_KERNEL, 'wasm');
}
