/** Verdicts on the fitted exponents: time and memory vs data size, time vs parameters (efficiency and the USL peak: width-metrics.ts). */
import type { Analysis } from '../analyse/schema.js';
import type { MetricComparison, Verdict } from './schema.js';
import type { Estimate } from '../stats/types.js';
import type { Context } from './context.js';
import { bounds, paramsExponent, sizeExponent } from './intervals.js';

/**
 * A fitted exponent, judged on its own scale: the change is the absolute difference (an exponent that goes
 * from 0.01 to 0.035 did not grow "250%": both say "flat"). It is a regression only when it grew by more than
 * the band (default 0.1) AND the two intervals do not overlap; without an interval on either side there is no
 * verdict beyond 'inconclusive'. The change's interval combines each side's half-widths in quadrature
 * (independent estimates), so it is labelled with their level.
 */
function exponentMetric(ctx: Context, metric: string, subject: string, base: Estimate, cur: Estimate): MetricComparison {
  const change = cur.value - base.value;
  const band = ctx.thresholds.exponent;
  const b = bounds(base);
  const c = bounds(cur);
  let verdict: Verdict = 'unchanged';
  let changeCi: Estimate | null = null;
  if (b && c) {
    const below = Math.hypot(cur.value - c.low, b.high - base.value);
    const above = Math.hypot(c.high - cur.value, base.value - b.low);
    changeCi = { value: change, low: change - below, high: change + above, level: Math.min(base.level, cur.level) };
    const grew = c.low > b.high;
    const shrank = c.high < b.low;
    if (change > band && grew) verdict = 'regressed';
    else if (change < -band && shrank) verdict = 'improved';
    else if (Math.abs(change) > band) verdict = 'inconclusive';
  } else if (Math.abs(change) > band) verdict = 'inconclusive';
  return {
    metric,
    subject,
    baseline: base.value,
    current: cur.value,
    change,
    changeCi,
    test: b && c ? 'interval-overlap+band' : 'none (no interval)',
    pValue: null,
    threshold: band,
    verdict,
    gated: true,
    ...(b && c ? {} : { note: 'no interval on one side (a single repetition, or a fit through 2 points without median intervals): no verdict' }),
  };
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
    // Memory at small sizes is mostly fixed costs (runtime, backend, pool, allocator) that differ between
    // machines: its exponent is gated by the raw gate (same machine) only.
    out.push(name === 'memoryExponent' ? { ...m, gated: ctx.gateMode === 'raw' } : m);
  }
  for (const b of baseline.complexityScaling) {
    const c = current.complexityScaling.find((s) => s.key === b.key);
    // Only compare fits over the same models: adding a model changes the slope without any regression.
    const models = (s: typeof b) => s.points.map((p) => p.model).join(',');
    if (!c || models(b) !== models(c)) continue;
    const be = paramsExponent(baseline, b);
    const ce = paramsExponent(current, c);
    if (!be || !ce) continue;
    // How time grows with model size depends on caches, SIMD width and memory bandwidth, so unlike the
    // time-vs-data-size exponent it does not hold across machines: gated on the same machine only.
    out.push({ ...exponentMetric(ctx, 'paramsExponent', b.key, be, ce), gated: ctx.gateMode === 'raw' });
  }
  return out;
}
