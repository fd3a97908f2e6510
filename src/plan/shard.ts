/**
 * Splitting a sweep across machines (`run --shard i/n`), as test runners split suites across CI jobs.
 *
 * Every shard builds the whole plan and then keeps its own part, so the shards never talk to each other:
 * the assignment must come out the same on every machine. It therefore depends only on the cells (their
 * ids and estimated costs), never on the cell order, the core count or the clock. Cells are dealt out by
 * longest-processing-time-first, which keeps the shards' estimated run times within one cell of each other.
 */
import { createHash } from 'node:crypto';
import type { BenchmarkPlan, Cell, ShardInfo } from '../results/schema.js';
import { RUN_ID_PATTERN, type ShardSpec } from '../config/schema.js';
import { UsageError } from '../config/errors.js';
import { estimatedUsPerSample } from '../models/cost.js';
import { modes } from '../modes/index.js';

export type { ShardSpec };

/** More shards than this is a typo, not a CI matrix. */
const MAX_SHARDS = 1000;

/**
 * Fixed cost of one trial besides training (model build, evaluation, dispatch), in microseconds.
 * Keeps tiny cells from looking free, so a shard of many small cells is not also handed a big one.
 */
const TRIAL_OVERHEAD_US = 20_000;


/** Parses "i/n" (e.g. "2/4"); `flag` names the option in errors. */
export function parseShard(text: string, flag = '--shard'): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new UsageError(`${flag}: "${text}" is not of the form i/n; e.g. ${flag} 2/4 runs the second of four shards.`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`${flag}: ${count} shards is out of range; split into 1 to ${MAX_SHARDS} shards.`);
  if (index < 1 || index > count) throw new UsageError(`${flag}: shard ${index} of ${count} does not exist; shards are numbered 1 to ${count}.`);
  return { index, count };
}

/** Checks a user-given run id; `flag` names the option in errors. */
export function parseRunId(text: string, flag = '--run-id'): string {
  if (!RUN_ID_PATTERN.test(text)) {
    throw new UsageError(`${flag}: "${text}" cannot be a run id; use up to 100 letters, digits, ".", "-" or "_" (it names a folder), e.g. ${flag} nightly-42.`);
  }
  return text;
}

/**
 * Estimated cost of a cell in microseconds of CPU work, over all its trials: samples trained times the
 * model's estimated time per sample (every job-parallel worker trains the whole set; data-parallel workers
 * share one set, or each train a full batch under weak scaling), or the seconds of load an inference cell
 * puts on its servers, plus a fixed cost per trial. Machine-independent on purpose (no core count, no
 * measured speed): every shard must compute the same number.
 */
export function estimatedCellCostUs(cell: Cell, plan: Pick<BenchmarkPlan, 'repeats' | 'warmup' | 'training' | 'inference'>): number {
  const trials = plan.repeats + plan.warmup;
  const usPerPass = cell.size * plan.training.epochs * estimatedUsPerSample(cell.model);
  const perTrial = modes[cell.mode].trialCostUs(cell, plan, usPerPass);
  return trials * (perTrial + TRIAL_OVERHEAD_US);
}

/**
 * Deals cells to `count` shards, balanced by `cost`: the most expensive cell first, each to the shard with
 * the least estimated work so far (the lowest-numbered on a tie). Ties between cells of equal cost are
 * broken by id, so the result does not depend on the order of `cells`.
 * Returns the 0-based shard of every cell id.
 */
export function assignShards(cells: readonly Cell[], count: number, cost: (cell: Cell) => number): Map<string, number> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be a whole number >= 1, got ${String(count)}`);
  const ordered = cells
    .map((cell) => ({ id: cell.id, cost: cost(cell) }))
    .sort((a, b) => b.cost - a.cost || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const loads = new Array<number>(count).fill(0);
  const assignment = new Map<string, number>();
  for (const { id, cost: cellCost } of ordered) {
    let lightest = 0;
    for (let shard = 1; shard < count; shard++) if (loads[shard]! < loads[lightest]!) lightest = shard;
    loads[lightest]! += cellCost;
    assignment.set(id, lightest);
  }
  return assignment;
}

/** The cells of one shard, in plan order. */
export function shardCells(plan: Pick<BenchmarkPlan, 'cells' | 'repeats' | 'warmup' | 'training' | 'inference'>, shard: ShardSpec): Cell[] {
  const assignment = assignShards(plan.cells, shard.count, (cell) => estimatedCellCostUs(cell, plan));
  return plan.cells.filter((cell) => assignment.get(cell.id) === shard.index - 1);
}

/**
 * A run id every shard of the same sweep derives alike without talking to the others: a hash of what
 * the sweep measures (cells, data sets, repetitions, seed, backend, training), never of the machine or
 * the time. Shards of one sweep therefore share it; different sweeps get different ids.
 */
export function sweepRunId(plan: Omit<BenchmarkPlan, 'runId' | 'outDir' | 'cores' | 'shard'>): string {
  const identity = JSON.stringify({
    cells: plan.cells,
    datasets: plan.datasets,
    repeats: plan.repeats,
    warmup: plan.warmup,
    seed: plan.seed,
    backend: plan.backend,
    stockKernels: plan.stockKernels,
    training: plan.training,
    cellTimeoutMs: plan.cellTimeoutMs,
    inference: plan.inference ?? null,
    // Custom models by name only: their absolute paths differ from machine to machine.
    customModels: Object.keys(plan.customModels ?? {}).sort(),
  });
  return `sweep-${createHash('sha256').update(identity).digest('hex').slice(0, 10)}`;
}

/** The run id (and folder name) of one shard: distinct per shard, so shards can share an --out folder. */
export function shardRunId(sweepId: string, shard: ShardSpec): string {
  return `${sweepId}-shard${shard.index}of${shard.count}`;
}

/**
 * Narrows a whole-sweep plan to one shard: its cells only, a per-shard run id, and the ShardInfo the
 * merge needs. `explicitRunId` (from --run-id) becomes the sweep's id; without it one is derived.
 */
export function applyShard(plan: BenchmarkPlan, shard: ShardSpec | undefined, explicitRunId?: string): BenchmarkPlan {
  if (!shard) return plan;
  const total = plan.cells.length;
  if (shard.count > total) {
    throw new UsageError(
      `--shard ${shard.index}/${shard.count}: the sweep has only ${total} cell${total === 1 ? '' : 's'}, so some of ${shard.count} shards would be empty; split into at most ${total} shards.`,
    );
  }
  const sweepId = explicitRunId ?? sweepRunId(plan);
  const info: ShardInfo = { index: shard.index, count: shard.count, sweepRunId: sweepId, plannedCells: plan.cells };
  return { ...plan, runId: shardRunId(sweepId, shard), cells: shardCells(plan, shard), shard: info };
}
