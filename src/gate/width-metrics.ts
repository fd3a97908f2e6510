/**
 * Verdicts on the width laws: parallel efficiency at each width and the USL peak width. Both intervals
 * are bootstrap percentile intervals at the comparison's level, from the repetitions of the cells behind
 * the law, so the "95%" printed beside them is what they are.
 */
import type { Analysis, WidthScaling } from '../analyse/schema.js';
import type { MetricComparison, Verdict } from './schema.js';
import type { Estimate } from '../stats/types.js';
import { bootstrapMedians } from '../stats/index.js';
import type { Context } from './context.js';
import { bounds, efficiencyInputs, efficiencyOf, peakFitter, throughputByWidth, USL_RESAMPLES } from './intervals.js';

/** Fewest measured widths (1 included) before the USL peak may fail a build: a 3-parameter fit through fewer swings widely. */
export const USL_GATE_MIN_WIDTHS = 6;

/** Relative change against |baseline|; null when the baseline is 0 (no relative change exists). */
function relative(baseline: number, current: number): number | null {
  return baseline !== 0 && Number.isFinite(baseline) && Number.isFinite(current) ? (current - baseline) / Math.abs(baseline) : null;
}

/**
 * Relative-change verdict from the change's interval: beyond the threshold only when the whole interval is;
 * past it at the point estimate but not wholly: 'inconclusive'; no interval: never more than 'inconclusive'.
 */
function intervalVerdict(change: number, ci: Estimate | null, threshold: number, higherIsBetter: boolean): Verdict {
  const b = bounds(ci);
  if (!b) return Math.abs(change) > threshold ? 'inconclusive' : 'unchanged';
  if (b.low > threshold) return higherIsBetter ? 'improved' : 'regressed';
  if (b.high < -threshold) return higherIsBetter ? 'regressed' : 'improved';
  return Math.abs(change) > threshold ? 'inconclusive' : 'unchanged';
}

/** Efficiency at one width: the analysis's values, and the bootstrap interval of their ratio. */
function efficiencyMetric(ctx: Context, b: WidthScaling, c: WidthScaling, workers: number, baseValue: number, curValue: number): MetricComparison | null {
  const change = relative(baseValue, curValue);
  if (change === null) return null;
  const bi = efficiencyInputs(ctx.baseline, b, workers);
  const ci = efficiencyInputs(ctx.current, c, workers);
  const changeCi =
    bi && ci && bi.byTime === ci.byTime
      ? bootstrapMedians(
          [ci.at, ci.one, bi.at, bi.one],
          ([ca = NaN, co = NaN, ba = NaN, bo = NaN]) => efficiencyOf(ca, co, workers, ci.byTime) / efficiencyOf(ba, bo, workers, bi.byTime) - 1,
          { resamples: ctx.resamples, level: ctx.level, seed: ctx.seed },
        )
      : null;
  const interval = changeCi && bounds(changeCi) ? { ...changeCi, value: change } : null;
  const threshold = ctx.thresholds.efficiency;
  return {
    metric: `efficiency@${workers}`,
    subject: b.key,
    baseline: baseValue,
    current: curValue,
    change,
    changeCi: interval,
    test: interval ? 'bootstrap-efficiency-ratio' : 'none (no interval)',
    pValue: null,
    threshold,
    verdict: intervalVerdict(change, interval, threshold, true),
    gated: true,
    ...(interval ? {} : { note: 'no interval (a single repetition at this width or at width 1): no verdict' }),
  };
}

/**
 * The USL peak width: gated only when both runs measured USL_GATE_MIN_WIDTHS widths or more, judged on the
 * bootstrap interval of the peak's relative change (each resample refits both runs).
 */
