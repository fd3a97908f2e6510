/**
 * Every metric's verdict for one (baseline, current) pair, then the canary's say: where the machine ran
 * the cells behind a metric slower (or faster) than in the baseline, the metric is judged a second time on
 * times divided by that change. If the two judgements disagree, the raw verdict cannot be trusted: it becomes
 * 'inconclusive: the machine's speed changed by X% (canary)' (or, with --normalise canary, the normalised
 * verdict is taken and says so). Pure.
 */
import type { Analysis } from '../analyse/schema.js';
import type { RunResult } from '../results/schema.js';
import type { MetricComparison } from './schema.js';
import { analyse } from '../analyse/index.js';
import type { Context } from './context.js';
import { qualityMetric, rawMetric } from './cell-metrics.js';
import { sizeLawMetrics } from './law-metrics.js';
import { widthLawMetrics } from './width-metrics.js';
import { canaryChangeBehind, describeChange, instrumentBehind, normaliseByCanary, normalisingFactor, signedPercent, type CanaryShift } from './canary.js';
import { cellsBehind } from './sweep-cells.js';
import { widenBySpread } from './canary-spread.js';
import type { Normalise } from './thresholds.js';

export type TooFew = Map<string, { m: number; n: number; cells: number }>;

/** The comparisons of every cell in both runs and every law fitted in both, from the raw numbers. */
export function judge(ctx: Context, baseAnalysis: Analysis, curAnalysis: Analysis, tooFew: TooFew): MetricComparison[] {
  const metrics: MetricComparison[] = [];
  const currentIds = new Set(ctx.current.cells.map((c) => c.cell.id));
  for (const { cell } of ctx.baseline.cells) {
    if (!currentIds.has(cell.id)) continue;
    const timeToTarget = rawMetric(ctx, cell.id, 'timeToTargetMs', tooFew);
    for (const m of [rawMetric(ctx, cell.id, 'wallMs', tooFew), rawMetric(ctx, cell.id, 'peakRssBytes', tooFew), qualityMetric(ctx, cell.id), timeToTarget]) {
      if (m) metrics.push(m);
    }
  }
  metrics.push(...sizeLawMetrics(ctx, baseAnalysis, curAnalysis), ...widthLawMetrics(ctx, baseAnalysis, curAnalysis));
  return metrics;
}

const key = (m: Pick<MetricComparison, 'metric' | 'subject'>) => `${m.metric}\u0000${m.subject}`;
const decisive = (m: MetricComparison) => m.verdict === 'regressed' || m.verdict === 'improved';

export interface CanaryVerdicts {
  metrics: MetricComparison[];
  /** Metrics whose verdict the canary changed. */
  affected: number;
}

/**
 * Judges the current run against the baseline, then lets the canary speak: where the machine's speed moved
 * beyond the canary threshold for the cells behind a metric (correctByShift), and where it varied within the
 * runs by more than a time change can be told from (canary-spread.ts).
 */
export function judgeWithCanary(ctx: Context, baseAnalysis: Analysis, curAnalysis: Analysis, shift: CanaryShift | null, normalise: Normalise, tooFew: TooFew): CanaryVerdicts {
  const raw = judge(ctx, baseAnalysis, curAnalysis, tooFew);
  if (!shift) return { metrics: raw, affected: 0 };
  const shifted = correctByShift(ctx, baseAnalysis, raw, shift, normalise);
  const spread = widenBySpread(shifted.metrics, ctx.current, shift.spread, shift.cpuMeasured);
  return { metrics: spread.metrics, affected: shifted.affected + spread.affected };
}

/** Judges the metrics a second time on times divided by each cell's canary change, where it moved beyond the band. */
function correctByShift(ctx: Context, baseAnalysis: Analysis, raw: MetricComparison[], shift: CanaryShift, normalise: Normalise): CanaryVerdicts {
  const band = ctx.thresholds.canary;
  if (![...shift.changes.keys()].some((id) => normalisingFactor(shift, id, band) !== 1)) return { metrics: raw, affected: 0 };
  const normalisedRun: RunResult = normaliseByCanary(ctx.current, shift, band);
  const normalisedCtx: Context = { ...ctx, current: normalisedRun, warnings: [] };
  const normalised = new Map(judge(normalisedCtx, baseAnalysis, analyse(normalisedRun, { confidenceLevel: ctx.level }), new Map()).map((m) => [key(m), m]));
  let affected = 0;
  const metrics = raw.map((m) => {
    const n = normalised.get(key(m));
    const moved = cellsBehind(m, ctx.current).some((id) => normalisingFactor(shift, id, band) !== 1);
    if (!n || !moved) return m;
    const canaryChange = canaryChangeBehind(m, ctx.current, shift);
    const speed = canaryChange === undefined ? 'changed' : `changed by ${signedPercent(canaryChange)}`;
    const withCanary = canaryChange === undefined ? {} : { canaryChange };
    const instrument = instrumentBehind(m, ctx.current, shift);
    if (normalise === 'canary') {
      if (n.verdict !== m.verdict) affected++;
      return {
        ...n,
        ...withCanary,
        ...(n.verdict !== m.verdict ? { rawVerdict: m.verdict } : {}),
        note: `judged on times divided by the machine's slowdown: its speed ${speed} (${instrument}); raw ${m.verdict}, ${describeChange(m)}`,
      };
    }
    if (n.verdict === m.verdict || (!decisive(m) && !decisive(n))) return { ...m, ...withCanary };
    affected++;
    const normalisedSays = decisive(n) ? `; divided by it, ${n.verdict} (${describeChange(n)})` : '';
    return {
      ...m,
      ...withCanary,
      verdict: 'inconclusive' as const,
      rawVerdict: m.verdict,
      note: `the machine's speed ${speed} (${instrument})${normalisedSays}`,
    };
  });
  return { metrics, affected };
}
