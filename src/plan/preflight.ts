/**
 * Memory preflight: before anything is generated or trained, count every buffer the largest cell
 * will hold and refuse a plan that cannot fit, instead of dying minutes in (a 20-million-row data set
 * once passed this check and crashed after 18 s and 3.2 GB).
 *
 * Buffers counted, per cell:
 *  - in the main thread: the data set table in shared memory (float32 x and y), and for a user's file
 *    also its decoded columns and encoded rows (float64), which stay loaded for the whole run;
 *  - in each worker: the training rows uploaded as tensors (inputs, and targets one-hot per class for
 *    classification), the held-out inputs and their float64 targets, the model (weights, gradients,
 *    Adam's two moments, the weights' checksum copy) and activations;
 *  - checksums hash views of these buffers in chunks (data/checksum.ts) and copy nothing.
 * Two limits: the memory the machine has free, and the 4 GiB a wasm worker can address at most.
 */
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import type { BenchmarkPlan, Cell, DatasetSpec } from '../results/schema.js';
import { UsageError } from '../config/errors.js';
import { formatBytes } from '../config/format.js';
import { estimatedParams } from '../models/cost.js';
import { heldOutRows } from '../data/rows.js';

/** Node, the CLI and piscina in the main thread. */
const MAIN_PROCESS_BYTES = 120 * 2 ** 20;
/** One worker thread with tfjs and an initialised wasm backend (measured: about 30-40 MiB). */
const WORKER_BYTES = 48 * 2 ** 20;
/** Weights, gradients and Adam's two moments, float32 each, plus the float32 copy the weights' checksum reads. */
const BYTES_PER_PARAM = 4 * 5;
/** Headroom for what the estimate leaves out (allocator slack, batches being cut). */
const SAFETY = 1.25;
const FLOAT32 = 4;
const FLOAT64 = 8;
/** emscripten's heap ceiling in @tensorflow/tfjs-backend-wasm (getHeapMax: 4294901760 bytes). */
export const WASM_HEAP_BYTES = 4_294_901_760;

/** What one cell holds, in bytes, by buffer. */
export interface CellMemory {
  /** The data set table in shared memory (x and y, float32), training and held-out rows. */
  dataset: number;
  /** A user's file as loaded for the run: decoded columns and encoded rows (0 for generated data). */
  fileData: number;
  /** Per worker: training and held-out rows as tensors, held-out targets. */
  tensorsPerWorker: number;
  /** Per worker: weights, gradients, optimizer state, the checksum copy, activations. */
  modelPerWorker: number;
  /** Node, the CLI, and the pool's worker threads with their backends. */
  runtime: number;
  /** Everything, with the safety margin. */
  total: number;
}

export interface CellMemoryEstimate {
  cell: Cell;
  memory: CellMemory;
  /** Estimated peak resident bytes of the whole process while this cell runs (memory.total). */
  bytes: number;
}

/** The rows of a user's file as the run keeps them: raw columns (float64 value + int32 code each) and encoded rows (float64). */
function fileBytes(spec: DatasetSpec): number {
  if (spec.generator !== 'file' || !spec.source) return 0;
  const rows = spec.source.rows;
  const columns = spec.source.columns.length + 1;
  return rows * columns * (FLOAT64 + 4) + rows * (spec.features + 1) * FLOAT64;
}

export function cellMemory(cell: Cell, spec: DatasetSpec, plan: Pick<BenchmarkPlan, 'training'>, poolWidth: number): CellMemory {
  const nTest = heldOutRows(cell.size, plan.training.testFraction);
  const rows = cell.size + nTest;
  const dataset = rows * (spec.features + 1) * FLOAT32;
  const targetValues = spec.task === 'classification' ? spec.classes : 1;
  const tensorsPerWorker = cell.size * (spec.features + targetValues) * FLOAT32 + nTest * (spec.features * FLOAT32 + FLOAT64);
  const activations = plan.training.batchSize * Math.max(spec.features, 256) * FLOAT32 * 8;
  const modelPerWorker = estimatedParams(cell.model) * BYTES_PER_PARAM + activations;
  const runtime = MAIN_PROCESS_BYTES + poolWidth * WORKER_BYTES;
  const fileData = fileBytes(spec);
  const total = (runtime + dataset + fileData + cell.workers * (tensorsPerWorker + modelPerWorker)) * SAFETY;
  return { dataset, fileData, tensorsPerWorker, modelPerWorker, runtime, total };
}

