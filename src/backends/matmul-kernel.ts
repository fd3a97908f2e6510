/**
 * BatchMatMul and _FusedMatMul for wasm on scale-bench's SIMD product (gemm.ts), which needs no
 * packing and reaches ~61 GFLOP/s here where the stock XNNPACK kernels reach ~45 (and 37 when they
 * repack an operand, as every training product does). Transposed operands are materialised with the
 * SIMD transpose first. Handles float32 operands of rank >= 2 whose leading (batch) dimensions are
 * equal or one side's are all 1, linear or relu activation and a bias of one value per column; anything else
 * returns null and the caller runs its fallback. So do products of fewer than 4 rows without
 * transposes: there (single-row inference) XNNPACK's cached packed weights win (mlp-deep, one row:
 * 63 µs stock, 73 µs here), while from 32 rows on this kernel does (298 vs 393 µs).
 */
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { wasmHeap } from './heap.js';
import { transposeOnHeap } from './train-kernels.js';

type KernelParams = { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap };

/** The output's batch dimensions, when one side's equal the other's or are all 1 (else null: not handled here). */
function batchShape(outerA: number[], outerB: number[]): number[] | null {
  const size = (dims: number[]): number => dims.reduce((x, y) => x * y, 1);
  if (outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) return outerA;
  if (size(outerA) === 1 && outerA.length <= outerB.length) return outerB;
  if (size(outerB) === 1 && outerB.length <= outerA.length) return outerA;
  return null;
}

export function simdMatMul(params: KernelParams): TensorInfo | null {
  const heap = wasmHeap(params.backend);
  const { a, b, bias, preluActivationWeights } = params.inputs;
  const attrs = params.attrs ?? {};
  const activation = (attrs['activation'] as string | undefined) ?? 'linear';
  if (!heap || !a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || preluActivationWeights) return null;
  if ((activation !== 'linear' && activation !== 'relu') || a.shape.length < 2 || b.shape.length < 2) return null;
  const transposeA = attrs['transposeA'] === true;
  const transposeB = attrs['transposeB'] === true;
  const [a1, a2] = a.shape.slice(-2) as [number, number];
  const [b1, b2] = b.shape.slice(-2) as [number, number];
  const outer = batchShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!outer) return null;
  const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const M = transposeA ? a2 : a1;
  const K = transposeA ? a1 : a2;
  const N = transposeB ? b1 : b2;
  if ((transposeB ? b2 : b1) !== K) return null;
  if (M < 4 && !transposeA && !transposeB) return null;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== N)) return null;
  const batch = Math.max(batchA, batchB);
  const backend = heap.backend;
  const temporaries: TensorInfo[] = [];
  try {
    const aIn = transposeA ? (transposeOnHeap(backend, a) as TensorInfo) : a;
    if (transposeA) temporaries.push(aIn);
    const bIn = transposeB ? (transposeOnHeap(backend, b) as TensorInfo) : b;
    if (transposeB) temporaries.push(bIn);
    // The stock kernels' output shape: the broadcast batch dimensions, then [M, N].
    const out = backend.makeOutput([...outer, M, N], 'float32');
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
