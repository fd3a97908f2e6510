/**
 * BatchMatMul and _FusedMatMul for wasm on scale-bench's SIMD product (gemm.ts), which needs no
 * packing and reaches ~61 GFLOP/s here where the stock XNNPACK kernels reach ~45 (and 37 when they
 * repack an operand, as every training product does). Transposed operands are materialised with the
 * SIMD transpose first. Handles float32, rank-3 operands (what tfjs passes these kernels) with equal
 * or broadcast batch, linear or relu activation and a bias of one value per column; anything else
 * returns null and the caller runs its fallback.
 */
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { wasmHeap } from './heap.js';
import { transposeOnHeap } from './train-kernels.js';

type KernelParams = { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap };

export function simdMatMul(params: KernelParams): TensorInfo | null {
  const heap = wasmHeap(params.backend);
  const { a, b, bias, preluActivationWeights } = params.inputs;
  const attrs = params.attrs ?? {};
  const activation = (attrs['activation'] as string | undefined) ?? 'linear';
  if (!heap || !a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || preluActivationWeights) return null;
  if ((activation !== 'linear' && activation !== 'relu') || a.shape.length !== 3 || b.shape.length !== 3) return null;
  const transposeA = attrs['transposeA'] === true;
  const transposeB = attrs['transposeB'] === true;
  const [batchA, a1, a2] = a.shape as [number, number, number];
  const [batchB, b1, b2] = b.shape as [number, number, number];
  const M = transposeA ? a2 : a1;
  const K = transposeA ? a1 : a2;
  const N = transposeB ? b1 : b2;
  if ((transposeB ? b2 : b1) !== K || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return null;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== N)) return null;
  const batch = Math.max(batchA, batchB);
  const backend = heap.backend;
  const temporaries: TensorInfo[] = [];
  try {
    const aIn = transposeA ? (transposeOnHeap(backend, a) as TensorInfo) : a;
    if (transposeA) temporaries.push(aIn);
    const bIn = transposeB ? (transposeOnHeap(backend, b) as TensorInfo) : b;
    if (transposeB) temporaries.push(bIn);
    const out = backend.makeOutput([batch, M, N], 'float32');
    const pa = heap.pointer(aIn);
    const pb = heap.pointer(bIn);
    const pc = heap.pointer(out);
    const pBias = bias ? heap.pointer(bias) : 0;
    for (let i = 0; i < batch; i++) {
      heap.simd.gemm(
        pa + (batchA > 1 ? i * M * K * 4 : 0),
        pb + (batchB > 1 ? i * K * N * 4 : 0),
        pc + i * M * N * 4,
        pBias, M, N, K, K, N, N, activation === 'relu' ? 1 : 0, 0, 0,
      );
    }
    return out;
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}
