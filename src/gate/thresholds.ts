/** The gate's settings: noise thresholds per metric, what may fail the build, and the comparison's options. */
import type { Analysis } from '../analyse/schema.js';
import type { Budget } from './budgets.js';

/**
 * Metrics whose change is an absolute difference, not a relative one: held-out quality and every fitted
 * exponent (an exponent that goes from 0.01 to 0.035 did not grow "250%": both say "flat").
 */
export function isAbsoluteChange(metric: string): boolean {
  return metric === 'quality' || metric === 'exponent' || metric.endsWith('Exponent');
}

/** Noise thresholds per metric: a change must exceed these to count. */
export interface Thresholds {
  /** Relative change of a cell's median wall time, e.g. 0.10 = 10%. */
  wallMs: number;
  /** Relative change of a cell's median peak RSS. */
  peakRssBytes: number;
  /** Absolute change of a cell's median held-out quality (accuracy or R², 0..1). */
  quality: number;
  /** Absolute change of a fitted exponent (time or memory vs size, time vs parameters), e.g. 0.1: 1.0 -> 1.1. */
  exponent: number;
  /** Relative change of parallel efficiency at a width. */
  efficiency: number;
  /** Relative change of the USL peak width (USL fits are unstable, hence a wider default). */
  uslPeak: number;
  /** Relative change of a cell's canary reading (machine speed) between the runs below which the machine counts as unchanged. */
  canary: number;
}

export type ThresholdName = keyof Thresholds;

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = {
  wallMs: 0.1,
  // peakRssBytes is the whole process's: measured here, same-commit `run --quick` pairs differed by up to 16%
  // in it (heap growth is path-dependent), with six repetitions agreeing to within 1% inside each run.
  peakRssBytes: 0.25,
  quality: 0.02,
  exponent: 0.1,
  efficiency: 0.1,
  uslPeak: 0.25,
  // Between two quiet `run --quick` runs here a cell's canary moved by up to ±30% (±12% at one worker), so a
  // 10% band let the canary's own noise overrule real 1.2x slowdowns; load the canary must explain moved it by
  // 50-80%. Load during a cell is measured by the cell's own CPU share (cpu-share.ts), with a 10% band.
  canary: 0.25,
};

/** Confidence level, bootstrap resamples and seed of every interval the gate computes, unless CompareOptions says otherwise. */
export const DEFAULT_RESAMPLING = { level: 0.95, resamples: 2000, seed: 1 } as const;

export type GateChoice = 'auto' | 'raw' | 'shape';

export type Normalise = 'none' | 'canary';

export interface CompareOptions {
  thresholds?: Partial<Thresholds>;
  /** Significance level of the two-sample test; default 0.05. */
  alpha?: number;
  /** 'auto' (default): raw on the same machine and backend, shape otherwise. 'raw' / 'shape' force one. */
  gate?: GateChoice;
  budgets?: readonly Budget[];
  /** Confidence level of intervals; default 0.95. */
  confidenceLevel?: number;
  /** Bootstrap resamples; default 2000. */
  resamples?: number;
  /** Bootstrap seed, so a comparison is reproducible; default 1. */
  seed?: number;
  /**
   * 'canary': judge times after dividing each cell's by how much slower the machine ran it (its canary reading,
   * current / baseline) wherever that moved beyond the canary threshold. 'none' (default): judge raw times, and
   * call a regression the canary explains 'inconclusive'.
   */
  normalise?: Normalise;
  /** Analyses already computed for these results (the CLI has the current one), to save work. */
  baselineAnalysis?: Analysis;
  currentAnalysis?: Analysis;
}
