/** Verdicts on the fitted laws: exponents (time and memory vs size, time vs parameters), efficiency per width, the USL peak. */
import type { Analysis, CellAnalysis, WidthScaling } from '../analyse/schema.js';
import type { MetricComparison, Verdict } from './schema.js';
import type { Estimate } from '../stats/types.js';
import type { Context } from './context.js';

/** Relative change against |baseline|; null when the baseline is 0 (no relative change exists). */
function relative(baseline: number, current: number): number | null {
  return baseline !== 0 && Number.isFinite(baseline) && Number.isFinite(current) ? (current - baseline) / Math.abs(baseline) : null;
}

/**
 * A fitted exponent "grew beyond its CI": the current estimate lies outside the baseline's interval
 * AND the relative change exceeds the threshold. Without an interval (2 sizes) only the threshold applies.
 * The change's interval combines both half-widths in quadrature (independent estimates).
 */
function exponentMetric(ctx: Context, metric: string, subject: string, base: Estimate, cur: Estimate): MetricComparison | null {
  const change = relative(base.value, cur.value);
  if (change === null) return null;
  const threshold = ctx.thresholds.exponent;
  const hasCi = base.low !== null && base.high !== null;
  const outside = hasCi ? cur.value > (base.high ?? Infinity) || cur.value < (base.low ?? -Infinity) : true;
  let changeCi: Estimate | null = null;
  if (hasCi && cur.low !== null && cur.high !== null) {
    const halfBase = ((base.high ?? 0) - (base.low ?? 0)) / 2;
    const halfCur = (cur.high - cur.low) / 2;
    const half = Math.sqrt(halfBase ** 2 + halfCur ** 2) / Math.abs(base.value);
    changeCi = { value: change, low: change - half, high: change + half, level: base.level };
  }
  let verdict: Verdict = 'unchanged';
  if (outside && change > threshold) verdict = 'regressed';
  else if (outside && change < -threshold) verdict = 'improved';
  else if (!outside && Math.abs(change) > threshold) verdict = 'inconclusive';
  return {
    metric,
    subject,
    baseline: base.value,
    current: cur.value,
    change,
    changeCi,
    test: hasCi ? 'outside-baseline-ci' : 'threshold',
    pValue: null,
    threshold,
    verdict,
    gated: true,
  };
}

/** A cell of `analysis` by its coordinates (sweeps name cells by coordinates, not ids). */
function findCell(analysis: Analysis, where: { model: string; dataset: string; size: number; workers: number; mode: string }): CellAnalysis | undefined {
  return analysis.cells.find(
    (c) => c.cell.model === where.model && c.cell.dataset === where.dataset && c.cell.size === where.size && c.cell.workers === where.workers && c.cell.mode === where.mode,
  );
}

interface Interval {
  low: number;
  high: number;
  level: number;
}

function positiveInterval(ci: Estimate | undefined): Interval | null {
  return ci && ci.low !== null && ci.high !== null && ci.low > 0 ? { low: ci.low, high: ci.high, level: ci.level } : null;
}

/**
 * A fit through 2 points has no t-interval (no residual degrees of freedom), yet a 2-size sweep must
 * not be gated on its point estimate alone (noise would fail builds). Its interval is taken from the
 * two medians' intervals instead: the shallowest and steepest slopes between them.
 */
function withTwoPointInterval(estimate: Estimate, xs: readonly number[], ys: ReadonlyArray<Interval | null>): Estimate {
  if (estimate.low !== null && estimate.high !== null) return estimate;
  const [x1, x2] = xs;
  const [y1, y2] = ys;
  if (xs.length !== 2 || x1 === undefined || x2 === undefined || !y1 || !y2 || !(x1 > 0) || !(x2 > x1)) return estimate;
  const dx = Math.log(x2 / x1);
  return { value: estimate.value, low: Math.log(y2.low / y1.high) / dx, high: Math.log(y2.high / y1.low) / dx, level: Math.min(y1.level, y2.level) };
}

function sizeExponent(analysis: Analysis, s: Analysis['sizeScaling'][number]): Estimate | null {
  if (!s.exponent) return null;
  const ys = s.points.map((p) => {
    const cell = findCell(analysis, { ...s, size: p.size });
    return positiveInterval(s.metric === 'timeToTargetMs' ? (cell?.timeToTarget?.medianMs ?? undefined) : cell?.[s.metric]?.medianCi);
  });
  return withTwoPointInterval(s.exponent, s.points.map((p) => p.size), ys);
}

function paramsExponent(analysis: Analysis, s: Analysis['complexityScaling'][number]): Estimate | null {
  if (!s.exponentVsParams) return null;
  const ys = s.points.map((p) => {
    const cell = analysis.cells.find(
      (c) => c.cell.model === p.model && (s.dataset === undefined || c.cell.dataset === s.dataset) && c.cell.size === s.size && c.cell.workers === s.workers && c.cell.mode === s.mode,
    );
    const x = positiveInterval(cell?.samplesPerSec?.medianCi);
    // Time per sample per worker is workers / throughput: the interval flips.
    return x ? { low: (s.workers * 1e6) / x.high, high: (s.workers * 1e6) / x.low, level: x.level } : null;
  });
  return withTwoPointInterval(s.exponentVsParams, s.points.map((p) => p.params), ys);
}

