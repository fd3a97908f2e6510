/**
 * The confirm step: after the sweep, the cells the caller names (those that regressed) run once more,
 * interleaved with fresh canary readings (canary, cell, canary, cell, ..., canary), so a regression caused
 * by a passing burst of load on the machine does not survive a second look, and one caused by load that is
 * still there shows up in the canary beside it. Each re-run is saved as its cell's `confirmation`.
 */
import type { Cell, CellResult, RunResult } from '../results/schema.js';
import type { CanaryLog } from './canary.js';
import type { CellJob, Runner, TrialProgress } from './runner.js';

export interface ConfirmHooks {
  /** Ids of the cells to re-run, from the finished sweep; none = no confirm step. */
  select(result: RunResult): string[] | Promise<string[]>;
  onCellStart?(cell: Cell, index: number, total: number): void;
  onCellDone?(cell: CellResult, index: number, total: number): void;
}

interface RerunHooks {
  onTrial?(progress: TrialProgress): void;
  persist?(result: RunResult): Promise<void>;
  signal?: AbortSignal;
}

/** Re-runs the selected cells in plan order; returns true when it was interrupted. */
export async function rerunCells(
  result: RunResult,
  runner: Runner,
  canary: CanaryLog,
  jobFor: (cell: Cell) => { job: CellJob },
  confirm: ConfirmHooks,
  hooks: RerunHooks,
): Promise<boolean> {
  const wanted = new Set(await confirm.select(result));
  const targets = result.cells.filter((c) => wanted.has(c.cell.id));
  for (const [index, target] of targets.entries()) {
    if (hooks.signal?.aborted) return true;
    confirm.onCellStart?.(target.cell, index, targets.length);
    const canaryBeforeMs = await canary.read(target.cell, 'confirm');
    let trials;
    try {
      trials = (await runner.runCell({ ...jobFor(target.cell).job, phase: 'confirm' }, hooks.onTrial)).trials;
    } catch {
      if (hooks.signal?.aborted) return true;
      // A re-run that cannot run leaves the first measurement unconfirmed (the gate says so), not the run lost.
      continue;
    }
    if (hooks.signal?.aborted) return true;
    const canaryAfterMs = await canary.read(target.cell, 'confirm');
    target.confirmation = {
      trials,
      ...(canaryBeforeMs !== undefined ? { canaryBeforeMs } : {}),
      ...(canaryAfterMs !== undefined ? { canaryAfterMs } : {}),
    };
    await hooks.persist?.(result);
    confirm.onCellDone?.(target, index, targets.length);
  }
  return false;
}
