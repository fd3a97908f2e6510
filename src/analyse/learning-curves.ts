/**
 * Learning curves: end-of-training error against training-set size, err(n) = a·n^(−α) + c, for runs
 * trained to convergence (--patience, or --max-epochs). A fixed budget is not fitted (its quality
 * grows with the optimizer steps, not only with the data), nor a run that stopped at its target (its
 * quality says when it got there, not how good it gets). A curve that is not a power law is reported
 * as such and never extrapolated.
 */
import type { AnalysisWarning, CellAnalysis } from './schema.js';
import type { LearningCurve } from './quality-schema.js';
import type { CellResult, SavedPlan } from '../results/schema.js';
import { fitLearningCurve, learningCurveBand, LEARNING_CURVE_MIN_SIZES, median, sizeForErrorEstimate } from '../stats/index.js';
import { targetFor } from '../models/schedule.js';
import { modeVariant } from '../modes/index.js';
import { groupBy } from './common.js';

/** A size more than this many times the largest measured is called an extrapolation. */
const EXTRAPOLATION_FACTOR = 4;
const BAND_POINTS = 24;

function logSpace(a: number, b: number, n: number): number[] {
  const step = (Math.log(b) - Math.log(a)) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.exp(Math.log(a) + step * i));
}

export function learningCurveKey(model: string, dataset: string, workers: number, mode: string, variant = ''): string {
  return `${model}|${dataset}|w=${workers}|${mode}${variant}|learning-curve`;
}

/** The learning curves of a run trained to a target or to convergence; [] for a fixed-budget run. */
export function learningCurves(results: readonly CellResult[], cells: readonly CellAnalysis[], plan: SavedPlan, level: number, warnings: AnalysisWarning[]): LearningCurve[] {
  const settings = plan.convergence;
  if (!settings) return [];
  const byId = new Map(results.map((r) => [r.cell.id, r]));
  const rated = cells.filter((c) => c.quality !== null && c.cell.mode !== 'inference');
  // Job-parallel replicas train alike whatever the width: one curve, at the narrowest width.
  const narrowest = new Map<string, number>();
  for (const c of rated) {
    const k = `${c.cell.model}|${c.cell.dataset}|${c.cell.mode}`;
    narrowest.set(k, Math.min(narrowest.get(k) ?? Infinity, c.cell.workers));
  }
  const used = rated.filter((c) => c.cell.mode !== 'job-parallel' || c.cell.workers === narrowest.get(`${c.cell.model}|${c.cell.dataset}|${c.cell.mode}`));
  const out: LearningCurve[] = [];
  for (const [key, group] of groupBy(used, (c) => learningCurveKey(c.cell.model, c.cell.dataset, c.cell.workers, c.cell.mode, modeVariant(c.cell)))) {
    const first = group[0]!;
    const metric = first.quality!.metric;
    const observations = group
      .map((c) => ({
        size: c.cell.size,
        qualities: (byId.get(c.cellId)?.trials ?? []).filter((t) => t.state === 'ok' && t.quality.metric === metric && Number.isFinite(t.quality.value)).map((t) => t.quality.value),
      }))
      .filter((o) => o.qualities.length > 0)
      .sort((a, b) => a.size - b.size);
    const points = observations.map((o) => {
      const quality = median(o.qualities);
      return { size: o.size, quality, error: 1 - quality, repetitions: o.qualities.length };
    });
    const ideal = group.find((c) => c.idealQuality)?.idealQuality;
    // No model beats the ideal one: its error bounds the floor c from below (less two standard errors of a simulated ideal).
    const minFloor = ideal ? Math.max(0, 1 - ideal.value - 2 * ideal.standardError) : 0;
    const target = targetFor(settings.targets, metric === 'r2' ? 'regression' : 'classification');
    const base = { key, model: first.cell.model, dataset: first.cell.dataset, mode: first.cell.mode, workers: first.cell.workers, metric, points, idealError: ideal ? 1 - ideal.value : null, minFloor };
    const none = (verdict: LearningCurve['verdict'], reason: string): LearningCurve => ({ ...base, fit: null, verdict, reason, sizeForTarget: null, band: [] });
    // One size is no curve; below 4 sizes a run stopped at its target says nothing about curves either.
    if (points.length < 2) continue;
    if (target && settings.patience === undefined) {
      if (points.length < LEARNING_CURVE_MIN_SIZES) continue;
      out.push(none('stopped-at-target', 'trials stopped at the target, so their quality says when they reached it, not how good they get; add --patience to train to convergence'));
      continue;
    }
    const fit = fitLearningCurve(observations.map((o) => ({ size: o.size, errors: o.qualities.map((q) => 1 - q) })), { level, minFloor });
    if (!fit) {
      out.push(none('too-few-sizes', `${points.length} size${points.length === 1 ? '' : 's'} measured; the curve a·n^(−α) + c needs ${LEARNING_CURVE_MIN_SIZES}`));
      warnings.push({ code: 'learning-curve', message: `${key}: ${points.length} sizes; a learning curve needs ${LEARNING_CURVE_MIN_SIZES} or more (add --sizes).`, subject: key });
      continue;
    }
    const fitted = { a: fit.a, alpha: fit.alpha, c: fit.c, rSquared: fit.rSquared, residualSd: fit.residualSd };
    if (fit.verdict.kind === 'not-a-power-law') {
      out.push({ ...none('not-a-power-law', fit.verdict.reason), fit: fitted });
      warnings.push({ code: 'learning-curve', message: `${key}: error against n is not a power law (${fit.verdict.reason}); no size is extrapolated from it.`, subject: key });
      continue;
    }
    const largest = points[points.length - 1]!.size;
    let sizeForTarget: LearningCurve['sizeForTarget'] = null;
    if (target) {
      const needed = sizeForErrorEstimate(fit, 1 - target.value, level);
      sizeForTarget = {
        quality: target.value,
        size: needed.reachable ? needed.size : null,
        reachable: needed.reachable,
        extrapolated: needed.reachable && needed.size.value > EXTRAPOLATION_FACTOR * largest,
      };
    }
    const band = learningCurveBand(fit, logSpace(points[0]!.size / 2, largest * 2, BAND_POINTS), level).map((p) => ({
      size: p.size,
      quality: 1 - p.error,
      low: p.high === null ? null : 1 - p.high,
      high: p.low === null ? null : 1 - p.low,
    }));
    out.push({ ...base, fit: fitted, verdict: 'power-law', reason: null, sizeForTarget, band });
  }
  return out;
}