export function sizeLawMetrics(ctx: Context, baseline: Analysis, current: Analysis): MetricComparison[] {
  const out: MetricComparison[] = [];
  for (const b of baseline.sizeScaling) {
    const c = current.sizeScaling.find((s) => s.key === b.key);
    const be = sizeExponent(baseline, b);
    const ce = c ? sizeExponent(current, c) : null;
    if (!be || !ce) continue;
    const name = b.metric === 'wallMs' ? 'exponent' : b.metric === 'timeToTargetMs' ? 'timeToTargetExponent' : 'memoryExponent';
    const m = exponentMetric(ctx, name, b.key, be, ce);
    if (m) out.push(m);
  }
  for (const b of baseline.complexityScaling) {
    const c = current.complexityScaling.find((s) => s.key === b.key);
    // Only compare fits over the same models: adding a model changes the slope without any regression.
    const models = (s: typeof b) => s.points.map((p) => p.model).join(',');
    if (!c || models(b) !== models(c)) continue;
    const be = paramsExponent(baseline, b);
    const ce = paramsExponent(current, c);
    if (!be || !ce) continue;
    const m = exponentMetric(ctx, 'paramsExponent', b.key, be, ce);
    // How time grows with model size depends on caches, SIMD width and memory bandwidth, so unlike the
    // time-vs-data-size exponent it does not hold across machines: gated on the same machine only.
    if (m) out.push({ ...m, gated: ctx.gateMode === 'raw' });
  }
  return out;
}

/** Interval of the median throughput of a cell, from the analysis's distribution-free median CI. */
function throughputInterval(analysis: Analysis, sweep: WidthScaling, workers: number): { low: number; high: number } | null {
  const cell = analysis.cells.find(
    (c: CellAnalysis) => c.cell.model === sweep.model && c.cell.dataset === sweep.dataset && c.cell.size === sweep.size && c.cell.mode === sweep.mode && c.cell.workers === workers,
  );
  const ci = cell?.samplesPerSec?.medianCi;
  if (!ci || ci.low === null || ci.high === null || !(ci.low > 0)) return null;
  return { low: ci.low, high: ci.high };
}

/**
 * Efficiency E(w) = X(w) / (w·X(1)), with an interval from the throughput intervals at w and 1.
 * A drop counts when the two efficiency intervals do not overlap ('ci-overlap') and the relative change
 * exceeds the threshold. Widths above either machine's cores measure contention, which depends on the
 * core count, so across machines with different core counts they are shown but not gated.
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
      const change = relative(bp.efficiency, cp.efficiency);
      if (change === null) continue;
      const interval = (a: Analysis, s: WidthScaling) => {
        const at = throughputInterval(a, s, bp.workers);
        const one = throughputInterval(a, s, 1);
        return at && one ? { low: at.low / (bp.workers * one.high), high: at.high / (bp.workers * one.low) } : null;
      };
      const bi = interval(baseline, b);
      const ci = interval(current, c);
      const separated = bi && ci ? ci.high < bi.low || ci.low > bi.high : true;
      const threshold = ctx.thresholds.efficiency;
      let verdict: Verdict = 'unchanged';
      if (separated && change < -threshold) verdict = 'regressed';
      else if (separated && change > threshold) verdict = 'improved';
      else if (!separated && Math.abs(change) > threshold) verdict = 'inconclusive';
      const gated = ctx.gateMode === 'raw' || sameCores || bp.workers <= minCores;
      if (!gated) ungatedWidths.add(bp.workers);
      out.push({
        metric: `efficiency@${bp.workers}`,
        subject: b.key,
        baseline: bp.efficiency,
        current: cp.efficiency,
        change,
        changeCi: bi && ci ? { value: change, low: ci.low / bi.high - 1, high: ci.high / bi.low - 1, level: ctx.level } : null,
        test: bi && ci ? 'ci-overlap' : 'threshold',
        pValue: null,
        threshold,
        verdict,
        gated,
      });
    }

    if ('unavailable' in b.usl || 'unavailable' in c.usl) continue;
    const bPeak = b.usl.peakWorkers;
    const cPeak = c.usl.peakWorkers;
    if (bPeak === null || cPeak === null) {
      if (bPeak !== cPeak) {
        ctx.warnings.push(
          `${b.key}: USL peak ${bPeak === null ? 'none (throughput still rising)' : `${bPeak.toFixed(2)} workers`} in the baseline, ` +
            `${cPeak === null ? 'none (throughput still rising)' : `${cPeak.toFixed(2)} workers`} now; not compared as a number.`,
        );
      }
      continue;
    }
    const change = relative(bPeak, cPeak);
    if (change === null) continue;
    const threshold = ctx.thresholds.uslPeak;
    out.push({
      metric: 'uslPeak',
      subject: b.key,
      baseline: bPeak,
      current: cPeak,
      change,
      changeCi: null,
      test: 'threshold',
      pValue: null,
      threshold,
      verdict: change < -threshold ? 'regressed' : change > threshold ? 'improved' : 'unchanged',
      // The peak width depends on the core count, so it holds across machines only when that is equal.
      gated: ctx.gateMode === 'raw' || sameCores,
    });
  }
  if (ungatedWidths.size > 0 || (!sameCores && ctx.gateMode === 'shape')) {
    ctx.warnings.push(
      `the machines have different core counts (${baseline.environment.cores} vs ${current.environment.cores}): efficiency at widths above ${minCores} and the USL peak depend on the core count, so they are shown but not gated.`,
    );
  }
  return out;
}
