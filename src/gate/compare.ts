/**
 * baseline RunResult + current RunResult -> Comparison, as pure data (rendering lives elsewhere, as in
 * Google Benchmark's tools/gbench/report.py).
 *
 * The gate is built against both complaints about CI benchmarks, false alarms and no alarms:
 * - A time or memory change is a regression only when it is statistically significant AND its whole
 *   confidence interval lies beyond the noise threshold (criterion.rs's rule). Significance is the
 *   Mann-Whitney U test (exact for small samples); when the repetitions are too few for that test to
 *   ever reach alpha (3 vs 3: smallest two-sided p is 0.1), the bootstrap interval of the ratio of
 *   medians decides instead and a warning says so. With 3 vs 3 that interval is [min/max, max/min],
 *   so it only fires when the two samples do not overlap at all: strict, but the build can still fail.
 * - Raw times and memory are gated only when both runs came from the same machine fingerprint and
 *   backend. Otherwise only shapes that hold across machines are gated: the time-vs-size exponent,
 *   parallel efficiency, the USL peak, and quality. Every metric records whether it was gated.
 */
import type { Comparison, MetricComparison } from './schema.js';
import type { RunResult } from '../results/schema.js';
import { analyse } from '../analyse/index.js';
import { evaluateBudgets } from './budgets.js';
import { comparableMachines, type Context } from './context.js';
import { qualityMetric, rawMetric } from './cell-metrics.js';
import { sizeLawMetrics, widthLawMetrics } from './law-metrics.js';
import { DEFAULT_THRESHOLDS, type CompareOptions } from './thresholds.js';
import { coverageWarnings, gateWarnings, tooFewWarnings } from './warnings.js';

function geometricMeanRatio(metrics: readonly MetricComparison[]): number | null {
  const logs = metrics.filter((m) => m.metric === 'wallMs' && m.baseline > 0 && m.current > 0).map((m) => Math.log(m.current / m.baseline));
  if (logs.length === 0) return null;
  return Math.exp(logs.reduce((s, v) => s + v, 0) / logs.length);
}


/**
 * Compares a current run with a baseline: per cell (wall time, peak memory, quality) and per fitted law
 * (exponents, efficiency per width, USL peak), then the budgets on the current run. Pure.
 */
export function compare(baseline: RunResult, current: RunResult, options: CompareOptions = {}): Comparison {
  const level = options.confidenceLevel ?? 0.95;
  const baseAnalysis = options.baselineAnalysis ?? analyse(baseline, { confidenceLevel: level });
  const curAnalysis = options.currentAnalysis ?? analyse(current, { confidenceLevel: level });
  const sameMachine = comparableMachines(baseline.environment, current.environment);
  const choice = options.gate ?? 'auto';
  const gateMode: 'raw' | 'shape' = choice === 'auto' ? (sameMachine ? 'raw' : 'shape') : choice;
  const ctx: Context = {
    thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds },
    alpha: options.alpha ?? 0.05,
    level,
    resamples: options.resamples ?? 2000,
    seed: options.seed ?? 1,
    gateMode,
    forced: choice !== 'auto',
    baseline,
    current,
    warnings: [],
  };

  const metrics: MetricComparison[] = [];
  const tooFew = new Map<string, { m: number; n: number; cells: number }>();
  const currentIds = new Set(current.cells.map((c) => c.cell.id));
  for (const { cell } of baseline.cells) {
    if (!currentIds.has(cell.id)) continue;
    const timeToTarget = rawMetric(ctx, cell.id, 'timeToTargetMs', tooFew);
    for (const m of [rawMetric(ctx, cell.id, 'wallMs', tooFew), rawMetric(ctx, cell.id, 'peakRssBytes', tooFew), qualityMetric(ctx, cell.id), timeToTarget]) {
      if (m) metrics.push(m);
    }
  }
  metrics.push(...sizeLawMetrics(ctx, baseAnalysis, curAnalysis), ...widthLawMetrics(ctx, baseAnalysis, curAnalysis));

  const budgets = evaluateBudgets(options.budgets ?? [], curAnalysis);
  const gatedMetrics = metrics.filter((m) => m.gated);
  const regressions = gatedMetrics.filter((m) => m.verdict === 'regressed').length;
  const improvements = gatedMetrics.filter((m) => m.verdict === 'improved').length;
  const warnings = [
    ...gateWarnings(baseline, current, gateMode, sameMachine, ctx.forced),
    ...tooFewWarnings(tooFew, ctx.alpha),
    ...coverageWarnings(baseline, current),
    ...ctx.warnings,
  ];
  if (metrics.length === 0) warnings.push('no cell or fitted law is in both runs, so nothing was compared: were they run with the same --models, --sizes and --workers?');

  return {
    baselineRunId: baseline.runId,
    currentRunId: current.runId,
    sameMachine,
    gateMode,
    metrics,
    budgets,
    geometricMeanRatio: geometricMeanRatio(metrics),
    regressions,
    improvements,
    warnings,
    passed: regressions === 0 && budgets.every((b) => b.passed),
  };
}