function uslPeakMetric(ctx: Context, b: WidthScaling, c: WidthScaling, sameCores: boolean): MetricComparison | null {
  if ('unavailable' in b.usl || 'unavailable' in c.usl) return null;
  const bPeak = b.usl.peakWorkers;
  const cPeak = c.usl.peakWorkers;
  if (bPeak === null || cPeak === null) {
    if (bPeak !== cPeak) {
      ctx.warnings.push(
        `${b.key}: USL peak ${bPeak === null ? 'none (throughput still rising)' : `${bPeak.toFixed(2)} workers`} in the baseline, ` +
          `${cPeak === null ? 'none (throughput still rising)' : `${cPeak.toFixed(2)} workers`} now; not compared as a number.`,
      );
    }
    return null;
  }
  const change = relative(bPeak, cPeak);
  if (change === null) return null;
  const base = throughputByWidth(ctx.baseline, b.key);
  const cur = throughputByWidth(ctx.current, c.key);
  const widths = Math.min(base.length, cur.length);
  const enough = widths >= USL_GATE_MIN_WIDTHS && base.map((w) => w.workers).join() === cur.map((w) => w.workers).join();
  let changeCi: Estimate | null = null;
  if (enough) {
    const n = base.length;
    const curPeak = peakFitter(cur);
    const basePeak = peakFitter(base);
    const ci = bootstrapMedians(
      [...cur.map((w) => w.values), ...base.map((w) => w.values)],
      (medians) => curPeak(medians.slice(0, n)) / basePeak(medians.slice(n)) - 1,
      { resamples: Math.min(ctx.resamples, USL_RESAMPLES), level: ctx.level, seed: ctx.seed },
    );
    changeCi = ci && bounds(ci) ? { ...ci, value: change } : null;
  }
  const threshold = ctx.thresholds.uslPeak;
  const note = !enough
    ? `the USL peak is gated only with ${USL_GATE_MIN_WIDTHS}+ widths (${widths} measured): a fit through fewer swings widely`
    : changeCi
      ? undefined
      : 'no interval: too many resamples had no peak';
  return {
    metric: 'uslPeak',
    subject: b.key,
    baseline: bPeak,
    current: cPeak,
    change,
    changeCi,
    test: changeCi ? 'bootstrap-usl-peak' : 'none (no interval)',
    pValue: null,
    threshold,
    verdict: intervalVerdict(change, changeCi, threshold, true),
    // The peak width depends on the core count, so it holds across machines only when that is equal.
    gated: enough && (ctx.gateMode === 'raw' || sameCores),
    ...(note ? { note } : {}),
  };
}

/**
 * Efficiency per width and the USL peak. Widths above either machine's cores measure contention, which
 * depends on the core count, so across machines with different core counts they are shown but not gated.
 */
export function widthLawMetrics(ctx: Context, baseline: Analysis, current: Analysis): MetricComparison[] {
  const out: MetricComparison[] = [];
  const minCores = Math.min(baseline.environment.cores, current.environment.cores);
  const sameCores = baseline.environment.cores === current.environment.cores;
  const ungatedWidths = new Set<number>();
  for (const b of baseline.widthScaling) {
    const c = current.widthScaling.find((s) => s.key === b.key);
    if (!c) continue;
    for (const bp of b.points) {
      const cp = c.points.find((p) => p.workers === bp.workers);
      if (bp.workers <= 1 || !cp || bp.efficiency === null || cp.efficiency === null) continue;
      const m = efficiencyMetric(ctx, b, c, bp.workers, bp.efficiency, cp.efficiency);
      if (!m) continue;
      const gated = ctx.gateMode === 'raw' || sameCores || bp.workers <= minCores;
      if (!gated) ungatedWidths.add(bp.workers);
      out.push({ ...m, gated });
    }
    const peak = uslPeakMetric(ctx, b, c, sameCores);
    if (peak) out.push(peak);
  }
  if (ungatedWidths.size > 0 || (!sameCores && ctx.gateMode === 'shape')) {
    ctx.warnings.push(
      `the machines have different core counts (${baseline.environment.cores} vs ${current.environment.cores}): efficiency at widths above ${minCores} and the USL peak depend on the core count, so they are shown but not gated.`,
    );
  }
  return out;
}
