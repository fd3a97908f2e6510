/**
 * baseline RunResult + current RunResult -> Comparison, as pure data (rendering lives elsewhere, as in
 * Google Benchmark's tools/gbench/report.py).
 *
 * The gate is built against both complaints about CI benchmarks, false alarms and no alarms:
 * - A time or memory change is a regression only when it is statistically significant AND its whole
 *   confidence interval lies beyond the noise threshold (criterion.rs's rule). Significance is the
 *   Mann-Whitney U test (exact for small samples); when the repetitions are too few for that test to
 *   ever reach alpha (3 vs 3: smallest two-sided p is 0.1), the bootstrap interval of the ratio of
 *   medians decides instead and a warning says so. A comparison without any interval is 'inconclusive'.
 * - Raw times and memory are gated only when both runs came from the same machine fingerprint and
 *   backend. Otherwise only shapes that hold across machines are gated: the time-vs-size exponent,
 *   parallel efficiency, the USL peak, and quality. Every metric records whether it was gated.
 * - The machine's own speed is measured (the canary, before cells): a time verdict the canary explains is
 *   'inconclusive', not a regression (verdicts.ts); and a regression must survive a re-run (confirm.ts).
 */
import type { Comparison, MetricComparison } from './schema.js';
import type { RunResult } from '../results/schema.js';
import { analyse } from '../analyse/index.js';
import { evaluateBudgets } from './budgets.js';
import { comparableMachines, type Context } from './context.js';
import { DEFAULT_RESAMPLING, DEFAULT_THRESHOLDS, type CompareOptions } from './thresholds.js';
import { coverageWarnings, gateWarnings, tooFewWarnings } from './warnings.js';
import { canaryShift, normalisingFactor, signedPercent, type CanaryShift } from './canary.js';
import { judgeWithCanary, type TooFew } from './verdicts.js';
import { applyConfirmation, confirmedView } from './confirm.js';
import { ungateOversubscribed } from './canary-spread.js';
import { median } from '../stats/index.js';

function geometricMeanRatio(metrics: readonly MetricComparison[]): number | null {
  const logs = metrics.filter((m) => m.metric === 'wallMs' && m.baseline > 0 && m.current > 0).map((m) => Math.log(m.current / m.baseline));
  if (logs.length === 0) return null;
  return Math.exp(logs.reduce((s, v) => s + v, 0) / logs.length);
}

function canarySummary(shift: CanaryShift, band: number, normalised: boolean, affected: number): NonNullable<Comparison['canary']> | undefined {
  const changes = [...shift.changes.values()];
  if (changes.length === 0) return undefined;
  return {
    basis: shift.basis,
    cells: changes.length,
    movedCells: [...shift.changes.keys()].filter((id) => normalisingFactor(shift, id, band) !== 1).length,
    band,
    medianChange: median(changes),
    minChange: Math.min(...changes),
    maxChange: Math.max(...changes),
    normalised,
    affectedVerdicts: affected,
    spread: Math.max(0, ...shift.spread.values()),
    cpuShareCells: shift.cpuCells.size,
  };
}

/** The sentence that names the machine's speed change, when it moved. */
function canaryWarning(summary: NonNullable<Comparison['canary']>): string | null {
  if (summary.movedCells === 0 && summary.affectedVerdicts === 0) return null;
  const between = summary.basis === 'paired' ? 'between the runs' : 'during the current run';
  const verdicts =
    summary.affectedVerdicts === 0
      ? 'no verdict depended on it'
      : summary.normalised
        ? `${summary.affectedVerdicts} verdict${summary.affectedVerdicts === 1 ? '' : 's'} changed once times were divided by it (--normalise canary)`
        : `${summary.affectedVerdicts} verdict${summary.affectedVerdicts === 1 ? '' : 's'} it explains ${summary.affectedVerdicts === 1 ? 'is' : 'are'} 'inconclusive' instead of regressed or improved (--normalise canary divides times by it)`;
  return (
    `the machine's speed changed ${between} by ${signedPercent(summary.medianChange)} (canary, median over ${summary.cells} cells; ` +
    `${signedPercent(summary.minChange)} to ${signedPercent(summary.maxChange)}; ${summary.movedCells} cells beyond ±${Math.round(summary.band * 100)}%` +
    `${summary.cpuShareCells ? `, ${summary.cpuShareCells} of them by their own CPU share` : ''}; ` +
    `within the runs it varied by ${Math.round((summary.spread ?? 0) * 100)}%): ${verdicts}.`
  );
}

