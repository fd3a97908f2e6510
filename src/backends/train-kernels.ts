/**
 * Kernel functions for the training-only kernels scale-bench gives the wasm backend, over the SIMD
 * kernels of simd-kernels.ts (with the JavaScript loops of conv-grad.ts and pool-grad.ts as the
 * fallback when the heap is out of reach):
 *
 * - Conv2DBackpropFilter: missing from tfjs 4.22's wasm backend; without it cnn-small cannot train.
 * - MaxPoolGrad: replaces the stock kernel (2.0 ms vs 0.08 ms for cnn-small's 256x8x8x8 at batch
 *   256, measured as CPU time); first-maximum semantics, see pool-grad.ts.
 * - ScaleBenchConv2DGrad: a conv layer's whole backward pass for its weights in one call: the relu
 *   mask, the filter gradient and the bias gradient (fastconv.ts's conv op uses it).
 */
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { Tf } from './load.js';
import { conv2dFilterGradient, type ConvGeometry } from './conv-grad.js';
import { maxPoolGradient } from './pool-grad.js';
import { wasmHeap, type WasmBackendInternals, type WasmHeap } from './heap.js';

export const CONV_GRAD_KERNEL = 'ScaleBenchConv2DGrad';

type KernelParams = { inputs: NamedTensorInfoMap; backend: {}; attrs?: NamedAttrMap };
type ConvPad = 'same' | 'valid' | number;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function input(params: KernelParams, name: string, kernel: string): TensorInfo {
  const info = params.inputs[name];
  if (!info || info.dtype !== 'float32') throw new Error(`${kernel}: input ${name} is missing or not float32`);
  return info;
}

/** dW (and db when given) of a convolution on the heap; `mask`: the relu's output (dy counts where it is > 0), or null. */
function convGradOnHeap(heap: WasmHeap, x: TensorInfo, dy: TensorInfo, mask: TensorInfo | null, g: ConvGeometry, dW: TensorInfo, db: TensorInfo | null): void {
  const CO = g.outChannels;
  const positions = g.batchSize * g.outHeight * g.outWidth;
  let dz = dy;
  if (mask) {
    dz = heap.backend.makeOutput(dy.shape, 'float32');
    heap.simd.relu_grad(heap.pointer(dy), heap.pointer(mask), heap.pointer(dz), positions * CO);
  }
  try {
    if (db) heap.simd.col_sum(heap.pointer(dz), heap.pointer(db), positions, CO, heap.scratch(CO * 8));
    heap.simd.convFilterGrad(CO)(
      heap.pointer(x), heap.pointer(dz), heap.pointer(dW), heap.scratch(g.filterHeight * g.filterWidth * g.inChannels * CO * 8),
      g.batchSize, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.filterHeight, g.filterWidth, g.padInfo.top, g.padInfo.left,
    );
  } finally {
    if (dz !== dy) heap.backend.disposeData(dz.dataId);
  }
}

function geometryOf(tf: Tf, x: TensorInfo, attrs: NamedAttrMap, dilations: unknown = 1): ConvGeometry {
  return tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs['filterShape'] as [number, number, number, number],
    attrs['strides'] as number | [number, number],
    dilations as number | [number, number],
    attrs['pad'] as ConvPad,
    attrs['dimRoundingMode'] as Rounding,
    false,
    'channelsLast',
  );
}

/**
 * Conv2DBackpropFilter for NHWC float32 (SIMD on the heap, else a JavaScript loop); `other` runs
 * every other case (channels-first data).
 */
