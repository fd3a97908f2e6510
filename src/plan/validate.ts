/**
 * The one check every plan passes before it runs: the plan buildPlan makes from flags and config
 * files, and the plan a results file carries into `run --resume`. Both are held to the same ranges
 * (LIMITS, the ones the flags and config files use), so a saved plan cannot ask for what a flag may not:
 * no empty sweep, no billion repetitions, no zero or negative timeout, no model nobody can build.
 * A plan from a file is named by file and field; a plan from options by the flag that set the field.
 */
import { z } from 'zod';
import type { BenchmarkPlan } from '../results/schema.js';
import { InputError, UsageError } from '../config/errors.js';
import { LIMITS, between, runIdSchema, whole } from '../config/schema.js';
import { BUILTIN_MODELS } from '../models/catalog.js';
import { checkModeOptions } from '../modes/index.js';

/** Where a plan came from: the command line (errors name flags) or a results file (errors name the file and field). */
export type PlanSource = { kind: 'options' } | { kind: 'file'; file: string };

const cellLimitsSchema = z.object({
  size: whole(LIMITS.size),
  workers: whole(LIMITS.workers),
});

const planLimitsSchema = z.object({
  runId: runIdSchema,
  cells: z.array(cellLimitsSchema).min(1, 'holds no cells: there is nothing to run'),
  datasets: z.array(z.unknown()).min(1, 'holds no data sets'),
  repeats: whole(LIMITS.repeats),
  warmup: whole(LIMITS.warmup),
  seed: whole(LIMITS.seed),
  training: z.object({
    epochs: whole(LIMITS.epochs),
    batchSize: whole(LIMITS.batchSize),
    learningRate: between(LIMITS.learningRate),
    testFraction: between(LIMITS.holdout),
  }),
  // Milliseconds in the plan, seconds on the command line: the same exclusive bounds.
  cellTimeoutMs: between({ min: LIMITS.cellTimeout.min * 1000, max: LIMITS.cellTimeout.max * 1000 }),
  shard: z.object({ sweepRunId: runIdSchema }).optional(),
});

/** The flag that sets each plan field, for plans built from options. */
const FLAGS: Record<string, string> = {
  runId: '--run-id',
  cells: '--models, --sizes and --workers',
  datasets: '--data or --generator',
  size: '--sizes',
  workers: '--workers',
  model: '--models',
  repeats: '--repeats',
  warmup: '--warmup',
  seed: '--seed',
  epochs: '--epochs',
  batchSize: '--batch-size',
  learningRate: '--learning-rate',
  testFraction: '--holdout',
  cellTimeoutMs: '--cell-timeout',
  sweepRunId: '--run-id',
};

function fail(source: PlanSource, path: ReadonlyArray<PropertyKey>, problem: string): never {
  if (source.kind === 'file') {
    const field = ['plan', ...path].map(String).join('.');
    throw new InputError(
      source.file,
      `field ${field}: ${problem}. A saved plan is held to the limits of the flags; was the file edited? Start a new run instead of resuming it.`,
    );
  }
  const last = [...path].reverse().find((key) => typeof key === 'string' && key in FLAGS);
  throw new UsageError(`${last !== undefined ? FLAGS[String(last)] : 'the plan'}: ${problem}`);
}

function describeValue(plan: unknown, path: ReadonlyArray<PropertyKey>): string {
  let value: unknown = plan;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value === undefined ? 'missing' : JSON.stringify(value) ?? String(value);
}

