/** Options -> BenchmarkPlan. All validation happens here, before the first model trains. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BackendChoice, BenchmarkPlan, Cell, DatasetSpec, GeneratorName, Mode, TrainingConfig } from '../types.js';
import { UsageError } from '../errors.js';
import { BUILTIN_MODELS } from '../models/catalog.js';
import { GENERATORS } from '../data/generators.js';
import { DEFAULT_CELL_TIMEOUT_MS, DEFAULT_OUT_DIR, DEFAULT_SEED, PROFILES, defaultWidths } from './defaults.js';

/** Typed, already-parsed options (from flags and/or a config file). Absent = profile default. */
export interface RunOptions {
  quick?: boolean;
  sizes?: number[];
  models?: string[];
  workers?: number[];
  /** Override every model's default generator. */
  generator?: GeneratorName;
  mode?: Mode;
  repeats?: number;
  warmup?: number;
  seed?: number;
  backend?: BackendChoice;
  stockKernels?: boolean;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  testFraction?: number;
  /** Seconds. */
  cellTimeout?: number;
  out?: string;
  runId?: string;
}

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'node', 'wasm', 'cpu'];
export const MODES: readonly Mode[] = ['job-parallel'];

const MIN_SIZE = 10;
const MAX_SIZE = 50_000_000;
const MAX_WIDTH = 256;

export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export function cellId(cell: Omit<Cell, 'id'>): string {
  return `${cell.model}|${cell.dataset}|n=${cell.size}|w=${cell.workers}|${cell.mode}`;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function checkModels(models: readonly string[]): void {
  for (const model of models) {
    if (!(model in BUILTIN_MODELS)) {
      throw new UsageError(`--models: unknown model "${model}". Choose from: ${Object.keys(BUILTIN_MODELS).join(', ')} (see \`scale-bench list\`).`);
    }
  }
}

function checkOutDir(out: string): string {
  const path = resolve(out);
  if (existsSync(path) && !statSync(path).isDirectory()) {
    throw new UsageError(`--out: ${out} exists and is not a folder. Choose a folder path, e.g. --out reports`);
  }
  return path;
}

export function buildPlan(options: RunOptions, cores: number): BenchmarkPlan {
  const profile = options.quick ? PROFILES.quick : PROFILES.default;
  const sizes = unique(options.sizes ?? profile.sizes).sort((a, b) => a - b);
  const models = unique(options.models ?? [...profile.models]);
  const workers = unique(options.workers ?? defaultWidths(cores)).sort((a, b) => a - b);
  const mode = options.mode ?? 'job-parallel';

  if (sizes.length === 0) throw new UsageError('--sizes: give at least one size, e.g. --sizes 1k,4k,16k');
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
      throw new UsageError(`--sizes: ${size} is out of range; each size must be a whole number from ${MIN_SIZE} to ${MAX_SIZE}.`);
    }
  }
  if (models.length === 0) throw new UsageError('--models: give at least one model, e.g. --models linear,mlp-small');
  checkModels(models);
  if (workers.length === 0) throw new UsageError('--workers: give at least one width, e.g. --workers 1,2');
  for (const width of workers) {
    if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
      throw new UsageError(`--workers: ${width} is out of range; each width must be a whole number from 1 to ${MAX_WIDTH}.`);
    }
  }
  if (!MODES.includes(mode)) throw new UsageError(`--mode: "${mode}" is not available; choose from ${MODES.join(', ')}`);

  const training: TrainingConfig = {
    epochs: options.epochs ?? profile.training.epochs,
    batchSize: options.batchSize ?? profile.training.batchSize,
    learningRate: options.learningRate ?? profile.training.learningRate,
    testFraction: options.testFraction ?? profile.training.testFraction,
  };

  const datasets = new Map<string, DatasetSpec>();
  const cells: Cell[] = [];
  for (const model of models) {
    const definition = BUILTIN_MODELS[model as keyof typeof BUILTIN_MODELS];
    const generator = options.generator ?? definition.defaultGenerator;
    const spec = GENERATORS[generator].defaultSpec;
    if (spec.task !== definition.task) {
      throw new UsageError(
        `--generator: model "${model}" needs ${definition.task} data but generator "${generator}" makes ${spec.task} data. Leave --generator out to use each model's own.`,
      );
    }
    if (definition.name === 'cnn-small' && !spec.imageShape) {
      throw new UsageError(`--generator: model "cnn-small" needs image data; use --generator images or leave --generator out.`);
    }
    datasets.set(spec.name, spec);
    for (const size of sizes) {
      for (const width of workers) {
        const cell = { model, dataset: spec.name, size, workers: width, mode };
        cells.push({ id: cellId(cell), ...cell });
      }
    }
  }

  return {
    runId: options.runId ?? newRunId(),
    cells,
    datasets: [...datasets.values()],
    repeats: options.repeats ?? profile.repeats,
    warmup: options.warmup ?? profile.warmup,
    seed: options.seed ?? DEFAULT_SEED,
    backend: options.backend ?? 'auto',
    stockKernels: options.stockKernels ?? false,
    training,
    cellTimeoutMs: options.cellTimeout !== undefined ? options.cellTimeout * 1000 : DEFAULT_CELL_TIMEOUT_MS,
    outDir: checkOutDir(options.out ?? DEFAULT_OUT_DIR),
    cores,
  };
}
