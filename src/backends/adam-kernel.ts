/**
 * One kernel that applies an Adam step to every variable of a model, for the wasm backend.
 *
 * With tfjs ops an Adam step is ~13 element-wise kernels per variable (or a concat + split around
 * them); each launch costs ~10-20 µs of engine bookkeeping and each pass re-reads the vectors. This
 * kernel takes all weights, gradients and moments at once and updates them in one pass over the
 * wasm heap: a single launch per step, as SIMD (simd-kernels.ts: 0.16 ms for mlp-deep's 206k
 * weights where the tfjs ops take 0.84 ms, CPU time) or, where the heap is out of reach, JavaScript.
 * Registered only while scale-bench's kernels are on (not with --stock-kernels); GroupedAdam uses
 * it when the active backend has it.
 */
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { Tf } from './load.js';
import { wasmHeap } from './heap.js';

export const ADAM_KERNEL = 'ScaleBenchAdamUpdate';
const BACKEND = 'wasm';

/** Constants of one step; the bias corrections are 1 - beta^t. */
export interface AdamStep {
  beta1: number;
  beta2: number;
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  learningRate: number;
}

/** Names of the kernel inputs for variable `i`. */
export function adamInputNames(i: number): { w: string; g: string; m: string; v: string } {
  return { w: `w${i}`, g: `g${i}`, m: `m${i}`, v: `v${i}` };
}

type Floats = { readonly length: number; [i: number]: number };

/**
 * tf.train.adam's update, element by element and in its order of operations:
 *   m' = β1·m + (1-β1)·g;  v' = β2·v + (1-β2)·g²;  w' = w - lr · (m'/c1) / (sqrt(v'/c2) + ε)
 * Arithmetic in float64, stored as float32 (tfjs rounds after every op; the results agree to ~1e-7).
 */
export function adamUpdate(w: Floats, g: Floats, m: Floats, v: Floats, outW: Floats, outM: Floats, outV: Floats, s: AdamStep): void {
  const b1 = s.beta1;
  const b2 = s.beta2;
  const a1 = 1 - s.beta1;
  const a2 = 1 - s.beta2;
  const c1 = s.oneMinusAccBeta1;
  const c2 = s.oneMinusAccBeta2;
  const lr = s.learningRate;
  const eps = s.epsilon;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] as number;
    const mi = b1 * (m[i] as number) + a1 * gi;
    const vi = b2 * (v[i] as number) + a2 * gi * gi;
    outM[i] = mi;
    outV[i] = vi;
    outW[i] = (w[i] as number) - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}

/** The wasm backend parts used here. */
interface WasmHeap {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

const adamKernel: KernelFunc = (params: { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap }) => {
  const backend = params.backend as WasmHeap;
  const step = params.attrs as unknown as AdamStep;
  const count = Object.keys(params.inputs).length / 4;
  const get = (name: string): TensorInfo => {
    const info = params.inputs[name];
    if (!info || info.dtype !== 'float32') throw new Error(`${ADAM_KERNEL}: input ${name} is missing or not float32`);
    return info;
  };
  // Allocate every output before taking any heap view: growing the heap detaches earlier views.
  const outputs: TensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    const shape = get(adamInputNames(i).w).shape;
    outputs.push(backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32'));
  }
  const heap = wasmHeap(backend);
  if (heap) {
    // tfjs's float32 operations in tfjs's order: the same bits as the op-by-op update.
    const { beta1, beta2, oneMinusAccBeta1: c1, oneMinusAccBeta2: c2, epsilon, learningRate } = step;
    for (let i = 0; i < count; i++) {
      const names = adamInputNames(i);
      const w = get(names.w);
      const p = (info: TensorInfo): number => heap.pointer(info);
      const [ow, om, ov] = outputs.slice(3 * i, 3 * i + 3) as [TensorInfo, TensorInfo, TensorInfo];
      heap.simd.adam(p(w), p(get(names.g)), p(get(names.m)), p(get(names.v)), p(ow), p(om), p(ov), w.shape.reduce((a, b) => a * b, 1),
        beta1, 1 - beta1, beta2, 1 - beta2, c1, c2, epsilon, -learningRate);
    }
    return outputs;
  }
  for (let i = 0; i < count; i++) {
    const names = adamInputNames(i);
    const view = (info: TensorInfo): Float32Array => backend.typedArrayFromHeap(info);
    adamUpdate(
      view(get(names.w)),
      view(get(names.g)),
      view(get(names.m)),
      view(get(names.v)),
      view(outputs[3 * i] as TensorInfo),
      view(outputs[3 * i + 1] as TensorInfo),
      view(outputs[3 * i + 2] as TensorInfo),
      step,
    );
  }
  return outputs;
};

/** Registers the kernel for wasm (idempotent); returns its label: `...:fused-simd`, or `...:fused-js` without the heap. */
export function registerAdamKernel(tf: Tf): string {
  if (!tf.getKernel(ADAM_KERNEL, BACKEND)) tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: BACKEND, kernelFunc: adamKernel });
  return `${ADAM_KERNEL}:${wasmHeap(tf.findBackend(BACKEND)) ? 'fused-simd' : 'fused-js'}`;
}

/** Removes the kernel (idempotent): GroupedAdam then uses tfjs ops. */
export function unregisterAdamKernel(tf: Tf): void {
  if (tf.getKernel(ADAM_KERNEL, BACKEND)) tf.unregisterKernel(ADAM_KERNEL, BACKEND);
}

/** Whether the active backend of this thread has the fused kernel. */
export function hasAdamKernel(tf: Tf): boolean {
  return Boolean(tf.getKernel(ADAM_KERNEL, tf.getBackend()));
}