/** Estimated peak resident bytes of the whole process while this cell runs. */
export function estimateCellBytes(cell: Cell, spec: DatasetSpec, plan: Pick<BenchmarkPlan, 'training'>, poolWidth: number): number {
  return cellMemory(cell, spec, plan, poolWidth).total;
}

function estimates(plan: BenchmarkPlan): CellMemoryEstimate[] {
  const specs = new Map(plan.datasets.map((spec) => [spec.name, spec]));
  const poolWidth = Math.max(1, ...plan.cells.map((cell) => cell.workers));
  return plan.cells.flatMap((cell) => {
    const spec = specs.get(cell.dataset);
    if (!spec) return [];
    const memory = cellMemory(cell, spec, plan, poolWidth);
    return [{ cell, memory, bytes: memory.total }];
  });
}

export function largestCell(plan: BenchmarkPlan): CellMemoryEstimate | undefined {
  return maxBy(estimates(plan), (estimate) => estimate.bytes);
}

/** Memory this process may use: what the OS reports free, capped by a cgroup (container) limit if one is set. */
export function availableMemoryBytes(): number {
  let available = freemem();
  try {
    const limit = readFileSync('/sys/fs/cgroup/memory.max', 'utf8').trim();
    if (/^\d+$/.test(limit)) {
      const used = Number(readFileSync('/sys/fs/cgroup/memory.current', 'utf8').trim());
      available = Math.min(available, Number(limit) - (Number.isFinite(used) ? used : 0));
    }
  } catch {
    // No cgroup v2 limit readable: the OS figure stands.
  }
  return available;
}

function describeCell(cell: Cell): string {
  return `${cell.model} on ${cell.dataset}, n=${cell.size}, ${cell.workers} worker${cell.workers === 1 ? '' : 's'}`;
}

function breakdown(memory: CellMemory, workers: number): string {
  const parts = [`data set ${formatBytes(memory.dataset)}`];
  if (memory.fileData > 0) parts.push(`file rows ${formatBytes(memory.fileData)}`);
  parts.push(`${workers} × ${formatBytes(memory.tensorsPerWorker + memory.modelPerWorker)} of tensors and model per worker`, `runtime ${formatBytes(memory.runtime)}`);
  return parts.join(', ');
}

function maxBy<T>(items: readonly T[], score: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || score(item) > score(best)) best = item;
  return best;
}

/** What one worker of the cell holds in its backend's memory, with the margin and the worker's own runtime. */
function workerBytes(memory: CellMemory): number {
  return (memory.tensorsPerWorker + memory.modelPerWorker) * SAFETY + WORKER_BYTES;
}

/**
 * Refuses (exit 2) a plan whose largest cell would not fit in `available` bytes, or whose worker would
 * need more than a wasm backend can address. Called before anything is generated.
 */
export function checkMemory(plan: BenchmarkPlan, available: number = availableMemoryBytes()): void {
  const all = estimates(plan);
  const largest = maxBy(all, (estimate) => estimate.bytes);
  if (largest && largest.bytes > available) {
    throw new UsageError(
      `not enough memory: the largest cell (${describeCell(largest.cell)}) needs about ` +
        `${formatBytes(largest.bytes)} (${breakdown(largest.memory, largest.cell.workers)}, plus ${Math.round((SAFETY - 1) * 100)}% headroom) but only ${formatBytes(available)} is available. ` +
        `Use smaller --sizes or fewer --workers, free memory, or pass --no-memory-check to run anyway.`,
    );
  }
  // The backend is chosen when the pool starts; unless the plan names one that is not wasm, wasm's ceiling applies.
  if (plan.backend !== 'wasm' && plan.backend !== 'auto') return;
  const busiest = maxBy(all, (estimate) => workerBytes(estimate.memory));
  if (busiest && workerBytes(busiest.memory) > WASM_HEAP_BYTES) {
    throw new UsageError(
      `too large for a wasm worker: the cell (${describeCell(busiest.cell)}) needs about ${formatBytes(workerBytes(busiest.memory))} of tensors and model in each worker, ` +
        `but a wasm worker can address at most ${formatBytes(WASM_HEAP_BYTES)}. Use smaller --sizes, or --backend cpu (slower, not limited to 4 GiB).`,
    );
  }
}
