import type { CellResult } from './schema.js';

/** A cell counts as finished when every repetition ran ok; failed cells are retried on resume. */
export function isFinished(cell: CellResult, repeats: number): boolean {
  return cell.trials.length === repeats && cell.trials.every((trial) => trial.state === 'ok');
}
