/** The quality of the trivial predictor, which learns nothing from the inputs: the floor a trained model must beat. */
import type { DatasetSpec, Quality } from '../results/schema.js';
import type { DataTable } from './table.js';

/**
 * Held-out quality of the trivial predictor. Classification: always the most common class of the
 * training rows, scored on the held-out rows. Regression: the training mean, whose R² is 0 by
 * convention (on held-out rows it is 0 minus a sliver, the squared gap between the two means).
 */
export function trivialQuality(table: DataTable, nTrain: number, nTest: number, spec: DatasetSpec): Quality {
  if (spec.task === 'regression') return { metric: 'r2', value: 0 };
  const counts = new Map<number, number>();
  for (let i = 0; i < nTrain; i++) counts.set(table.y[i]!, (counts.get(table.y[i]!) ?? 0) + 1);
  let majority = 0;
  let most = -1;
  for (const [label, count] of counts) {
    if (count > most || (count === most && label < majority)) {
      majority = label;
      most = count;
    }
  }
  let hits = 0;
  for (let i = nTrain; i < nTrain + nTest; i++) if (table.y[i] === majority) hits++;
  return { metric: 'accuracy', value: nTest > 0 ? hits / nTest : 0 };
}
