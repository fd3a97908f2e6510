/**
 * The confirm step of `run --baseline`, from the CLI's side: after the sweep, compare with the baseline,
 * and re-run the cells behind every gated regression (the scheduler does the re-runs, with the canary
 * read around each), saying so on stderr.
 */
import type { RunResult } from '../results/schema.js';
import type { ConfirmHooks } from '../measure/confirm.js';
import type { CompareOptions } from '../gate/thresholds.js';
import { compare } from '../gate/compare.js';
import { cellsToConfirm } from '../gate/confirm.js';
import { describeCellResult } from './progress.js';

export function confirmHooks(baseline: RunResult, compareOptions: CompareOptions, note: (line: string) => void): ConfirmHooks {
  return {
    select(result) {
      const ids = cellsToConfirm(compare(baseline, result, compareOptions), result);
      if (ids.length > 0) {
        note(`confirm: ${ids.length} cell${ids.length === 1 ? '' : 's'} behind a regression run${ids.length === 1 ? 's' : ''} once more, with the canary read around each; a regression stands only if the re-run shows it too (--no-confirm skips this).`);
      }
      return ids;
    },
    onCellDone(cell) {
      if (!cell.confirmation) return;
      note(`  re-run ${describeCellResult({ ...cell, trials: cell.confirmation.trials })}`);
    },
  };
}
