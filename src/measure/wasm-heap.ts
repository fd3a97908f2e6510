/**
 * The pool's wasm heaps, in shared memory: each worker thread publishes the size of its tfjs wasm
 * heap (its WebAssembly.Memory) after every task, so the main thread can add them up at any moment.
 * A wasm heap only ever grows: the part of a cell's RSS growth that is heap growth says what ran
 * before the cell as much as what the cell needs (see CellMemory in ./memory.ts).
 */
import { threadId } from 'node:worker_threads';
import { workerData } from 'piscina';
import { wasmHeapBytes } from '../backends/index.js';

/** Far more threads than any pool has (--workers is capped well below). */
const SLOTS = 1024;

/** Created by the pool runner and handed to every worker as piscina's workerData.wasmHeaps. */
export function createHeapRegistry(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * 8 + SLOTS * 4);
}

function views(registry: SharedArrayBuffer): { bytes: Float64Array; owners: Int32Array } {
  return { bytes: new Float64Array(registry, 0, SLOTS), owners: new Int32Array(registry, SLOTS * 8, SLOTS) };
}

/** Records `bytes` as the heap size of thread `thread` (slots are claimed once per thread, lock-free). */
export function publishHeapBytes(registry: SharedArrayBuffer, thread: number, bytes: number): void {
  const { bytes: sizes, owners } = views(registry);
  const owner = thread + 1;
  for (let i = 0; i < SLOTS; i++) {
    const current = Atomics.load(owners, i);
    if (current === owner || (current === 0 && Atomics.compareExchange(owners, i, 0, owner) === 0)) {
      sizes[i] = bytes;
      return;
    }
  }
}

/** Sum of the last published heap sizes of every thread, in bytes (0 when no thread runs wasm). */
export function totalHeapBytes(registry: SharedArrayBuffer): number {
  const { bytes, owners } = views(registry);
  let total = 0;
  for (let i = 0; i < SLOTS && Atomics.load(owners, i) !== 0; i++) total += bytes[i]!;
  return total;
}

/** In a pool worker: publish this thread's wasm heap size now (no-op outside a pool that has a registry). */
export function publishThisHeap(): void {
  const registry = (workerData as { wasmHeaps?: unknown } | undefined)?.wasmHeaps;
  if (registry instanceof SharedArrayBuffer) publishHeapBytes(registry, threadId, wasmHeapBytes());
}
