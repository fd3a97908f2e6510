/** What every part of the analysis shares: its options, the group keys of the fits, and the analysed cell. */
import type { CellAnalysis, SizeScaling } from './schema.js';
import type { Mode } from '../results/schema.js';
import { MIN_REPETITIONS } from '../config/defaults.js';

export interface AnalyseOptions {
  /** Absolute quality drop (accuracy or R²) a faster configuration may show before it is flagged; default 0.02. */
  qualityTolerance?: number;
  /** Relative spread of wall time (IQR / median) above which a cell is noisy; default 0.10. */
  noisyThreshold?: number;
  /** Fewest ok repetitions per cell before a 'few-repetitions' warning; default MIN_REPETITIONS (6), the gate's rule too. */
  minRepetitions?: number;
  /** Confidence level of every interval; default 0.95. */
  confidenceLevel?: number;
}

export const ANALYSE_DEFAULTS: Required<AnalyseOptions> = {
  qualityTolerance: 0.02,
  noisyThreshold: 0.1,
  minRepetitions: MIN_REPETITIONS,
  confidenceLevel: 0.95,
};

/*
 * `variant` is the mode's extra identity (data-parallel scaling, inference batch size and load
 * level, see modeVariant): cells that differ in it are never fitted together. Empty for job-parallel.
 */

/** Group key of a time-vs-size (or memory-vs-size) fit. */
export function sizeScalingKey(model: string, dataset: string, workers: number, mode: Mode, metric: SizeScaling['metric'], variant = ''): string {
  return `${model}|${dataset}|w=${workers}|${mode}${variant}|${metric}`;
}

/** Group key of a throughput-vs-width fit. */
export function widthScalingKey(model: string, dataset: string, size: number, mode: Mode, variant = ''): string {
  return `${model}|${dataset}|n=${size}|${mode}${variant}`;
}

/** Group key of a time-per-sample-vs-model-size fit. */
export function complexityScalingKey(dataset: string, size: number, workers: number, mode: Mode, variant = ''): string {
  return `${dataset}|n=${size}|w=${workers}|${mode}${variant}`;
}

/** A cell's analysis plus what the sweeps need from its raw trials. */
export interface AnalysedCell {
  analysis: CellAnalysis;
  /** Median samples processed per ok trial (the work done), null without ok trials. */
  medianSamples: number | null;
  /** Logical cores of the machine that ran it. */
  cores: number;
  machineId: string;
  /** Whether that machine has a peak FLOP/s calibration (MFU needs one). */
  calibrated: boolean;
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
