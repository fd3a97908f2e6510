/** Per-cell verdicts: wall time and peak memory (raw, same machine only) and held-out quality. */
import type { MetricComparison, Verdict } from './schema.js';
import type { RunResult, TrialResult } from '../results/schema.js';
import { bootstrapMedians, median } from '../stats/index.js';
import { bounds } from './intervals.js';
import { okValues as okCellValues } from './sweep-cells.js';
import { comparableMachines, machineOf, type Context } from './context.js';
import { decideSamples, RECOMMENDED_REPETITIONS } from './decide.js';

function okValues(result: RunResult, cellId: string, pick: (t: TrialResult) => number): number[] {
  return okCellValues(result.cells.find((c) => c.cell.id === cellId), pick);
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
  const pick = (t: TrialResult): number => (metric === 'timeToTargetMs' ? (t.converged ? (t.timeToTargetMs ?? NaN) : NaN) : t[metric]);
  const base = okValues(ctx.baseline, cellId, pick).filter(Number.isFinite);
  const offset = metric === 'peakRssBytes' ? startRssOffset(ctx) : 0;
  const measured = okValues(ctx.current, cellId, pick).filter(Number.isFinite);
  if (metric === 'timeToTargetMs' && (base.length === 0 || measured.length === 0)) return null;
  const cur = measured.map((v) => v - offset);
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
    ...(offset !== 0 && measured.length > 0
      ? {
          note: `peak RSS of the whole process, less the two processes' difference before their first cell (${offset >= 0 ? '+' : '-'}${(Math.abs(offset) / 2 ** 20).toFixed(0)} MiB): measured ${(median(measured) / 2 ** 20).toFixed(0)} MiB`,
        }
      : {}),
  };
}

/**
 * How much more the current process held than the baseline's before either ran a cell (the loaded baseline, a
 * different start-up), in bytes: every cell's peakRssBytes is the whole process's and carries it. 0 when a run
 * did not record it, or on different machines (where memory is not gated anyway).
 */
function startRssOffset(ctx: Context): number {
  const { baseline, current } = ctx;
  if (baseline.startRssBytes === undefined || current.startRssBytes === undefined) return 0;
  return current.startRssBytes - baseline.startRssBytes;
}

/**
 * Held-out quality: the absolute change of the medians against an absolute threshold, judged on the
 * bootstrap interval of that difference: a regression only when the whole interval lies below −threshold.
 * Quality is a property of the model and data, not the machine, so it is gated in both modes. A single
 * repetition on either side has no interval and gives no verdict beyond 'inconclusive'.
 */
export function qualityMetric(ctx: Context, cellId: string): MetricComparison | null {
  const baseCell = ctx.baseline.cells.find((c) => c.cell.id === cellId);
  const curCell = ctx.current.cells.find((c) => c.cell.id === cellId);
  const metric = baseCell?.trials.find((t) => t.state === 'ok')?.quality.metric;
  if (metric === undefined || curCell?.trials.find((t) => t.state === 'ok')?.quality.metric !== metric) return null;
  const pick = (t: TrialResult) => (t.quality.metric === metric ? t.quality.value : NaN);
  const base = okCellValues(baseCell, pick);
  const cur = okCellValues(curCell, pick);
  const ci = bootstrapMedians([cur, base], ([c = NaN, b = NaN]) => c - b, { resamples: ctx.resamples, level: ctx.level, seed: ctx.seed });
  if (!ci) return null;
  const interval = bounds(ci);
  const threshold = ctx.thresholds.quality;
  let verdict: Verdict = Math.abs(ci.value) > threshold ? 'inconclusive' : 'unchanged';
  if (interval && interval.high < -threshold) verdict = 'regressed';
  else if (interval && interval.low > threshold) verdict = 'improved';
  return {
    metric: 'quality',
    subject: cellId,
    baseline: median(base),
    current: median(cur),
    change: ci.value,
    changeCi: interval ? ci : null,
    test: interval ? 'bootstrap-difference+threshold' : 'none (fewer than 2 repetitions)',
    pValue: null,
    threshold,
    verdict,
    gated: true,
    ...(interval ? {} : { note: 'no interval (a single repetition on one side): no verdict' }),
  };
}
