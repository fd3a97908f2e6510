/** The repetition loop every mode runs a cell with: warm-ups, then counted repetitions, under the cell's deadline. */
import type { BenchmarkPlan, Cell, TrialResult } from '../results/schema.js';
import { CellTimeoutError } from './failures.js';
import type { TrialProgress } from './runner.js';
import { setMaxListeners } from 'node:events';
import { LIMITS } from '../config/schema.js';

/**
 * Abort listeners one cell's signal legitimately carries: one per worker task (piscina listens on
 * the signal of every task it runs), plus a few of our own. Node warns at 10 by default, which a
 * pool of 11 workers passes without any leak.
 */
export const LISTENERS_PER_CELL_SIGNAL = LIMITS.workers.max + 8;

export type TrialOutcome = { trial: TrialResult } | { failed: TrialResult };

/**
 * Runs `trial` for each warm-up (negative repetition) and counted repetition; stops at the first
 * failure, because a cell that failed once fails again and would burn its timeout per repetition.
 * Returns the counted trials (a failed warm-up is recorded as repetition 0).
 */
export async function runRepetitions(
  plan: Pick<BenchmarkPlan, 'warmup' | 'repeats' | 'cellTimeoutMs'>,
  cell: Cell,
  onTrial: ((progress: TrialProgress) => void) | undefined,
  trial: (repetition: number, signal: AbortSignal) => Promise<TrialOutcome>,
  onTimeout?: () => void,
): Promise<TrialResult[]> {
  const controller = new AbortController();
  setMaxListeners(LISTENERS_PER_CELL_SIGNAL, controller.signal);
  const timer = setTimeout(() => {
    controller.abort(new CellTimeoutError(`cell exceeded --cell-timeout (${plan.cellTimeoutMs / 1000} s)`));
    onTimeout?.();
  }, plan.cellTimeoutMs);
  timer.unref();
  const trials: TrialResult[] = [];
  try {
    for (let repetition = -plan.warmup; repetition < plan.repeats; repetition++) {
      onTrial?.({ cell, repetition });
      const outcome = await trial(repetition, controller.signal);
      if ('failed' in outcome) {
        trials.push({ ...outcome.failed, repetition: Math.max(0, repetition) });
        break;
      }
      if (repetition >= 0) trials.push(outcome.trial);
    }
  } finally {
    clearTimeout(timer);
  }
  return trials;
}
