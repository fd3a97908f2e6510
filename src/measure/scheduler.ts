/**
 * Runs a plan cell by cell on a Runner and hands the growing RunResult to `persist` after every cell,
 * so a crash or Ctrl-C loses at most the cell in flight (as hyperfine rewrites its exports per benchmark).
 */
import type { BenchmarkPlan, Cell, CellResult, DatasetSpec, RunResult } from '../results/schema.js';
import { RESULT_SCHEMA_VERSION } from '../results/schema.js';
import { buildEnvironment, readMachineFacts } from './environment.js';
import { generate, idealQuality } from '../data/generators/index.js';
import { trivialQuality } from '../data/trivial.js';
import { datasetSeed } from '../data/seed.js';
import type { DataTable } from '../data/table.js';
import { TOOL_VERSION } from '../config/version.js';
import type { Runner, TrialProgress } from './runner.js';
import { isFinished } from '../results/status.js';
import { heldOutRows } from '../data/rows.js';
import { bytesChecksum } from '../data/checksum.js';
import { FileTables } from '../data/load.js';
import { CanaryLog } from './canary.js';
import { rerunCells, type ConfirmHooks } from './confirm.js';
import type { CellJob } from './runner.js';

export { heldOutRows, datasetSeed };

export interface RunHooks {
  onCellStart?(cell: Cell, index: number, total: number): void;
  onTrial?(progress: TrialProgress): void;
  onCellDone?(result: CellResult, index: number, total: number): void;
  /** Receives the results so far after every cell, and once more at the end. */
  persist?(result: RunResult): Promise<void>;
  /** When aborted, the run stops after (or, if the runner is closed, during) the current cell; that cell is not recorded. */
  signal?: AbortSignal;
  /** An interrupted earlier run of the same plan (resume): its finished cells are kept and not run again. */
  resumeFrom?: RunResult;
  /**
   * The confirm step: after a complete sweep, the ids of the cells to run once more (e.g. those that regressed
   * against a baseline). Each re-run is recorded as its cell's `confirmation`, with canary readings around it.
   */
  confirm?: ConfirmHooks;
}

class DatasetCache {
  private readonly tables = new Map<string, DataTable>();
  private readonly checksums = new Map<string, string>();
  get(spec: DatasetSpec, rows: number, seed: number): { key: string; table: DataTable; checksum: string } {
    const key = `${spec.name}|${rows}|${seed}`;
    let table = this.tables.get(key);
    if (!table) {
      // Keep only the newest table: regenerating is cheap (tens of millions of values/s) and big tables must not pile up.
      this.tables.clear();
      table = generate(spec, rows, seed);
      this.tables.set(key, table);
      this.checksums.set(key, bytesChecksum([table.x, table.y]));
    }
    return { key, table, checksum: this.checksums.get(key)! };
  }
}

export async function runPlan(plan: BenchmarkPlan, runner: Runner, hooks: RunHooks = {}): Promise<RunResult> {
  // User files are read (and checked against the plan) before any worker starts.
  const files = await FileTables.load(plan.datasets, plan.seed);
  const backend = await runner.start(plan);
  const environment = buildEnvironment(backend, readMachineFacts());
  const { outDir: _outDir, ...planRecord } = plan;
  const finished = (hooks.resumeFrom?.cells ?? []).filter((cell) => isFinished(cell, plan.repeats));
  const finishedIds = new Set(finished.map((cell) => cell.cell.id));
  const result: RunResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    tool: { name: 'scale-bench', version: TOOL_VERSION },
    runId: plan.runId,
    startedAt: hooks.resumeFrom?.startedAt ?? new Date().toISOString(),
    complete: false,
    plan: planRecord,
    environment,
    cells: [...finished],
  };
  const specs = new Map(plan.datasets.map((spec) => [spec.name, spec]));
  const cache = new DatasetCache();
  const total = plan.cells.length;
  let interrupted = false;
  const canary = new CanaryLog(runner.canary, Date.parse(result.startedAt), hooks.resumeFrom?.canary);
  if (canary.record) result.canary = canary.record;
  const startRssBytes = hooks.resumeFrom?.startRssBytes ?? runner.rssBytes?.();
  if (startRssBytes !== undefined) result.startRssBytes = startRssBytes;
  const jobFor = (cell: Cell): { job: CellJob; checksum: string } => {
    const spec = specs.get(cell.dataset);
    if (!spec) throw new Error(`plan has no data set named "${cell.dataset}"`);
    const nTest = heldOutRows(cell.size, plan.training.testFraction);
    const { key, table, checksum } =
      spec.generator === 'file'
        ? files.get(spec, cell.size, nTest)
        : cache.get(spec, cell.size + nTest, datasetSeed(plan.seed, spec.name));
    return { job: { cell, spec, table, nTrain: cell.size, nTest, dataKey: key }, checksum };
  };
  await hooks.persist?.(result);

  for (const [index, cell] of plan.cells.entries()) {
    if (finishedIds.has(cell.id)) continue;
    if (hooks.signal?.aborted) {
      interrupted = true;
      break;
    }
    const { job, checksum } = jobFor(cell);
    hooks.onCellStart?.(cell, index, total);
    const canaryMs = await canary.forCell(cell);
    let measurement;
    try {
      measurement = await runner.runCell(job, hooks.onTrial);
    } catch (error) {
      if (hooks.signal?.aborted) {
        interrupted = true;
        break;
      }
      throw error;
    }
    if (hooks.signal?.aborted) {
      interrupted = true;
      break;
    }
    const { spec, table, nTest } = job;
    const cellResult: CellResult = {
      cell,
      machineId: environment.machineId,
      dataChecksum: checksum,
      ...measurement,
      trivialQuality: trivialQuality(table, cell.size, nTest, spec),
      ...(spec.generator === 'file' ? {} : { idealQuality: idealQuality(spec, datasetSeed(plan.seed, spec.name)) }),
      ...(canaryMs !== undefined ? { canaryMs } : {}),
    };
    result.cells.push(cellResult);
    await hooks.persist?.(result);
    hooks.onCellDone?.(cellResult, index, total);
  }

  if (!interrupted && hooks.confirm && result.cells.length === plan.cells.length) {
    interrupted = await rerunCells(result, runner, canary, jobFor, hooks.confirm, hooks);
  }

  // Resumed runs append new cells after the old ones; restore plan order so results compare cell for cell.
  const order = new Map(plan.cells.map((cell, index) => [cell.id, index]));
  result.cells.sort((a, b) => (order.get(a.cell.id) ?? 0) - (order.get(b.cell.id) ?? 0));
  result.finishedAt = new Date().toISOString();
  const allOk = result.cells.every((cell) => isFinished(cell, plan.repeats));
  result.complete = !interrupted && result.cells.length === plan.cells.length && allOk;
  await hooks.persist?.(result);
  return result;
}
