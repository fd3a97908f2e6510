/**
 * Sweep profiles. The default sweep must finish in a few minutes on 2 cores (measured: 29 s) and --quick in under 30 s (13 s),
 * so sizes and repetitions are chosen against measured throughput (see docs/performance.md, "The harness's own cost").
 */
import type { BuiltinModelName } from './names.js';
import type { TrainingConfig } from './schema.js';

/**
 * Counted repetitions per cell below which a median is rough and a two-sample comparison weak: the one rule the
 * analysis's 'few-repetitions' warning, the gate's warnings and the default --repeats share. Six per side is the
 * fewest at which the exact two-sided Mann-Whitney test can reach p < 0.05 with room to spare (smallest p 2/924),
 * so the gate's significance test can fire; with 3 vs 3 it never can (smallest p 0.1).
 */
export const MIN_REPETITIONS = 6;

export const ALL_BUILTIN_MODELS: readonly BuiltinModelName[] = ['linear', 'logistic', 'mlp-small', 'mlp-deep', 'cnn-small'];

export interface Profile {
  sizes: number[];
  models: readonly string[];
  repeats: number;
  warmup: number;
  training: TrainingConfig;
}

// Batch 256: the throughput-optimal size for the built-in models on wasm (mlp-deep trains at about 15k samples/s
// against 8k at batch 64), which is what keeps the default sweep within a few minutes on 2 cores. At one epoch the smallest
// sizes take only a few optimizer steps, so their held-out quality measures the budget, not the data: the reports say
// so ("after 1 epoch, 4 steps", `undertrained`). Train to a quality with --target, or to convergence with --patience.
const TRAINING: TrainingConfig = { epochs: 1, batchSize: 256, learningRate: 0.01, testFraction: 0.2 };

export const PROFILES = {
  default: {
    // Doubling steps give six points for the power-law fit; 1k..32k keeps mlp-deep's widest cells affordable.
    sizes: [1000, 2000, 4000, 8000, 16000, 32000],
    models: ALL_BUILTIN_MODELS,
    repeats: MIN_REPETITIONS,
    warmup: 1,
    training: TRAINING,
  },
  quick: {
    sizes: [1000, 2000, 4000],
    models: ALL_BUILTIN_MODELS,
    repeats: MIN_REPETITIONS,
    warmup: 1,
    training: TRAINING,
  },
} satisfies Record<string, Profile>;

export const DEFAULT_SEED = 42;
export const DEFAULT_OUT_DIR = 'reports';
/** Generous: a hung cell should not stall an hour-long sweep, but a slow big cell must finish. */
export const DEFAULT_CELL_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * 1, 2, 4, ... up to the core count, and the core count itself. A width above the cores measures
 * contention for cores, not parallelism, so it is measured only when asked for (`--workers 1,2,3`).
 */
export function defaultWidths(cores: number): number[] {
  const widths = new Set<number>();
  for (let w = 1; w <= cores; w *= 2) widths.add(w);
  widths.add(Math.max(1, cores));
  return [...widths].sort((a, b) => a - b);
}
