/**
 * The two-sample decision (pure): is a metric's change between two sets of repetitions real, and beyond
 * the noise band? criterion.rs's rule: significant (Mann-Whitney U, exact for small samples; the bootstrap
 * interval of the ratio of medians when the rank test cannot reach alpha) AND its whole interval beyond the threshold.
 */
import type { Verdict } from './schema.js';
import type { Estimate } from '../stats/types.js';
import { bootstrapRatioOfMedians, mannWhitneyU } from '../stats/index.js';
import { MIN_REPETITIONS } from '../config/defaults.js';

/** Repetitions per side below which a warning says the verdicts are rough: the analysis's rule too (config/defaults.ts). */
export const RECOMMENDED_REPETITIONS = MIN_REPETITIONS;

/** ln C(n, k) by summing logs, exact enough for the smallest p-value. */
function lnChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Smallest two-sided p-value the exact Mann-Whitney test can give with m and n samples: both
 * extreme orderings, 2 / C(m+n, m). With 3 vs 3 it is 0.1, so at alpha 0.05 the test never fires.
 */
export function smallestMannWhitneyP(m: number, n: number): number {
  if (m < 1 || n < 1) return 1;
  return Math.min(1, 2 * Math.exp(-lnChoose(m + n, m)));
}

export interface SampleDecision {
  /** Relative change of the medians, current / baseline − 1. */
  change: number;
  changeCi: Estimate | null;
  test: string;
  pValue: number | null;
  verdict: Verdict;
  /** Whether the rank test could reach alpha with these sample sizes. */
  testCanFire: boolean;
}

export interface SampleDecisionOptions {
  threshold: number;
  alpha: number;
  level: number;
  resamples: number;
  seed: number;
  /** true for times and memory: an increase is a regression. */
  higherIsWorse: boolean;
}

/**
 * Compares two samples of a metric. Null when the baseline median is not positive (no ratio exists).
 * Fewer than 2 values on a side is 'inconclusive': no test can say anything about noise from one value.
 */
export function decideSamples(baseline: readonly number[], current: readonly number[], options: SampleDecisionOptions): SampleDecision | null {
  const base = baseline.filter(Number.isFinite);
  const cur = current.filter(Number.isFinite);
  if (base.length === 0 || cur.length === 0) return null;
  const ratio = bootstrapRatioOfMedians(cur, base, { resamples: options.resamples, level: options.level, seed: options.seed });
  if (!ratio) return null;
  const change = ratio.value - 1;
  const testCanFire = smallestMannWhitneyP(cur.length, base.length) < options.alpha;
  if (base.length < 2 || cur.length < 2) {
    return { change, changeCi: null, test: 'none (fewer than 2 repetitions)', pValue: null, verdict: 'inconclusive', testCanFire: false };
  }
  const changeCi: Estimate | null =
    ratio.low === null || ratio.high === null ? null : { value: change, low: ratio.low - 1, high: ratio.high - 1, level: ratio.level };
  const mw = mannWhitneyU(cur, base, { alternative: 'two-sided' });

  let significant: boolean;
  let test: string;
  if (testCanFire && mw) {
    significant = mw.pValue < options.alpha;
    test = `mann-whitney-${mw.method}`;
  } else {
    significant = changeCi !== null && changeCi.low !== null && changeCi.high !== null && (changeCi.low > 0 || changeCi.high < 0);
    test = 'bootstrap-ratio';
  }

  const t = options.threshold;
  const low = changeCi?.low ?? change;
  const high = changeCi?.high ?? change;
  let verdict: Verdict = 'unchanged';
  if (significant) {
    const up = low > t;
    const down = high < -t;
    if (up || down) verdict = up === options.higherIsWorse ? 'regressed' : 'improved';
    // Significant, past the threshold at the point estimate, but the interval reaches into the noise band.
    else if (Math.abs(change) > t) verdict = 'inconclusive';
  }
  // The rank test's p-value is reported only when it decided: a p of 0.1 beside a bootstrap verdict would mislead.
  return { change, changeCi, test, pValue: test === 'bootstrap-ratio' ? null : (mw?.pValue ?? null), verdict, testCanFire };
}
