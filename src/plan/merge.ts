/**
 * Joins the RunResults of a split sweep (`run --shard i/n` on several machines) into one, as if one
 * machine had run the whole plan: every planned cell once, each still tagged with the machine that ran it.
 *
 * The merge refuses what would silently mislead: files from different scale-bench versions or runners,
 * shards of different sweeps (other settings, other cells, other run ids), and a cell present twice.
 * A missing shard or failed cells are not refused: the merged result is then simply not `complete`.
 */
import type { Cell, CellResult, Environment, RunResult, ShardInfo } from '../results/schema.js';
import { InputError, UsageError } from '../config/errors.js';
import { shardInfoSchema } from '../results/schema.js';
import { isFinished } from '../results/status.js';
import { assignShards, estimatedCellCostUs } from './shard.js';

/** One results file to merge. */
export interface MergeInput {
  /** Path as the user gave it, for messages. */
  file: string;
  result: RunResult;
}

export interface MergeOutcome {
  result: RunResult;
  /** Shard numbers (1-based) of the sweep that no input covered. */
  missingShards: number[];
  /** Ids of planned cells that no input has. */
  missingCells: string[];
  /** Ids of cells present but with an errored or timed-out repetition. */
  failedCells: string[];
  /** Things worth knowing that do not stop the merge (several machines, several backends). */
  warnings: string[];
}

export interface MergeOptions {
  /** Run id of the merged result; required to join shards whose sweep run ids differ. */
  runId?: string;
}

/** Reads `plan.shard` from a parsed results file; undefined when absent (an unsplit run). */
export function parseShardInfo(json: unknown, file: string): ShardInfo | undefined {
  const raw = (json as { plan?: { shard?: unknown } } | null)?.plan?.shard;
  if (raw === undefined) return undefined;
  const parsed = shardInfoSchema.safeParse(raw);
  if (!parsed.success || parsed.data.index > parsed.data.count) {
    throw new InputError(file, 'has a malformed plan.shard block (was it edited by hand?). Re-run that shard with `scale-bench run --shard i/n`.');
  }
  return parsed.data as ShardInfo;
}

/** The settings every shard of one sweep must share; the first that differs is named. */
function settingsOf(result: RunResult): Array<[string, unknown]> {
  const p = result.plan;
  return [
    ['repeats', p.repeats],
    ['warmup', p.warmup],
    ['seed', p.seed],
    ['backend', p.backend],
    ['stockKernels', p.stockKernels],
    ['training', p.training],
    ['cellTimeoutMs', p.cellTimeoutMs],
    ['datasets', p.datasets],
    ['inference', p.inference ?? null],
    ['convergence', p.convergence ?? null],
    ['customModels', Object.keys(p.customModels ?? {}).sort()],
  ];
}

/** "file (shard i/n)", or just the file for an unsplit run. */
export function describeShard(input: MergeInput): string {
  const shard = input.result.plan.shard;
  return shard ? `${input.file} (shard ${shard.index}/${shard.count})` : input.file;
}

function checkSameSweep(first: MergeInput, other: MergeInput, options: MergeOptions): void {
  const a = first.result;
  const b = other.result;
  if (a.tool.version !== b.tool.version) {
    throw new InputError(
      other.file,
      `was written by scale-bench ${b.tool.version}, but ${first.file} by ${a.tool.version}. Merge only results of one version: re-run the shards with the same scale-bench.`,
    );
  }
  if (a.environment.runner !== b.environment.runner) {
    throw new InputError(other.file, `was measured by the ${b.environment.runner} runner, but ${first.file} by the ${a.environment.runner} runner; they cannot be merged.`);
  }
  const theirs = new Map(settingsOf(b));
  for (const [name, value] of settingsOf(a)) {
    if (JSON.stringify(value) !== JSON.stringify(theirs.get(name))) {
      throw new InputError(
        other.file,
        `is from a different sweep: its plan has ${name} ${JSON.stringify(theirs.get(name))}, but ${first.file} has ${JSON.stringify(value)}. Run every shard with the same flags.`,
      );
    }
  }
  const sa = a.plan.shard;
  const sb = b.plan.shard;
  if (sa && sb) {
    if (sa.count !== sb.count) {
      throw new InputError(other.file, `is shard ${sb.index} of ${sb.count}, but ${first.file} is shard ${sa.index} of ${sa.count}. Merge shards of one split, e.g. all of --shard i/${sa.count}.`);
    }
    if (sa.index === sb.index) {
      throw new InputError(other.file, `is shard ${sb.index}/${sb.count} again (so is ${first.file}). Pass each shard's results once.`);
    }
    const idsA = sa.plannedCells.map((cell) => cell.id).join('\n');
    const idsB = sb.plannedCells.map((cell) => cell.id).join('\n');
    if (idsA !== idsB) {
      throw new InputError(
        other.file,
        `planned other cells than ${first.file}. Machines with different core counts choose different default --workers: pass --workers (and the other sweep flags) explicitly to every shard.`,
      );
    }
    if (sa.sweepRunId !== sb.sweepRunId && options.runId === undefined) {
      throw new InputError(
        other.file,
        `belongs to run "${sb.sweepRunId}", but ${first.file} to "${sa.sweepRunId}". Give every shard the same --run-id, or pass --run-id to merge to join them anyway.`,
      );
    }
  }
}

