/**
 * Kernel changes for training on the wasm backend of tfjs 4.22, all measured on this machine:
 *
 * - BatchMatMul / _FusedMatMul "simd-gemm" (off with --stock-kernels): scale-bench's SIMD product
 *   (matmul-kernel.ts, gemm.ts): ~61 GFLOP/s for 256³ where the stock XNNPACK kernels reach ~45,
 *   and only 1-2 GFLOP/s with transposeA or transposeB (XNNPACK's fast path is skipped for a naive
 *   loop), which dense-layer backprop needs (dy·Wᵀ, xᵀ·dy). Flagged operands are transposed first
 *   (a SIMD transpose: 17 µs for 256x256, where wasm's own Transpose kernel takes 190 µs). Calls it
 *   does not handle, or a tfjs build whose heap is out of reach, go "transpose-first": the flagged
 *   operand transposed, then the stock kernel without the flag. Same products summed in another
 *   order: equal to float32 rounding.
 * - Identity "shared-buffer" (off with --stock-kernels): see sharedIdentity.
 * - MaxPoolGrad "simd-first-max" (off with --stock-kernels): see train-kernels.ts and pool-grad.ts.
 * - Fallbacks for kernels wasm lacks (always on: without them cnn-small cannot train on wasm).
 *
 * The kernel registry is per thread (each worker has its own tfjs), and so is the state here.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { Tf } from './load.js';
import { conv2DBackpropFilterKernel, maxPoolGradKernel, transposeOnHeap } from './train-kernels.js';
import { simdMatMul } from './matmul-kernel.js';
import { wasmHeap } from './heap.js';

/** Kernels the patch replaces, with the label recorded in BackendInfo.kernelPatches. */
const PATCHED_KERNELS = [
  { kernelName: 'BatchMatMul', label: 'BatchMatMul:simd-gemm', fallbackLabel: 'BatchMatMul:transpose-first' },
  { kernelName: '_FusedMatMul', label: '_FusedMatMul:simd-gemm', fallbackLabel: '_FusedMatMul:transpose-first' },
  { kernelName: 'Identity', label: 'Identity:shared-buffer', fallbackLabel: 'Identity:shared-buffer' },
  { kernelName: 'MaxPoolGrad', label: 'MaxPoolGrad:simd-first-max', fallbackLabel: 'MaxPoolGrad:js-first-max' },
] as const;

const PATCH_BACKEND = 'wasm';

/** The backend object a wasm kernel receives; the parts used here. */
interface KernelBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** Stock configs saved while patched, by kernel name; empty when stock kernels are registered. */
// Kept on globalThis, not in module state: tfjs's kernel registry is one per thread, but this module can be
// instantiated twice in a thread (a bundler, or tsx's isolated imports in `npm run bench`); a second copy with
// an empty map would think nothing is patched and leave the patch on while reporting stock kernels.
const STOCK_CONFIGS_KEY = Symbol.for('scale-bench.stock-kernel-configs');
const stockConfigs: Map<string, KernelConfig> = ((globalThis as Record<symbol, unknown>)[STOCK_CONFIGS_KEY] ??= new Map<
  string,
  KernelConfig
>()) as Map<string, KernelConfig>;

