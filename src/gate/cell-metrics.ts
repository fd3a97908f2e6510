/** Per-cell verdicts: wall time and peak memory (raw, same machine only) and held-out quality. */
import type { MetricComparison, Verdict } from './schema.js';
import type { RunResult } from '../results/schema.js';
import { mannWhitneyU, median } from '../stats/index.js';
import { comparableMachines, machineOf, type Context } from './context.js';
import { decideSamples, RECOMMENDED_REPETITIONS, smallestMannWhitneyP } from './decide.js';

function okValues(result: RunResult, cellId: string, pick: (t: RunResult['cells'][number]['trials'][number]) => number): number[] {
  const cell = result.cells.find((c) => c.cell.id === cellId);
  return (cell?.trials ?? []).filter((t) => t.state === 'ok').map(pick);
}

function cellGated(ctx: Context, cellId: string): boolean {
  if (ctx.gateMode !== 'raw') return false;
  if (ctx.forced) return true;
  const b = ctx.baseline.cells.find((c) => c.cell.id === cellId);
  const c = ctx.current.cells.find((x) => x.cell.id === cellId);
  // Merged shards: each cell carries the machine that ran it.
  return b !== undefined && c !== undefined && comparableMachines(machineOf(ctx.baseline, b.machineId), machineOf(ctx.current, c.machineId));
}

export function rawMetric(
  ctx: Context,
  cellId: string,
  metric: 'wallMs' | 'peakRssBytes' | 'timeToTargetMs',
  tooFew: Map<string, { m: number; n: number; cells: number }>,
): MetricComparison | null {
  // Time to target: the repetitions that reached it, judged with the wall-time threshold (it is a time).
  const pick = (t: RunResult['cells'][number]['trials'][number]): number => (metric === 'timeToTargetMs' ? (t.converged ? (t.timeToTargetMs ?? NaN) : NaN) : t[metric]);
  const base = okValues(ctx.baseline, cellId, pick).filter(Number.isFinite);
  const cur = okValues(ctx.current, cellId, pick).filter(Number.isFinite);
  if (metric === 'timeToTargetMs' && (base.length === 0 || cur.length === 0)) return null;
  const threshold = ctx.thresholds[metric === 'timeToTargetMs' ? 'wallMs' : metric];
  const decision = decideSamples(base, cur, { threshold, alpha: ctx.alpha, level: ctx.level, resamples: ctx.resamples, seed: ctx.seed, higherIsWorse: true });
  if (!decision) return null;
  if (metric === 'wallMs' && (!decision.testCanFire || base.length < RECOMMENDED_REPETITIONS || cur.length < RECOMMENDED_REPETITIONS)) {
    const key = `${base.length}|${cur.length}`;
    const entry = tooFew.get(key) ?? { m: base.length, n: cur.length, cells: 0 };
    entry.cells++;
    tooFew.set(key, entry);
  }
  return {
    metric,
    subject: cellId,
    baseline: median(base),
    current: median(cur),
    change: decision.change,
    changeCi: decision.changeCi,
    test: decision.test,
    pValue: decision.pValue,
    threshold,
    verdict: decision.verdict,
    gated: cellGated(ctx, cellId),
  };
}

/**
 * Held-out quality: the absolute change of the medians against an absolute threshold. Quality is a
 * property of the model and data, not the machine, so it is gated in both modes. When the rank test
 * can fire it must also be significant, so noisy quality across repetitions does not raise alarms.
 */
export function qualityMetric(ctx: Context, cellId: string): MetricComparison | null {
  const baseCell = ctx.baseline.cells.find((c) => c.cell.id === cellId);
  const curCell = ctx.current.cells.find((c) => c.cell.id === cellId);
  const baseOk = (baseCell?.trials ?? []).filter((t) => t.state === 'ok');
  const curOk = (curCell?.trials ?? []).filter((t) => t.state === 'ok');
  const metric = baseOk[0]?.quality.metric;
  if (metric === undefined || curOk[0]?.quality.metric !== metric) return null;
  const base = baseOk.filter((t) => t.quality.metric === metric).map((t) => t.quality.value).filter(Number.isFinite);
  const cur = curOk.filter((t) => t.quality.metric === metric).map((t) => t.quality.value).filter(Number.isFinite);
  if (base.length === 0 || cur.length === 0) return null;
  const b = median(base);
  const c = median(cur);
  const change = c - b;
  const threshold = ctx.thresholds.quality;
  const canFire = smallestMannWhitneyP(cur.length, base.length) < ctx.alpha;
  const mw = canFire ? mannWhitneyU(cur, base) : null;
  const significant = mw === null || mw.pValue < ctx.alpha;
  let verdict: Verdict = 'unchanged';
  if (significant && change < -threshold) verdict = 'regressed';
  else if (significant && change > threshold) verdict = 'improved';
  return {
    metric: 'quality',
    subject: cellId,
    baseline: b,
    current: c,
    change,
    changeCi: null,
    test: mw ? `mann-whitney-${mw.method}+threshold` : 'threshold',
    pValue: mw?.pValue ?? null,
    threshold,
    verdict,
    gated: true,
  };
}