/** Throws (exit 2) naming the field and its allowed range when the plan asks for anything a flag could not. */
export function validatePlan(plan: BenchmarkPlan, source: PlanSource): void {
  const limits = planLimitsSchema.safeParse(plan);
  if (!limits.success) {
    const issue = limits.error.issues[0]!;
    // An empty list says so itself; a bad value is quoted with its allowed range.
    const emptyList = issue.code === 'too_small' && issue.path.length === 1 && Array.isArray((plan as unknown as Record<string, unknown>)[String(issue.path[0])]);
    fail(source, issue.path, emptyList ? issue.message : `${describeValue(plan, issue.path)} ${rangeText(issue)}`);
  }

  const datasets = new Set(plan.datasets.map((spec) => spec.name));
  const custom = plan.customModels ?? {};
  const ids = new Set<string>();
  plan.cells.forEach((cell, index) => {
    if (!(cell.model in BUILTIN_MODELS) && !Object.hasOwn(custom, cell.model)) {
      const known = [...Object.keys(BUILTIN_MODELS), ...Object.keys(custom)].join(', ');
      fail(source, ['cells', index, 'model'], `unknown model "${cell.model}"; the models that can run are ${known}`);
    }
    if (!datasets.has(cell.dataset)) fail(source, ['cells', index, 'dataset'], `"${cell.dataset}" is not one of the plan's data sets`);
    if (ids.has(cell.id)) fail(source, ['cells', index, 'id'], `cell "${cell.id}" appears twice`);
    ids.add(cell.id);
  });
  for (const [index, spec] of plan.datasets.entries()) {
    if (spec.generator === 'file' && (!spec.path || !spec.source)) {
      fail(source, ['datasets', index], `data set "${spec.name}" comes from a file but does not say which or how to read it`);
    }
  }
  // Options were checked against the mode by buildPlan, with the flags the user typed.
  if (source.kind === 'file') checkSavedModeOptions(plan, source.file);
}

function rangeText(issue: z.ZodError['issues'][number]): string {
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    const limits = issue.path.length > 0 ? limitsFor(String(issue.path[issue.path.length - 1])) : undefined;
    if (limits) return `is out of range: ${limits}`;
  }
  if (issue.code === 'invalid_type') return `is not a number`;
  return issue.message;
}

const wholeRange = (limit: { min: number; max: number }): string => `a whole number from ${limit.min} to ${limit.max}`;
const openRange = (limit: { min: number; max: number }, unit = ''): string => `more than ${limit.min}${unit} and less than ${limit.max}${unit}`;

/** The allowed range of each checked field, as the flag's help would say it. */
const RANGES: Record<string, string> = {
  size: wholeRange(LIMITS.size),
  workers: wholeRange(LIMITS.workers),
  repeats: wholeRange(LIMITS.repeats),
  warmup: wholeRange(LIMITS.warmup),
  seed: wholeRange(LIMITS.seed),
  epochs: wholeRange(LIMITS.epochs),
  batchSize: wholeRange(LIMITS.batchSize),
  learningRate: openRange(LIMITS.learningRate),
  testFraction: openRange(LIMITS.holdout),
  cellTimeoutMs: openRange({ min: LIMITS.cellTimeout.min * 1000, max: LIMITS.cellTimeout.max * 1000 }, ' ms'),
};

function limitsFor(key: string): string | undefined {
  return RANGES[key];
}

/** The mode's own ranges (inference levels, request rows, load duration), as the flags would be checked. */
function checkSavedModeOptions(plan: BenchmarkPlan, file: string): void {
  const source: PlanSource = { kind: 'file', file };
  const modes = new Set(plan.cells.map((cell) => cell.mode));
  if (modes.size > 1) fail(source, ['cells'], `mixes the modes ${[...modes].join(' and ')}; a run has one mode`);
  const mode = plan.cells[0]!.mode;
  const defined = <T>(values: Array<T | undefined>): T[] | undefined => {
    const present = values.filter((value): value is T => value !== undefined);
    return present.length > 0 ? present : undefined;
  };
  const options = {
    scaling: plan.cells[0]!.scaling,
    concurrency: defined(plan.cells.map((cell) => cell.concurrency)),
    rate: defined(plan.cells.map((cell) => cell.rate)),
    batchSizes: defined(plan.cells.map((cell) => cell.batchSize)),
    duration: plan.inference ? plan.inference.durationMs / 1000 : undefined,
  };
  try {
    checkModeOptions(mode, options);
  } catch (error) {
    // The mode names the flag that would set the value; the file needs its field named as well.
    if (error instanceof UsageError) fail(source, ['cells'], `its ${mode} settings are out of range (${error.message})`);
    throw error;
  }
}
