/**
 * Faster wasm matmul kernels for training.
 *
 * tfjs 4.22's wasm BatchMatMul and _FusedMatMul reach ~27 GFLOP/s on this machine when neither
 * operand is transposed, but only 1-2 GFLOP/s with transposeA or transposeB (XNNPACK's fast path is
 * skipped and a naive loop runs). Dense-layer backprop needs exactly those products (dy·Wᵀ, xᵀ·dy),
 * so stock training spends most of its time there. The patched kernels transpose the flagged operand
 * into a temporary buffer with the wasm Transpose kernel (O(n²), cheap next to the O(n³) product)
 * and call the stock kernel without the flag. Results are the same products, summed in a different
 * order, so they agree with stock to float32 rounding.
 *
 * The registry is per thread (each worker has its own tfjs), so so is the patch state here.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { Tf } from './load.js';

/** Kernels the patch replaces, with the label recorded in BackendInfo.kernelPatches. */
const PATCHED_KERNELS = [
  { kernelName: 'BatchMatMul', label: 'BatchMatMul:transpose-first' },
  { kernelName: '_FusedMatMul', label: '_FusedMatMul:transpose-first' },
  { kernelName: 'Identity', label: 'Identity:shared-buffer' },
] as const;

const PATCH_BACKEND = 'wasm';

/** The backend object a wasm kernel receives; the parts used here. */
interface KernelBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** Stock configs saved while patched, by kernel name; empty when stock kernels are registered. */
const stockConfigs = new Map<string, KernelConfig>();

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

/** Wraps a matmul kernel so transposed operands are materialised before the stock kernel runs. */
function transposeFirst(stock: KernelFunc, transpose: KernelFunc): KernelFunc {
  return (params: { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap }) => {
    const attrs = params.attrs ?? {};
    const transposeA = attrs['transposeA'] === true;
    const transposeB = attrs['transposeB'] === true;
    if (!transposeA && !transposeB) return stock(params);

    const backend = params.backend as KernelBackendLike;
    const temporaries: TensorInfo[] = [];
    const materialise = (x: TensorInfo | undefined): TensorInfo | undefined => {
      if (!x) return x;
      const out = singleOutput(transpose({ inputs: { x }, backend, attrs: { perm: swapLastTwoAxes(x.shape.length) } }));
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

/** Labels of the patches now registered in this thread (empty = stock tfjs). */
export function activeKernelPatches(): string[] {
  return PATCHED_KERNELS.filter((p) => stockConfigs.has(p.kernelName)).map((p) => p.label);
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
    else if (transpose) kernelFunc = transposeFirst(stock.kernelFunc, transpose.kernelFunc);
    else continue;
    stockConfigs.set(kernelName, stock);
    tf.unregisterKernel(kernelName, PATCH_BACKEND);
    // setupFunc/disposeFunc stay the stock ones: the wrapped kernel needs the stock setup to have run.
    tf.registerKernel({ ...stock, kernelFunc });
  }
  return activeKernelPatches();
}

/** Puts the stock wasm kernels back. Idempotent. */
export function removeKernelPatches(tf: Tf): void {
  for (const [kernelName, stock] of stockConfigs) {
    tf.unregisterKernel(kernelName, PATCH_BACKEND);
    tf.registerKernel(stock);
  }
  stockConfigs.clear();
}
