/**
 * Summaries of repeated runs to a target, some of which may never reach it (censored at +∞):
 * the MLPerf Training score, the median with its interval, and how variable convergence is.
 */
import type { Estimate } from './types.js';
import { medianConfidenceInterval } from './descriptive.js';

export type MlperfSummary =
  | { kind: 'value'; value: number; used: number }
  | { kind: 'not-converged'; reason: string }
  | { kind: 'too-few'; reason: string };

/** Runs the MLPerf score needs: one fastest and one slowest to drop, and at least one left. */
export const MLPERF_MIN_RUNS = 3;

/**
 * The MLPerf Training rule (training_rules.adoc, "Results"): drop the fastest and the slowest run and
 * average the rest. At most one run may fail to converge; it counts as the slowest and is the one
 * dropped. More than one makes the result "not converged", never a number.
 */
export function mlperfSummary(converged: readonly number[], notConverged: number): MlperfSummary {
  const total = converged.length + notConverged;
  if (notConverged > 1) {
    return { kind: 'not-converged', reason: `${notConverged} of ${total} runs did not reach the target (MLPerf allows 1)` };
  }
  if (total < MLPERF_MIN_RUNS) {
    return { kind: 'too-few', reason: `${total} run${total === 1 ? '' : 's'}; the MLPerf score drops the fastest and slowest, so it needs ${MLPERF_MIN_RUNS} or more` };
  }
  const sorted = [...converged].sort((a, b) => a - b);
  // The fastest always goes; the slowest is the non-converged run when there is one.
  const kept = sorted.slice(1, notConverged === 1 ? sorted.length : sorted.length - 1);
  return { kind: 'value', value: kept.reduce((s, v) => s + v, 0) / kept.length, used: kept.length };
}

/**
 * Median and its distribution-free interval when `notConverged` runs never finished (+∞): they sort
 * last, so the median stays finite while fewer than half failed. Bounds that fall on a failed run
 * are null (unbounded); a median that does is null altogether.
 */
export function censoredMedian(converged: readonly number[], notConverged: number, level = 0.95): Estimate | null {
  const values = [...converged, ...Array.from({ length: notConverged }, () => Infinity)];
  if (values.length === 0) return null;
  const ci = medianConfidenceInterval(values, level);
  if (!Number.isFinite(ci.value)) return null;
  const bound = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);
  return { value: ci.value, low: bound(ci.low), high: bound(ci.high), level: ci.level };
}

/** Coefficient of variation sd/mean (sample sd); null with fewer than 2 values or a mean of 0. */
export function coefficientOfVariation(values: readonly number[]): number | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return null;
  const mean = finite.reduce((s, v) => s + v, 0) / finite.length;
  if (mean === 0) return null;
  const variance = finite.reduce((s, v) => s + (v - mean) ** 2, 0) / (finite.length - 1);
  return Math.sqrt(variance) / Math.abs(mean);
}

/**
 * Repetitions for the mean to lie within ±`precision` (relative) of the truth at 95% confidence, from
 * a coefficient of variation: n = (1.96·CV / precision)², at least 1.
 */
export function repetitionsForPrecision(cv: number, precision = 0.1, z = 1.96): number {
  if (!(cv > 0) || !(precision > 0)) return 1;
  return Math.max(1, Math.ceil(((z * cv) / precision) ** 2));
}
