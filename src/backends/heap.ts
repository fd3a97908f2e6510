/**
 * The parts of tfjs 4.22's wasm backend that scale-bench's kernels use: its heap (the memory its
 * module exports, which the SIMD kernels import), the byte offset of a tensor on it, output
 * allocation, and a per-thread scratch area.
 *
 * These are internals of @tensorflow/tfjs-backend-wasm (pinned at 4.22.0 in package.json); when
 * one is missing, `wasmHeap` returns null and the callers fall back to JavaScript loops.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { instantiateSimdKernels, WebAssemblyJs, type SimdKernels } from './simd-kernels.js';

/** The wasm backend object as its kernels see it (the parts used here). */
export interface WasmBackendInternals {
  wasm: { asm?: { memory?: unknown }; _malloc(bytes: number): number; _free(pointer: number): void };
  makeOutput(shape: number[], dtype: TensorInfo['dtype']): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  getMemoryOffset(dataId: object): number;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
  readSync(dataId: object): ArrayLike<number>;
}

export interface WasmHeap {
  backend: WasmBackendInternals;
  simd: SimdKernels;
  /** Byte offset of a tensor's data on the heap. */
  pointer(info: TensorInfo): number;
  /** A scratch area of at least `bytes`, 16-byte aligned, reused by every kernel of this thread. */
  scratch(bytes: number): number;
}

const heaps = new WeakMap<object, WasmHeap | null>();

/** The heap of a wasm backend, or null when this tfjs build does not expose what the kernels need. */
export function wasmHeap(backendObject: unknown): WasmHeap | null {
  // No wasm backend in this thread (findBackend gives null before wasm is registered).
  if (typeof backendObject !== 'object' || backendObject === null) return null;
  const backend = backendObject as WasmBackendInternals;
  const known = heaps.get(backend);
  if (known !== undefined) return known;
  const memory = backend?.wasm?.asm?.memory;
  let heap: WasmHeap | null = null;
  if (memory instanceof WebAssemblyJs.Memory && typeof backend.getMemoryOffset === 'function') {
    let scratchPointer = 0;
    let scratchBytes = 0;
    heap = {
      backend,
      simd: instantiateSimdKernels(memory),
      pointer: (info) => backend.getMemoryOffset(info.dataId),
      scratch(bytes: number): number {
        if (bytes > scratchBytes) {
          if (scratchPointer) backend.wasm._free(scratchPointer);
          scratchBytes = Math.max(bytes, 2 * scratchBytes, 4096);
          scratchPointer = backend.wasm._malloc(scratchBytes + 16) >>> 0;
        }
        return Math.ceil(scratchPointer / 16) * 16;
      },
    };
  }
  heaps.set(backend, heap);
  return heap;
}