/** Cells of the whole sweep: from the shards' records when there are any, else the union of the files' plans. */
function plannedCells(inputs: readonly MergeInput[]): Cell[] {
  const recorded = inputs.find((input) => input.result.plan.shard)?.result.plan.shard;
  if (recorded) return recorded.plannedCells;
  const seen = new Map<string, Cell>();
  for (const input of inputs) for (const cell of input.result.plan.cells) if (!seen.has(cell.id)) seen.set(cell.id, cell);
  return [...seen.values()];
}

/**
 * The shards that would have run `cellIds`, recomputed from the plan (the split is deterministic), so a
 * shard whose file lost its shard block (e.g. after --resume) still counts as present.
 */
function shardsOf(cellIds: readonly string[], planned: readonly Cell[], inputs: readonly MergeInput[]): number[] {
  const withInfo = inputs.find((input) => input.result.plan.shard);
  if (!withInfo || cellIds.length === 0) return [];
  const { plan } = withInfo.result;
  const assignment = assignShards(planned, plan.shard!.count, (cell) => estimatedCellCostUs(cell, plan));
  return [...new Set(cellIds.map((id) => assignment.get(id)! + 1))].sort((a, b) => a - b);
}

function earliest(values: string[]): string {
  return values.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
}

function latest(values: string[]): string {
  return values.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

/** Joins shard results into one RunResult; throws InputError on files that must not be joined. */
export function mergeResults(inputs: readonly MergeInput[], options: MergeOptions = {}): MergeOutcome {
  if (inputs.length === 0) throw new UsageError('merge: give at least one results file, e.g. scale-bench merge shards/*/results.json -o results.json');
  const seenFiles = new Set<string>();
  for (const input of inputs) {
    if (seenFiles.has(input.file)) throw new InputError(input.file, 'is given twice. Pass each results file once.');
    seenFiles.add(input.file);
  }
  // Shard 1 (or the first file) is the primary: its environment becomes the merged one.
  const ordered = [...inputs].sort((a, b) => (a.result.plan.shard?.index ?? Infinity) - (b.result.plan.shard?.index ?? Infinity));
  const first = ordered[0]!;
  for (const other of ordered.slice(1)) checkSameSweep(first, other, options);

  const planned = plannedCells(ordered);
  const order = new Map(planned.map((cell, index) => [cell.id, index]));
  const owner = new Map<string, string>();
  const cells: CellResult[] = [];
  for (const input of ordered) {
    for (const cellResult of input.result.cells) {
      const id = cellResult.cell.id;
      if (!order.has(id)) {
        throw new InputError(input.file, `has cell "${id}", which is not in the sweep's plan. Merge only shards of one sweep.`);
      }
      const earlier = owner.get(id);
      if (earlier !== undefined) {
        throw new InputError(
          input.file,
          `has cell "${id}", which ${earlier === input.file ? 'it already has' : `${earlier} has too`}. Each cell may come from one shard only: leave out the duplicate file.`,
        );
      }
      owner.set(id, input.file);
      cells.push(cellResult);
    }
  }
  cells.sort((a, b) => order.get(a.cell.id)! - order.get(b.cell.id)!);

  const machines: Record<string, Environment> = {};
  for (const input of ordered) {
    const env = input.result.environment;
    machines[env.machineId] ??= env;
  }

  const warnings: string[] = [];
  const machineCount = Object.keys(machines).length;
  if (machineCount > 1) {
    warnings.push(`cells ran on ${machineCount} different machines: raw times compare fairly only between cells of one machine (see each cell's machine in the report).`);
  }
  const backends = [...new Set(ordered.map((input) => input.result.environment.backend))];
  if (backends.length > 1) warnings.push(`shards ran on different backends (${backends.join(', ')}): cells of different backends are not comparable.`);

  const missingCells = planned.filter((cell) => !owner.has(cell.id)).map((cell) => cell.id);
  const missingShards = shardsOf(missingCells, planned, ordered);
  const repeats = first.result.plan.repeats;
  const failedCells = cells.filter((cell) => !isFinished(cell, repeats)).map((cell) => cell.cell.id);

  const sweepIds = [...new Set(ordered.map((input) => input.result.plan.shard?.sweepRunId ?? input.result.runId))];
  if (options.runId === undefined && sweepIds.length > 1) {
    warnings.push(`the files have different run ids (${sweepIds.join(', ')}); the merged result takes "${sweepIds[0]}". Pass --run-id to choose.`);
  }
  const runId = options.runId ?? sweepIds[0]!;

  const { shard: _shard, ...plan } = first.result.plan;
  const finished = ordered.map((input) => input.result.finishedAt);
  const result: RunResult = {
    schemaVersion: first.result.schemaVersion,
    tool: first.result.tool,
    runId,
    startedAt: earliest(ordered.map((input) => input.result.startedAt)),
    ...(finished.every((value): value is string => value !== undefined) ? { finishedAt: latest(finished) } : {}),
    complete: missingCells.length === 0 && failedCells.length === 0,
    plan: { ...plan, runId, cells: planned },
    environment: first.result.environment,
    machines,
    cells,
  };
  return { result, missingShards, missingCells, failedCells, warnings };
}
