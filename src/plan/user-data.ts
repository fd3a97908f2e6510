/**
 * Planning rules for the user's own data and models: which sizes a file can give, which built-in
 * models run on it, and the names of custom models. Pure; used by buildPlan.
 */
import type { DatasetSpec } from '../results/schema.js';
import { UsageError } from '../config/errors.js';
import { customModelName } from '../models/custom.js';
import { heldOutRows } from '../data/rows.js';
import { displayPath } from '../data/load.js';

/** A loaded data file, as far as planning needs it. */
export interface PlannedFile {
  spec: DatasetSpec;
  /** Usable rows. */
  rows: number;
}

/** The smallest training size a plan accepts (buildPlan's lower bound). */
export const MIN_FILE_SIZE = 10;

/** Rows a training size of n uses: n for training plus the held-out rows beside them. */
export function rowsNeeded(size: number, testFraction: number): number {
  return size + heldOutRows(size, testFraction);
}

/** The largest training size whose training + held-out rows fit in `rows`; 0 when none does. */
export function maxTrainingSize(rows: number, testFraction: number): number {
  let size = Math.min(rows, Math.floor(rows / (1 + testFraction)) + 2);
  while (size > 0 && rowsNeeded(size, testFraction) > rows) size--;
  return size;
}

function fileName(file: PlannedFile): string {
  return file.spec.path ? displayPath(file.spec.path) : file.spec.name;
}

function tooSmall(file: PlannedFile, testFraction: number): UsageError {
  return new UsageError(
    `--data: ${fileName(file)} has ${file.rows} usable rows, too few to benchmark: the smallest size (${MIN_FILE_SIZE}) needs ` +
      `${rowsNeeded(MIN_FILE_SIZE, testFraction)} rows (${MIN_FILE_SIZE} training + ${heldOutRows(MIN_FILE_SIZE, testFraction)} held-out). Use a file with more rows.`,
  );
}

/** Default sweep on a file: a quarter, half and all of the largest size it allows. */
export function defaultFileSizes(file: PlannedFile, testFraction: number): number[] {
  const max = maxTrainingSize(file.rows, testFraction);
  if (max < MIN_FILE_SIZE) throw tooSmall(file, testFraction);
  return [...new Set([Math.floor(max / 4), Math.floor(max / 2), max].filter((size) => size >= MIN_FILE_SIZE))];
}

/** Refuses sizes the file cannot give, with its row count and the sizes it can. */
export function checkFileSizes(sizes: readonly number[], file: PlannedFile, testFraction: number): void {
  const max = maxTrainingSize(file.rows, testFraction);
  const tooBig = sizes.filter((size) => rowsNeeded(size, testFraction) > file.rows);
  if (tooBig.length === 0) return;
  if (max < MIN_FILE_SIZE) throw tooSmall(file, testFraction);
  const largest = Math.max(...tooBig);
  const example = defaultFileSizes(file, testFraction).join(',');
  throw new UsageError(
    `--sizes: ${fileName(file)} has only ${file.rows} usable rows, but size ${largest} needs ${rowsNeeded(largest, testFraction)} ` +
      `(${largest} training + ${heldOutRows(largest, testFraction)} held-out, --holdout ${testFraction}). ` +
      `The largest size this file allows is ${max}: use sizes up to ${max}, e.g. --sizes ${example}, or leave --sizes out.`,
  );
}

/** Built-in models that run on a file by default: the linear model of its task and the two MLPs. */
export function defaultFileModels(file: PlannedFile): string[] {
  return [file.spec.task === 'regression' ? 'linear' : 'logistic', 'mlp-small', 'mlp-deep'];
}

/** Refuses a built-in model that cannot take rows of a file (the CNN needs images). */
export function checkFileModel(model: string, file: PlannedFile): void {
  if (model === 'cnn-small') {
    throw new UsageError(`--models: cnn-small needs image data, and ${file.spec.name} is a table of ${file.spec.features} features: choose linear, logistic, mlp-small or mlp-deep, or bring a model with --model`);
  }
}

/** Custom model names (`custom:<file name>`) to module paths; two modules with one file name are refused. */
export function customModelsByName(paths: readonly string[]): Map<string, string> {
  const byName = new Map<string, string>();
  for (const path of paths) {
    const name = customModelName(path);
    const other = byName.get(name);
    if (other !== undefined && other !== path) {
      throw new UsageError(`--model: ${other} and ${path} have the same file name, so their results would share the name "${name}": rename one`);
    }
    byName.set(name, path);
  }
  return byName;
}

/** The loaded file of a plan with --data; --generator makes no sense beside it. */
export function plannedFile(options: { data?: unknown; generator?: string }, dataset: PlannedFile | undefined): PlannedFile | undefined {
  if (options.data === undefined) return undefined;
  if (options.generator !== undefined) {
    throw new UsageError(`--generator: cannot be used with --data, because the data comes from the file. Leave one of them out.`);
  }
  if (!dataset) throw new Error('buildPlan: options.data is set but the file was not loaded: plan with planRun (src/plan/prepare.ts)');
  return dataset;
}

/** Custom models train in job-parallel mode; the data-parallel and inference workers build built-in models only. */
export function checkCustomModelMode(custom: ReadonlyMap<string, string>, mode: string): void {
  if (custom.size > 0 && mode !== 'job-parallel') {
    throw new UsageError(`--model: custom models run in job-parallel mode only; leave --mode ${mode} out, or benchmark built-in models with it`);
  }
}
