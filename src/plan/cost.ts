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
