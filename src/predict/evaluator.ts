/** The evaluator and t table `predict` uses in Node: the same factories the HTML what-if panel runs. */
import { createPredictionKit, tQuantileTable, type TQuantileTable } from '../stats/index.js';
import { SIZE_METRIC_LABEL } from '../analyse/labels.js';
import { createCellEvaluator, EXTRAPOLATION_LIMITS, type CellEvaluator, type MemoryLabels } from './evaluate.js';

/** The memory metrics' words, the same as every report's (SIZE_METRIC_LABEL). */
export const MEMORY_LABELS: MemoryLabels = { cellMemoryBytes: SIZE_METRIC_LABEL.cellMemoryBytes, peakRssBytes: SIZE_METRIC_LABEL.peakRssBytes };

export const evaluator: CellEvaluator = createCellEvaluator(createPredictionKit(), EXTRAPOLATION_LIMITS, MEMORY_LABELS);

/** Every interval of `predict` is a 95% prediction interval. */
export const PREDICTION_LEVEL = 0.95;

let table: TQuantileTable | null = null;

/** The t quantile table of PREDICTION_LEVEL, computed once. */
export function predictionTable(): TQuantileTable {
  table ??= tQuantileTable(PREDICTION_LEVEL);
  return table;
}
