/**
 * Builds RunResult objects for tests from a few numbers per cell, filling the environment,
 * plan and every other field with plausible defaults.
 *
 *   makeRunResult([
 *     { model: 'mlp-small', size: 1000, wallMs: [100, 102, 98] },
 *     { model: 'mlp-small', size: 2000, wallMs: [200, 204, 196] },
 *   ]);
 *
 * Per trial, samplesPerSec = samples / wallMs (per second); give `samplesPerSec` instead of
 * `wallMs` to set throughput directly (wallMs is then derived).
 */
import type { Cell, CellResult, Environment, Mode, ModelInfo, Quality, RunResult, TrialResult } from '../../src/results/schema.js';

export interface CellSpec extends Partial<Omit<Cell, 'id'>> {
  id?: string;
  /** Wall time of each counted repetition, ms; one ok trial per value. Default six repetitions of 100 (MIN_REPETITIONS). */
  wallMs?: number[];
  /** Aggregate throughput of each repetition, samples/s; used when wallMs is not given. */
  samplesPerSec?: number[];
  /** Samples processed per trial (all workers). Default size × workers (job-parallel, inference) or size (data-parallel). */
  samples?: number;
  /** Peak RSS of each repetition, bytes (one value reused for all when shorter). Default 100 MB. */
  peakRssBytes?: number[];
  /** Held-out quality of every repetition: a number is an accuracy. */
  quality?: number | Quality;
  /** Overrides per trial, by index (e.g. [{ state: 'errored', error: 'OOM' }]). */
  trialOverrides?: Array<Partial<TrialResult>>;
  /** Model size; defaults give 1000 params and 6000 training FLOPs per sample. */
  modelInfo?: Partial<ModelInfo>;
  coldStartMs?: number;
  machineId?: string;
  /** The canary reading (ms) the cell ran under; the run gets a canary time series from these. */
  canaryMs?: number;
}

export interface RunResultOptions {
  environment?: Partial<Environment>;
  plan?: Partial<RunResult['plan']>;
  runId?: string;
  machines?: Record<string, Environment>;
}

export const TEST_MACHINE_ID = 'test-machine';

export function makeEnvironment(overrides: Partial<Environment> = {}): Environment {
  return {
    machineId: TEST_MACHINE_ID,
    cpuModel: 'Test CPU @ 3.0GHz',
    cores: 2,
    totalMemoryBytes: 24 * 1024 ** 3,
    os: 'linux 6.1.0',
    arch: 'x64',
    node: 'v20.19.0',
    backend: 'wasm',
    tfjsVersion: '4.22.0',
    backendVersion: '4.22.0',
    wasmSimd: true,
    kernelPatches: [],
    peakFlopsPerSec: 10e9,
    runner: 'fake',
    ...overrides,
  };
}

export function cellIdOf(cell: Omit<Cell, 'id'>): string {
  return `${cell.model}|${cell.dataset}|n=${cell.size}|w=${cell.workers}|${cell.mode}`;
}

function defaultSamples(size: number, workers: number, mode: Mode): number {
  return mode === 'data-parallel' ? size : size * workers;
}

export function makeCellResult(spec: CellSpec): CellResult {
  const base: Omit<Cell, 'id'> = {
    model: spec.model ?? 'mlp-small',
    dataset: spec.dataset ?? 'classification',
    size: spec.size ?? 1000,
    workers: spec.workers ?? 1,
    mode: spec.mode ?? 'job-parallel',
  };
  const cell: Cell = { id: spec.id ?? cellIdOf(base), ...base };
  const samples = spec.samples ?? defaultSamples(cell.size, cell.workers, cell.mode);
  const walls = spec.wallMs ?? spec.samplesPerSec?.map((x) => (samples / x) * 1000) ?? [100, 100, 100, 100, 100, 100];
  const quality: Quality = typeof spec.quality === 'object' ? spec.quality : { metric: 'accuracy', value: spec.quality ?? 0.9 };
  const rss = spec.peakRssBytes ?? [100e6];
  const trials: TrialResult[] = walls.map((wallMs, repetition) => ({
    repetition,
    state: 'ok',
    wallMs,
    samplesPerSec: spec.samplesPerSec?.[repetition] ?? (samples / wallMs) * 1000,
    samples,
    cpuMs: wallMs * Math.min(cell.workers, 2),
    peakRssBytes: rss[repetition] ?? rss[rss.length - 1] ?? 100e6,
    peakTensorBytes: cell.size * 64,
    finalLoss: 0.3,
    quality,
    ...spec.trialOverrides?.[repetition],
  }));
  return {
    cell,
    model: { name: cell.model, params: 1000, forwardFlopsPerSample: 2000, trainFlopsPerSample: 6000, ...spec.modelInfo },
    coldStartMs: spec.coldStartMs ?? 200,
    trials,
    threadsPerWorker: 1,
    machineId: spec.machineId ?? TEST_MACHINE_ID,
    ...(spec.canaryMs !== undefined ? { canaryMs: spec.canaryMs } : {}),
  };
}

/** A complete, valid RunResult whose cells are built from `cells` (see CellSpec for the defaults). */
export function makeRunResult(cells: CellSpec[], options: RunResultOptions = {}): RunResult {
  const environment = makeEnvironment(options.environment);
  const cellResults = cells.map((spec) => makeCellResult({ machineId: environment.machineId, ...spec }));
  const runId = options.runId ?? 'test-run';
  const datasets = [...new Set(cellResults.map((c) => c.cell.dataset))].map((name) => ({
    name,
    generator: 'classification' as const,
    task: 'classification' as const,
    features: 8,
    classes: 2,
  }));
  return {
    schemaVersion: 1,
    tool: { name: 'scale-bench', version: '0.0.0-test' },
    runId,
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:01:00.000Z',
    complete: true,
    plan: {
      runId,
      cells: cellResults.map((c) => c.cell),
      datasets,
      repeats: Math.max(1, ...cellResults.map((c) => c.trials.length)),
      warmup: 1,
      seed: 42,
      backend: 'wasm',
      stockKernels: false,
      training: { epochs: 1, batchSize: 32, learningRate: 0.01, testFraction: 0.2 },
      cellTimeoutMs: 600_000,
      cores: environment.cores,
      ...options.plan,
    },
    environment,
    ...(options.machines ? { machines: options.machines } : {}),
    cells: cellResults,
    ...canaryOf(cellResults),
  };
}

/** One canary reading per cell that has one, 100 ms apart, as the scheduler would record them. */
function canaryOf(cells: readonly CellResult[]): Pick<RunResult, 'canary'> {
  const read = cells.filter((c) => c.canaryMs !== undefined);
  if (read.length === 0) return {};
  return {
    canary: {
      workload: { size: 128, matmuls: 64, intervalMs: 0 },
      readings: read.map((c, i) => ({
        atMs: i * 100,
        workers: c.cell.workers,
        ms: c.canaryMs ?? 0,
        perWorkerMs: Array<number>(c.cell.workers).fill(c.canaryMs ?? 0),
        phase: 'sweep' as const,
      })),
    },
  };
}

/** Paths of every NaN or ±Infinity number inside `value` (objects and arrays walked deeply); [] when clean. */
export function nonFiniteNumbers(value: unknown, path = '$'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (Array.isArray(value)) return value.flatMap((item, i) => nonFiniteNumbers(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => nonFiniteNumbers(item, `${path}.${key}`));
  }
  return [];
}