/** Permutation that swaps the last two axes of a rank-`rank` tensor. */
export function swapLastTwoAxes(rank: number): number[] {
  if (!Number.isInteger(rank) || rank < 2) throw new RangeError(`matmul operands need rank >= 2, got ${rank}`);
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function singleOutput(out: TensorInfo | TensorInfo[]): TensorInfo {
  const info = Array.isArray(out) ? out[0] : out;
  if (!info) throw new Error('wasm Transpose kernel returned no output');
  return info;
}

/**
 * Wraps a matmul kernel: the SIMD product where it applies, else the stock kernel with transposed
 * operands materialised first.
 */
function simdOrTransposeFirst(stock: KernelFunc, transpose: KernelFunc): KernelFunc {
  return (params: { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap }) => {
    const simd = simdMatMul(params);
    if (simd) return simd;
    const attrs = params.attrs ?? {};
    const transposeA = attrs['transposeA'] === true;
    const transposeB = attrs['transposeB'] === true;
    if (!transposeA && !transposeB) return stock(params);

    const backend = params.backend as KernelBackendLike;
    const temporaries: TensorInfo[] = [];
    const materialise = (x: TensorInfo | undefined): TensorInfo | undefined => {
      if (!x) return x;
      const out =
        transposeOnHeap(backend, x) ?? singleOutput(transpose({ inputs: { x }, backend, attrs: { perm: swapLastTwoAxes(x.shape.length) } }));
      temporaries.push(out);
      return out;
    };
    const inputs: NamedTensorInfoMap = { ...params.inputs };
    if (transposeA) inputs['a'] = materialise(inputs['a']);
    if (transposeB) inputs['b'] = materialise(inputs['b']);
    try {
      return stock({ inputs, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      // Temporaries made by calling kernels directly are backend buffers the engine never saw.
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

/**
 * Identity without a copy. The engine clones every tensor it saves for backprop through the
 * Identity kernel, and wasm's Identity copies the buffer (~20 copies of activations per MLP step).
 * Tensors are immutable, so sharing the buffer under the backend's reference count is safe; it is
 * what the cpu backend's Identity and wasm's own Reshape already do.
 */
function sharedIdentity(stock: KernelFunc): KernelFunc {
  return (params: { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap }) => {
    const x = params.inputs['x'];
    if (!x || x.dtype === 'string') return stock(params);
    (params.backend as KernelBackendLike).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Kernels the wasm backend of tfjs 4.22 lacks that training needs (gradients of conv layers, gather). */
const CPU_FALLBACK_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'Einsum',
] as const;

/** The parts of the wasm backend a fallback kernel uses. */
interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: TensorInfo['dtype']): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): { set(values: ArrayLike<number>): void };
}

/** The parts of tfjs-backend-cpu's MathBackendCPU a fallback kernel uses. */
export interface CpuBackendLike {
  write(values: ArrayLike<number>, shape: number[], dtype: TensorInfo['dtype']): object;
  readSync(dataId: object): ArrayLike<number>;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * Runs the cpu backend's kernel on copies of the wasm inputs and copies the outputs back: correct
 * and generic, at the cost of two copies and the cpu backend's speed.
 */
function cpuFallback(cpuKernel: KernelFunc, cpu: CpuBackendLike): KernelFunc {
  return (params: { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap }) => {
    const wasm = params.backend as WasmBackendLike;
    const made: object[] = [];
    try {
      const inputs: NamedTensorInfoMap = {};
      for (const [name, info] of Object.entries(params.inputs)) {
        if (!info) continue;
        const dataId = cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype);
        made.push(dataId);
        inputs[name] = { dataId, shape: info.shape, dtype: info.dtype };
      }
      const result = cpuKernel({ inputs, backend: cpu, ...(params.attrs ? { attrs: params.attrs } : {}) });
      const outputs = (Array.isArray(result) ? result : [result]).map((out) => {
        made.push(out.dataId);
        const copy = wasm.makeOutput(out.shape, out.dtype);
        wasm.typedArrayFromHeap(copy).set(cpu.readSync(out.dataId));
        return copy;
      });
      return Array.isArray(result) ? outputs : (outputs[0] as TensorInfo);
    } finally {
      for (const dataId of made) cpu.disposeData(dataId, true);
    }
  };
}

/** Fallback kernels registered in this thread, with their labels. */
const fallbacks: Map<string, string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('scale-bench.fallback-kernels')] ??= new Map<
  string,
  string
>()) as Map<string, string>;

/**
 * Registers stand-ins for the training kernels wasm lacks (without them cnn-small cannot train on
 * wasm): Conv2DBackpropFilter as a SIMD kernel (a JavaScript loop where the heap is out of reach),
 * the rest through the cpu backend. Adds kernels, replaces none, so it applies with stock kernels
 * too. Idempotent. Returns labels like "Conv2DBackpropFilter:simd" and "UnsortedSegmentSum:cpu-fallback".
 */
export function registerCpuFallbacks(tf: Tf, makeCpuBackend: () => CpuBackendLike): string[] {
  let cpu: CpuBackendLike | undefined;
  for (const kernelName of CPU_FALLBACK_KERNELS) {
    if (fallbacks.has(kernelName) || tf.getKernel(kernelName, PATCH_BACKEND)) continue;
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    if (!cpuKernel) continue;
    cpu ??= makeCpuBackend();
    const viaCpu = cpuFallback(cpuKernel.kernelFunc, cpu);
    const own = kernelName === 'Conv2DBackpropFilter';
    tf.registerKernel({
      kernelName,
      backendName: PATCH_BACKEND,
      kernelFunc: own ? conv2DBackpropFilterKernel(tf, viaCpu) : viaCpu,
    });
    const how = own ? (wasmHeap(tf.findBackend(PATCH_BACKEND)) ? 'simd' : 'js') : 'cpu-fallback';
    fallbacks.set(kernelName, `${kernelName}:${how}`);
  }
  return [...fallbacks.values()];
}

/** Labels of the patches now registered in this thread (empty = stock tfjs). */
export function activeKernelPatches(tf: Tf): string[] {
  const simd = wasmHeap(tf.findBackend(PATCH_BACKEND)) !== null;
  return PATCHED_KERNELS.filter((p) => stockConfigs.has(p.kernelName)).map((p) => (simd ? p.label : p.fallbackLabel));
}

/**
 * Registers the transpose-first matmul kernels for the wasm backend. Idempotent. Call after the
 * wasm backend is initialised; a kernel missing from the registry is left alone.
 * Returns the labels of the patches in force.
 */
export function applyKernelPatches(tf: Tf): string[] {
  const transpose = tf.getKernel('Transpose', PATCH_BACKEND);
  for (const { kernelName } of PATCHED_KERNELS) {
    if (stockConfigs.has(kernelName)) continue;
    const stock = tf.getKernel(kernelName, PATCH_BACKEND);
    if (!stock) continue;
    let kernelFunc: KernelFunc;
    if (kernelName === 'Identity') kernelFunc = sharedIdentity(stock.kernelFunc);
    else if (kernelName === 'MaxPoolGrad') kernelFunc = maxPoolGradKernel(tf);
    else if (transpose) kernelFunc = simdOrTransposeFirst(stock.kernelFunc, transpose.kernelFunc);
    else continue;
    stockConfigs.set(kernelName, stock);
    tf.unregisterKernel(kernelName, PATCH_BACKEND);
    // setupFunc/disposeFunc stay the stock ones: the wrapped kernel needs the stock setup to have run.
    tf.registerKernel({ ...stock, kernelFunc });
  }
  return activeKernelPatches(tf);
}

/** Puts the stock wasm kernels back. Idempotent. */
export function removeKernelPatches(tf: Tf): void {
  for (const [kernelName, stock] of stockConfigs) {
    tf.unregisterKernel(kernelName, PATCH_BACKEND);
    tf.registerKernel(stock);
  }
  stockConfigs.clear();
}
