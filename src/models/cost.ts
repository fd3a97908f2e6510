/**
 * Rough training cost per sample of the built-in models on one wasm worker, in microseconds.
 * Only used to weigh progress (ETA) and by the fake runner; never reported as a measurement.
 */
export const ESTIMATED_US_PER_SAMPLE: Record<string, number> = {
  linear: 1,
  logistic: 1.5,
  'mlp-small': 7,
  'mlp-deep': 70,
  'cnn-small': 40,
};

const UNKNOWN_MODEL_US = 10;

export function estimatedUsPerSample(model: string): number {
  return ESTIMATED_US_PER_SAMPLE[model] ?? UNKNOWN_MODEL_US;
}

/**
 * Approximate trainable parameters of the built-in models at their default data sets, for the memory
 * preflight (before any tfjs is loaded) and the fake runner. Real runs record the exact count.
 */
export const ESTIMATED_PARAMS: Record<string, number> = {
  linear: 33,
  logistic: 132,
  'mlp-small': 6_532,
  'mlp-deep': 207_108,
  'cnn-small': 3_900,
};

const UNKNOWN_MODEL_PARAMS = 1_000_000;

export function estimatedParams(model: string): number {
  return ESTIMATED_PARAMS[model] ?? UNKNOWN_MODEL_PARAMS;
}