/**
 * Compares a current run with a baseline: per cell (wall time, peak memory, quality) and per fitted law
 * (exponents, efficiency per width, USL peak), corrected by the canary and the confirm step's re-runs when
 * the current run has them, then the budgets on the current run. Pure.
 */
export function compare(baseline: RunResult, current: RunResult, options: CompareOptions = {}): Comparison {
  const level = options.confidenceLevel ?? DEFAULT_RESAMPLING.level;
  const baseAnalysis = options.baselineAnalysis ?? analyse(baseline, { confidenceLevel: level });
  const curAnalysis = options.currentAnalysis ?? analyse(current, { confidenceLevel: level });
  const sameMachine = comparableMachines(baseline.environment, current.environment);
  const choice = options.gate ?? 'auto';
  const gateMode: 'raw' | 'shape' = choice === 'auto' ? (sameMachine ? 'raw' : 'shape') : choice;
  const normalise = options.normalise ?? 'none';
  const ctx: Context = {
    thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds },
    alpha: options.alpha ?? 0.05,
    level,
    resamples: options.resamples ?? DEFAULT_RESAMPLING.resamples,
    seed: options.seed ?? DEFAULT_RESAMPLING.seed,
    gateMode,
    forced: choice !== 'auto',
    baseline,
    current,
    warnings: [],
  };

  const tooFew: TooFew = new Map();
  const canary = canaryShift(baseline, current);
  const judged = judgeWithCanary(ctx, baseAnalysis, curAnalysis, canary.shift, normalise, tooFew);
  let metrics = judged.metrics;
  let confirm: Comparison['confirm'];
  const view = confirmedView(current);
  if (view) {
    const rerunCtx: Context = { ...ctx, current: view.run, warnings: [] };
    const rerunCanary = canaryShift(baseline, view.run, view.confirmed);
    const rerun = judgeWithCanary(rerunCtx, baseAnalysis, analyse(view.run, { confidenceLevel: level }), rerunCanary.shift, normalise, new Map());
    const outcome = applyConfirmation(metrics, rerun.metrics, view.confirmed, current, rerunCanary.shift, ctx.thresholds.canary);
    metrics = outcome.metrics;
    confirm = { checked: outcome.checked, confirmed: outcome.confirmed };
  }

  metrics = ungateOversubscribed(metrics, current, Math.min(baseline.environment.cores, current.environment.cores));

  const budgets = evaluateBudgets(options.budgets ?? [], curAnalysis, { result: current, level, resamples: ctx.resamples, seed: ctx.seed });
  const gatedMetrics = metrics.filter((m) => m.gated);
  const regressions = gatedMetrics.filter((m) => m.verdict === 'regressed').length;
  const improvements = gatedMetrics.filter((m) => m.verdict === 'improved').length;
  const summary = canary.shift ? canarySummary(canary.shift, ctx.thresholds.canary, normalise === 'canary', judged.affected) : undefined;
  const speedWarning = summary ? canaryWarning(summary) : null;
  const warnings = [
    ...gateWarnings(baseline, current, gateMode, sameMachine, ctx.forced),
    ...(speedWarning ? [speedWarning] : []),
    ...(canary.warning ? [canary.warning] : []),
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
    ...(summary ? { canary: summary } : {}),
    ...(confirm ? { confirm } : {}),
  };
}