export function conv2DBackpropFilterKernel(tf: Tf, other: KernelFunc): KernelFunc {
  return (params: KernelParams) => {
    const attrs = params.attrs ?? {};
    const x = params.inputs['x'];
    const dy = params.inputs['dy'];
    const dataFormat = tf.backend_util.convertConv2DDataFormat((attrs['dataFormat'] as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC');
    if (!x || !dy || dataFormat !== 'channelsLast' || x.dtype !== 'float32' || dy.dtype !== 'float32') return other(params);
    const g = geometryOf(tf, x, attrs);
    const backend = params.backend as WasmBackendInternals;
    const out = backend.makeOutput(attrs['filterShape'] as number[], 'float32');
    const heap = wasmHeap(backend);
    if (heap) convGradOnHeap(heap, x, dy, null, g, out, null);
    // Views are taken after the allocation: growing the heap detaches earlier ones.
    else backend.typedArrayFromHeap(out).set(conv2dFilterGradient(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(dy), g));
    return out;
  };
}

/** MaxPoolGrad with first-maximum semantics (pool-grad.ts). */
export function maxPoolGradKernel(tf: Tf): KernelFunc {
  return (params: KernelParams) => {
    const attrs = params.attrs ?? {};
    const x = input(params, 'input', 'MaxPoolGrad');
    const dy = input(params, 'dy', 'MaxPoolGrad');
    const g = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs['filterSize'] as number | [number, number],
      attrs['strides'] as number | [number, number],
      1,
      attrs['pad'] as ConvPad,
      attrs['dimRoundingMode'] as Rounding,
    );
    const backend = params.backend as WasmBackendInternals;
    const dx = backend.makeOutput(x.shape, 'float32');
    const heap = wasmHeap(backend);
    if (heap) {
      heap.simd.max_pool_grad(
        heap.pointer(x), heap.pointer(dy), heap.pointer(dx), g.batchSize, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
        g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.effectiveFilterHeight, g.effectiveFilterWidth, g.padInfo.top, g.padInfo.left,
      );
    } else {
      const out = backend.typedArrayFromHeap(dx);
      out.fill(0);
      maxPoolGradient(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(dy), g, out);
    }
    return dx;
  };
}

/**
 * ScaleBenchConv2DGrad: inputs x, dy and optionally mask (the relu's output: dy counts only where
 * it is > 0); attrs as Conv2DBackpropFilter's plus dilations. Outputs [dW, db]. Needs the heap.
 */
export function convGradKernel(tf: Tf): KernelFunc {
  return (params: KernelParams) => {
    const attrs = params.attrs ?? {};
    const x = input(params, 'x', CONV_GRAD_KERNEL);
    const dy = input(params, 'dy', CONV_GRAD_KERNEL);
    const mask = params.inputs['mask'] ? input(params, 'mask', CONV_GRAD_KERNEL) : null;
    const heap = wasmHeap(params.backend);
    if (!heap) throw new Error(`${CONV_GRAD_KERNEL} needs the wasm heap, which this tfjs build does not expose`);
    const g = geometryOf(tf, x, attrs, attrs['dilations'] ?? 1);
    const dW = heap.backend.makeOutput(attrs['filterShape'] as number[], 'float32');
    const db = heap.backend.makeOutput([g.outChannels], 'float32');
    convGradOnHeap(heap, x, dy, mask, g, dW, db);
    return [dW, db];
  };
}

/** The last two axes of `x` swapped, into a new output (SIMD 4x4 tiles), or null without the heap. */
export function transposeOnHeap(backendObject: unknown, x: TensorInfo): TensorInfo | null {
  const heap = wasmHeap(backendObject);
  if (!heap || x.dtype !== 'float32' || x.shape.length < 2) return null;
  const rank = x.shape.length;
  const rows = x.shape[rank - 2] as number;
  const cols = x.shape[rank - 1] as number;
  const shape = [...x.shape.slice(0, -2), cols, rows];
  const out = heap.backend.makeOutput(shape, 'float32');
  const batches = x.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const src = heap.pointer(x);
  const dst = heap.pointer(out);
  for (let b = 0; b < batches; b++) heap.simd.transpose(src + b * rows * cols * 4, dst + b * rows * cols * 4, rows, cols);
  return out;
}

/** Registers ScaleBenchConv2DGrad for wasm when the heap is reachable (idempotent); returns its label, if any. */
export function registerConvGradKernel(tf: Tf): string[] {
  if (!wasmHeap(tf.findBackend('wasm'))) return [];
  if (!tf.getKernel(CONV_GRAD_KERNEL, 'wasm')) tf.registerKernel({ kernelName: CONV_GRAD_KERNEL, backendName: 'wasm', kernelFunc: convGradKernel(tf) });
  return [`${CONV_GRAD_KERNEL}:simd`];
}

/** Removes ScaleBenchConv2DGrad (idempotent): the conv fast path then uses tfjs ops. */
export function unregisterConvGradKernel(tf: Tf): void {
  if (tf.getKernel(CONV_GRAD_KERNEL, 'wasm')) tf.unregisterKernel(CONV_GRAD_KERNEL, 'wasm');
}
