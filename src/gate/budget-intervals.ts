/**
 * The interval of every quantity a budget can name, so a budget fails only when the whole interval lies
 * beyond its limit (a noisy measurement that merely straddles it is 'inconclusive', never a failed build):
 * exponents their fit's interval, per-cell medians their distribution-free interval, efficiency, speedup,
 * Karp-Flatt and the USL peak a bootstrap over the repetitions of the cells behind them.
 */
import type { Analysis, CellAnalysis, SizeScaling, WidthScaling } from '../analyse/schema.js';
import type { RunResult } from '../results/schema.js';
import type { Estimate } from '../stats/types.js';
import { medianConfidenceInterval } from '../stats/index.js';
import { bounds, efficiencyEstimate, sizeExponent, uslPeakEstimate, type ResampleOptions } from './intervals.js';
import { okValues } from './sweep-cells.js';

export interface Interval {
  low: number;
  high: number;
  /** Confidence level of [low, high] (a median of few repetitions may reach less than asked: 0.75 for 3). */
  level: number;
}

/** Where the intervals come from: the run's raw repetitions and the resampling settings. */
export interface IntervalSource extends ResampleOptions {
  result: RunResult;
}

function interval(estimate: Estimate | null | undefined): Interval | null {
  const b = bounds(estimate);
  return b && estimate ? { ...b, level: estimate.level } : null;
}

export function exponentInterval(analysis: Analysis, sweep: SizeScaling): Interval | null {
  return interval(sizeExponent(analysis, sweep));
}

/** Karp-Flatt e = (1/S − 1/w)/(1 − 1/w) falls as S rises, so its interval is the speedup's, flipped. */
function karpFlattOf(speedup: number, workers: number): number {
  return (1 / speedup - 1 / workers) / (1 - 1 / workers);
}

export function widthPointInterval(source: IntervalSource | undefined, sweep: WidthScaling, workers: number, metric: 'efficiency' | 'speedup' | 'karpFlatt'): Interval | null {
  if (!source) return null;
  const e = interval(efficiencyEstimate(source.result, sweep, workers, source));
  if (!e || !(e.low > 0)) return null;
  if (metric === 'efficiency') return e;
  if (metric === 'speedup') return { low: e.low * workers, high: e.high * workers, level: e.level };
  return { low: karpFlattOf(e.high * workers, workers), high: karpFlattOf(e.low * workers, workers), level: e.level };
}

export function uslPeakInterval(source: IntervalSource | undefined, sweep: WidthScaling): Interval | null {
  return source ? interval(uslPeakEstimate(source.result, sweep.key, source)) : null;
}

/** A cell's median quality, from its repetitions' quality values. */
export function qualityInterval(source: IntervalSource | undefined, cell: CellAnalysis): Interval | null {
  const raw = source?.result.cells.find((c) => c.cell.id === cell.cellId);
  const values = okValues(raw, (t) => (t.quality.metric === cell.quality?.metric ? t.quality.value : NaN));
  return values.length > 0 ? interval(medianConfidenceInterval(values, source?.level ?? 0.95)) : null;
}

/** Time to target's median interval (from the repetitions that reached it). */
export function timeToTargetInterval(estimate: Estimate | null): Interval | null {
  return interval(estimate);
}

export function cellMedianInterval(cell: CellAnalysis, metric: 'wallMs' | 'samplesPerSec' | 'peakRssBytes'): Interval | null {
  return interval(cell[metric]?.medianCi);
}
