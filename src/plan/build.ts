/** Options -> BenchmarkPlan. All validation happens here, before the first model trains. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BackendChoice, BenchmarkPlan, Cell, DatasetSpec, Mode, TrainingConfig } from '../results/schema.js';
import { UsageError } from '../config/errors.js';
import { BUILTIN_MODELS } from '../models/catalog.js';
import { GENERATORS } from '../data/generators/index.js';
import { DEFAULT_CELL_TIMEOUT_MS, DEFAULT_OUT_DIR, DEFAULT_SEED, PROFILES, defaultWidths } from '../config/defaults.js';
import { applyShard } from './shard.js';
import { validatePlan } from './validate.js';
import { convergenceSettings } from './convergence.js';
import { checkModeOptions, modeCellFields, modeDefaultSizes, modePlanFields, modeVariant } from '../modes/index.js';
import type { RunOptions } from '../config/schema.js';
import { checkCustomModelMode, checkFileModel, checkFileSizes, customModelsByName, defaultFileModels, defaultFileSizes, plannedFile, type PlannedFile } from './user-data.js';

export type { RunOptions };

/** What planning needs that must be read first (see planRun in ./prepare.ts). */
export interface PlanInputs {
  /** The loaded options.data file. */
  dataset?: PlannedFile;
}

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'node', 'wasm', 'cpu'];
export const MODES: readonly Mode[] = ['job-parallel', 'data-parallel', 'inference'];

const MIN_SIZE = 10;
const MAX_SIZE = 50_000_000;
const MAX_WIDTH = 256;

/** e.g. 20261125-152011.123Z-ab12: milliseconds included so run folders sort in start order even for quick runs. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export function cellId(cell: Omit<Cell, 'id'>): string {
  return `${cell.model}|${cell.dataset}|n=${cell.size}|w=${cell.workers}|${cell.mode}${modeVariant(cell)}`;
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

export function buildPlan(options: RunOptions, cores: number, inputs: PlanInputs = {}): BenchmarkPlan {
  const profile = options.quick ? PROFILES.quick : PROFILES.default;
  const file = plannedFile(options, inputs.dataset);
  const testFraction = options.testFraction ?? profile.training.testFraction;
  const custom = customModelsByName(options.customModels ?? []);
  const sizes = unique(options.sizes ?? modeDefaultSizes(options.mode ?? 'job-parallel', file ? defaultFileSizes(file, testFraction) : profile.sizes)).sort((a, b) => a - b);
  const models = unique(options.models ?? (custom.size > 0 ? [] : file ? defaultFileModels(file) : [...profile.models]));
  const workers = unique(options.workers ?? defaultWidths(cores)).sort((a, b) => a - b);
  const mode = options.mode ?? 'job-parallel';

  if (sizes.length === 0) throw new UsageError('--sizes: give at least one size, e.g. --sizes 1k,4k,16k');
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
      throw new UsageError(`--sizes: ${size} is out of range; each size must be a whole number from ${MIN_SIZE} to ${MAX_SIZE}.`);
    }
  }
  if (file) checkFileSizes(sizes, file, testFraction);
  if (models.length + custom.size === 0) throw new UsageError('--models: give at least one model, e.g. --models linear,mlp-small');
  checkModels(models);
  if (workers.length === 0) throw new UsageError('--workers: give at least one width, e.g. --workers 1,2');
  for (const width of workers) {
    if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
      throw new UsageError(`--workers: ${width} is out of range; each width must be a whole number from 1 to ${MAX_WIDTH}.`);
    }
  }
  if (!MODES.includes(mode)) throw new UsageError(`--mode: "${mode}" is not available; choose from ${MODES.join(', ')}`);
  checkModeOptions(mode, options);
  checkCustomModelMode(custom, mode);

  const training: TrainingConfig = {
    epochs: options.epochs ?? profile.training.epochs,
    batchSize: options.batchSize ?? profile.training.batchSize,
    learningRate: options.learningRate ?? profile.training.learningRate,
    testFraction: options.testFraction ?? profile.training.testFraction,
  };

  const datasets = new Map<string, DatasetSpec>();
  const modelSpecs = new Map<string, DatasetSpec>();
  const cells: Cell[] = [];
  for (const model of [...models, ...custom.keys()]) {
    const definition = BUILTIN_MODELS[model as keyof typeof BUILTIN_MODELS] as (typeof BUILTIN_MODELS)[keyof typeof BUILTIN_MODELS] | undefined;
    // Custom models say nothing about their task: on generated data they get classification unless --generator says otherwise.
    const generator = options.generator ?? definition?.defaultGenerator ?? 'classification';
    const spec = file?.spec ?? GENERATORS[generator].defaultSpec;
    if (file) checkFileModel(model, file);
    else if (definition && spec.task !== definition.task) {
      throw new UsageError(
        `--generator: model "${model}" needs ${definition.task} data but generator "${generator}" makes ${spec.task} data. Leave --generator out to use each model's own.`,
      );
    }
    if (definition?.name === 'cnn-small' && !spec.imageShape) {
      throw new UsageError(`--generator: model "cnn-small" needs image data; use --generator images or leave --generator out.`);
    }
    datasets.set(spec.name, spec);
    modelSpecs.set(model, spec);
    for (const size of sizes) {
      for (const width of workers) {
        for (const fields of modeCellFields(mode, options)) {
          const cell = { model, dataset: spec.name, size, workers: width, mode, ...fields };
          cells.push({ id: cellId(cell), ...cell });
        }
      }
    }
  }

  const seed = options.seed ?? DEFAULT_SEED;
  const convergence = convergenceSettings(options, mode, modelSpecs, seed);
  const plan: BenchmarkPlan = {
    runId: options.runId ?? newRunId(),
    cells,
    datasets: [...datasets.values()],
    repeats: options.repeats ?? profile.repeats,
    warmup: options.warmup ?? profile.warmup,
    seed,
    backend: options.backend ?? 'auto',
    stockKernels: options.stockKernels ?? false,
    training,
    cellTimeoutMs: options.cellTimeout !== undefined ? options.cellTimeout * 1000 : DEFAULT_CELL_TIMEOUT_MS,
    outDir: checkOutDir(options.out ?? DEFAULT_OUT_DIR),
    cores,
    ...(custom.size > 0 ? { customModels: Object.fromEntries(custom) } : {}),
    ...modePlanFields(mode, options),
    ...(convergence ? { convergence } : {}),
  };
  const planned = applyShard(plan, options.shard, options.runId);
  // A resumed plan passes the same check (./resume.ts): one set of ranges for flags, files and saved plans.
  validatePlan(planned, { kind: 'options' });
  return planned;
}
