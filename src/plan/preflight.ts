/**
 * Memory preflight: estimate the peak of the largest cell before anything trains, and refuse a plan
 * that cannot fit, instead of dying an hour in with the machine swapping.
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
/** Weights, gradients and Adam's two moments, float32 each. */
const BYTES_PER_PARAM = 4 * 4;
/** Headroom for what the estimate leaves out (activations, allocator slack). */
const SAFETY = 1.25;

export interface CellMemoryEstimate {
  cell: Cell;
  /** Estimated peak resident bytes of the whole process while this cell runs. */
  bytes: number;
}

function tableBytes(spec: DatasetSpec, rows: number): number {
  return rows * (spec.features + 1) * Float32Array.BYTES_PER_ELEMENT;
}

export function estimateCellBytes(cell: Cell, spec: DatasetSpec, plan: Pick<BenchmarkPlan, 'training'>, poolWidth: number): number {
  const rows = cell.size + heldOutRows(cell.size, plan.training.testFraction);
  const shared = tableBytes(spec, rows);
  // Each worker uploads the data it trains on into its backend's own memory.
  const perWorkerData = shared;
  const model = estimatedParams(cell.model) * BYTES_PER_PARAM;
  const activations = plan.training.batchSize * Math.max(spec.features, 256) * 4 * 8;
  return (MAIN_PROCESS_BYTES + shared + poolWidth * WORKER_BYTES + cell.workers * (perWorkerData + model + activations)) * SAFETY;
}

export function largestCell(plan: BenchmarkPlan): CellMemoryEstimate | undefined {
  const specs = new Map(plan.datasets.map((spec) => [spec.name, spec]));
  const poolWidth = Math.max(1, ...plan.cells.map((cell) => cell.workers));
  let largest: CellMemoryEstimate | undefined;
  for (const cell of plan.cells) {
    const spec = specs.get(cell.dataset);
    if (!spec) continue;
    const bytes = estimateCellBytes(cell, spec, plan, poolWidth);
    if (!largest || bytes > largest.bytes) largest = { cell, bytes };
  }
  return largest;
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

export function checkMemory(plan: BenchmarkPlan, available: number = availableMemoryBytes()): void {
  const largest = largestCell(plan);
  if (!largest || largest.bytes <= available) return;
  const { cell } = largest;
  throw new UsageError(
    `not enough memory: the largest cell (${cell.model} on ${cell.dataset}, n=${cell.size}, ${cell.workers} workers) needs about ` +
      `${formatBytes(largest.bytes)} but only ${formatBytes(available)} is available. ` +
      `Use smaller --sizes or fewer --workers, free memory, or pass --no-memory-check to run anyway.`,
  );
}
