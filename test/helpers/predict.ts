/** Prediction from a test RunResult, through the analysis as `scale-bench predict` does it. */
import { analyse } from '../../src/analyse/index.js';
import { observationGroups, predictionModel, runPrediction, type PredictQuery } from '../../src/predict/index.js';
import type { PredictionModel } from '../../src/predict/schema.js';
import type { RunResult } from '../../src/results/schema.js';

export function predict(result: RunResult, query: PredictQuery) {
  return runPrediction(result, analyse(result), query);
}

/** The laws of the first model × data set of the run. */
export function modelOf(result: RunResult): PredictionModel {
  const [group] = observationGroups(result, analyse(result));
  return predictionModel(group!)!;
}
