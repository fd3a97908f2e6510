/**
 * How much the machine's speed varied within the runs, from the canary's readings: a bound on what the
 * per-cell canary correction (canary.ts) cannot see. On a machine whose load comes and goes faster than the
 * canary is read, a cell's reading says little about the seconds the cell ran, but the spread of all the
 * readings says how far any cell's time may have moved for no reason in the code. A time verdict must clear
 * its threshold widened by that spread, or it is 'inconclusive'. Pure.
 */
import type { RunResult } from '../results/schema.js';
import type { MetricComparison } from './schema.js';
import { quantile } from '../stats/index.js';
import { bounds } from './intervals.js';
import { cellsBehind } from './sweep-cells.js';

/**
 * Per width: the canary's interquartile ratio over the run's sweep readings, q75 / q25 − 1 (0 with fewer
 * than 2). The middle half, not max / min: one reading caught by a spike must not make a quiet run look wild.
 */
export function canarySpread(run: RunResult): Map<number, number> {
  const readings = run.canary?.readings.filter((r) => r.phase === 'sweep') ?? [];
  const out = new Map<number, number>();
  for (const w of new Set(readings.map((r) => r.workers))) {
    const ms = readings.filter((r) => r.workers === w).map((r) => r.ms);
    const low = quantile(ms, 0.25);
    out.set(w, ms.length >= 2 && low > 0 ? quantile(ms, 0.75) / low - 1 : 0);
  }
  return out;
}

/** The larger spread of the two runs at each width (a noisy baseline is as untrustworthy as a noisy current run). */
export function combinedSpread(baseline: RunResult, current: RunResult): Map<number, number> {
  const out = canarySpread(current);
  for (const [w, s] of canarySpread(baseline)) out.set(w, Math.max(s, out.get(w) ?? 0));
  return out;
}

/** What a metric's threshold becomes when every cell behind it may have run up to 1 + spread times slower or faster. */
/** Metrics computed from times: what the machine's speed moves (memory and quality it does not). */
export function isTimeMetric(m: Pick<MetricComparison, 'metric'>): boolean {
  return m.metric === 'wallMs' || m.metric === 'exponent' || m.metric === 'paramsExponent' || m.metric.startsWith('efficiency@') || m.metric === 'uslPeak';
}

function widened(m: MetricComparison, run: RunResult, spread: ReadonlyMap<number, number>, ownMeasure: ReadonlySet<string>): { spread: number; decisive: boolean } | null {
  if (!isTimeMetric(m) || m.metric === 'uslPeak') return null;
  const ids = new Set(cellsBehind(m, run));
  // Cells with CPU times in both runs measured the load during them (cpu-share.ts): the canary's spread, a
  // proxy for load it could not time, need not stand in for it.
  if (ids.size > 0 && [...ids].every((id) => ownMeasure.has(id))) return null;
  const cells = run.cells.filter((c) => ids.has(c.cell.id));
  const s = Math.max(0, ...cells.map((c) => spread.get(c.cell.workers) ?? 0));
  if (!(s > 0)) return null;
  if (m.metric === 'exponent' || m.metric === 'paramsExponent') {
    // A factor 1 + s between the ends of a log-log fit tilts its slope by log(1 + s) / log(x_max / x_min).
    const xs = cells.map((c) => (m.metric === 'exponent' ? c.cell.size : c.model.params)).filter((x) => x > 0);
    const range = Math.log(Math.max(...xs) / Math.min(...xs));
    const band = m.threshold + (range > 0 ? Math.log(1 + s) / range : Infinity);
    return { spread: s, decisive: Math.abs(m.change) > band };
  }
  const b = bounds(m.changeCi);
  if (!b) return { spread: s, decisive: false };
  const up = b.low > (1 + m.threshold) * (1 + s) - 1;
  const down = b.high < (1 - m.threshold) / (1 + s) - 1;
  return { spread: s, decisive: up || down };
}

/**
 * Regressions and improvements of time metrics that do not clear their threshold widened by the machine's
 * speed spread become 'inconclusive', saying how much the speed varied.
 */
export function widenBySpread(
  metrics: readonly MetricComparison[],
  run: RunResult,
  spread: ReadonlyMap<number, number>,
  ownMeasure: ReadonlySet<string> = new Set(),
): { metrics: MetricComparison[]; affected: number } {
  let affected = 0;
  const out = metrics.map((m) => {
    if (m.verdict !== 'regressed' && m.verdict !== 'improved') return m;
    const w = widened(m, run, spread, ownMeasure);
    if (!w || w.decisive) return m;
    affected++;
    const note = `the machine's speed varied by ${Math.round(w.spread * 100)}% within the runs (canary, middle half of its readings): the change does not clear the threshold widened by that`;
    return { ...m, verdict: 'inconclusive' as const, rawVerdict: m.rawVerdict ?? m.verdict, note: m.note ? `${m.note}; ${note}` : note };
  });
  return { metrics: out, affected };
}

/**
 * Time metrics resting on a cell wider than the machine's cores are shown but not gated: w workers on fewer
 * cores take turns, so their wall time measures the OS scheduler and everything else running at the time at
 * least as much as the code (the analysis already calls such speedups contention). A slower code shows at the
 * widths that fit too.
 */
export function ungateOversubscribed(metrics: readonly MetricComparison[], run: RunResult, cores: number): MetricComparison[] {
  return metrics.map((m) => {
    if (!m.gated || !isTimeMetric(m)) return m;
    const ids = new Set(cellsBehind(m, run));
    const widest = Math.max(0, ...run.cells.filter((c) => ids.has(c.cell.id)).map((c) => c.cell.workers));
    if (widest <= cores) return m;
    const note = `w=${widest} exceeds the machine's ${cores} cores: a time there measures contention with everything else running, so it is shown, not gated`;
    return { ...m, gated: false, note: m.note ? `${m.note}; ${note}` : note };
  });
}
