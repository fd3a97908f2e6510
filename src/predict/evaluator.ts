/** The evaluator and t table `predict` uses in Node: the same factories the HTML what-if panel runs. */
import { createPredictionKit, tQuantileTable, type TQuantileTable } from '../stats/index.js';
import { createCellEvaluator, EXTRAPOLATION_LIMITS, type CellEvaluator } from './evaluate.js';

export const evaluator: CellEvaluator = createCellEvaluator(createPredictionKit(), EXTRAPOLATION_LIMITS);

/** Every interval of `predict` is a 95% prediction interval. */
export const PREDICTION_LEVEL = 0.95;

let table: TQuantileTable | null = null;

/** The t quantile table of PREDICTION_LEVEL, computed once. */
export function predictionTable(): TQuantileTable {
  table ??= tQuantileTable(PREDICTION_LEVEL);
  return table;
}
