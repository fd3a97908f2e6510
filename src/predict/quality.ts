/**
 * --quality accuracy=0.9: the training-set size a learning curve says reaches the target, and the
 * predicted time to train on it. The curves themselves come from the analysis (err(n) = a·n^(−α) + c
 * fitted over 4+ sizes; issue 14): `LearningCurveInput` is all this needs of one.
 */
import type { CurveWithUncertainty } from '../stats/index.js';
import { errorAtSizeInterval, sizeForErrorInterval } from '../stats/index.js';
import { parseQualityTarget as parseTarget } from '../config/parse.js';
import type { Analysis } from '../analyse/schema.js';
import type { Interval, PredictionModel, QualityAnswer } from './schema.js';
import { evaluator, predictionTable } from './evaluator.js';

export type QualityMetric = 'accuracy' | 'r2';

/** A fitted learning curve of one model × data set: error = 1 − metric = a·n^(−α) + c. */
export interface LearningCurveInput extends CurveWithUncertainty {
  model: string;
  dataset: string;
  metric: QualityMetric;
  /** Sizes the curve was fitted on. */
  sizes: readonly number[];
}

export interface QualityTarget {
  metric: QualityMetric;
  /** Target value of the metric, e.g. 0.9. */
  value: number;
}

/** "accuracy=0.9" or "r2=0.95" -> a target; the same words and checks as `run --target`. */
export function parseQualityTarget(text: string): QualityTarget {
  return parseTarget(text, '--quality');
}

/**
 * The analysis's learning curves that are power laws (src/analyse/, fitted over 4+ sizes of runs
 * trained to convergence), as this module reads them; the rest are never extrapolated.
 */
export function learningCurveInputs(analysis: Pick<Analysis, 'learningCurves'>): LearningCurveInput[] {
  return (analysis.learningCurves ?? []).flatMap((curve) => {
    if (curve.verdict !== 'power-law' || !curve.fit) return [];
    const { a, alpha, c } = curve.fit;
    const interval = (e: typeof alpha): readonly [number, number] | undefined => (e.low !== null && e.high !== null ? [e.low, e.high] : undefined);
    const alphaInterval = interval(alpha);
    const cInterval = interval(c);
    return [
      {
        model: curve.model,
        dataset: curve.dataset,
        metric: curve.metric,
        sizes: curve.points.map((p) => p.size),
        a: a.value,
        alpha: alpha.value,
        c: c.value,
        ...(alphaInterval ? { alphaInterval } : {}),
        ...(cInterval ? { cInterval } : {}),
      },
    ];
  });
}

/** Quality (1 − error) at size n from the curve, with its interval. */
export function qualityAt(curve: LearningCurveInput, size: number): Interval {
  const error = errorAtSizeInterval(curve, size);
  return { estimate: 1 - error.estimate, low: error.high === null ? null : 1 - error.high, high: error.low === null ? null : 1 - error.low };
}

const finite = (x: number | null) => (x !== null && Number.isFinite(x) ? x : null);

export function qualityAnswer(curve: LearningCurveInput, model: PredictionModel | null, target: QualityTarget, workers: number): QualityAnswer {
  const head = { model: curve.model, dataset: curve.dataset, metric: target.metric, target: target.value, workers };
  const needed = sizeForErrorInterval(curve, 1 - target.value);
  if (!Number.isFinite(needed.estimate)) {
    return { ...head, size: null, wallMs: null, note: `the curve levels off at ${target.metric} ${(1 - curve.c).toFixed(3)} (floor c = ${curve.c.toFixed(3)}): more data alone does not reach ${target.value}` };
  }
  // Rounding error must not add a sample: (2/0.05)² is 1600.0000000000002 in floating point.
  const size: Interval = { estimate: Math.ceil(needed.estimate * (1 - 1e-12)), low: finite(needed.low), high: finite(needed.high) };
  const notes: string[] = [];
  if (needed.high === null) notes.push('the upper end is unbounded: some plausible curves level off below the target');
  const largest = Math.max(...curve.sizes);
  if (size.estimate > 100 * largest) notes.push(`${Math.round(size.estimate / largest)}x the largest size of the curve: far beyond the data`);
  if (!model) return { ...head, size, wallMs: null, note: [...notes, 'no time law for this model'].join('; ') };
  const table = predictionTable();
  const at = (n: number) => evaluator.predict(model, n, workers, table).wallMs;
  const central = at(size.estimate);
  // The time interval spans both uncertainties: the fast end of the smallest plausible size to the slow end of the largest.
  const wallMs = central && {
    estimate: central.estimate,
    low: size.low === null ? null : (at(size.low)?.low ?? null),
    high: size.high === null ? null : (at(size.high)?.high ?? null),
  };
  return { ...head, size, wallMs: wallMs ?? null, ...(notes.length ? { note: notes.join('; ') } : {}) };
}
