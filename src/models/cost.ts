/**
 * Rough costs of the built-in models, known before any tfjs is loaded: training microseconds per sample
 * on one wasm worker (to weigh progress, the ETA and shards, and for the fake runner), and trainable
 * parameters at their default data sets (for the memory preflight and the fake runner). Never reported as
 * measurements; real runs record the exact parameter count.
 */
interface ModelCost {
  usPerSample: number;
  params: number;
}

export const ESTIMATED_COSTS: Record<string, ModelCost> = {
  linear: { usPerSample: 1, params: 33 },
  logistic: { usPerSample: 1.5, params: 132 },
  'mlp-small': { usPerSample: 7, params: 6_532 },
  'mlp-deep': { usPerSample: 70, params: 207_108 },
  'cnn-small': { usPerSample: 40, params: 3_900 },
};

/** A custom model of unknown size: assumed slow-ish and large, so the preflight errs on the safe side. */
const UNKNOWN_MODEL: ModelCost = { usPerSample: 10, params: 1_000_000 };

export function estimatedUsPerSample(model: string): number {
  return (ESTIMATED_COSTS[model] ?? UNKNOWN_MODEL).usPerSample;
}

export function estimatedParams(model: string): number {
  return (ESTIMATED_COSTS[model] ?? UNKNOWN_MODEL).params;
}
