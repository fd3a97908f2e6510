/**
 * Analysed run -> PredictionFile: predictions at the sizes and widths asked, with 95% prediction
 * intervals, plus the answers to --budget, --workers auto, --quality and --backtest. Pure: a query
 * the results cannot answer is a UsageError that says what to measure or pass.
 */
import type { Analysis } from '../analyse/schema.js';
import type { RunResult } from '../results/schema.js';
import { UsageError } from '../config/errors.js';
import { formatCount } from '../config/format.js';
import { PREDICTION_SCHEMA_VERSION, type CellPrediction, type PredictionFile, type PredictionModel } from './schema.js';
import { observationGroups, predictionModel, type ObservationGroup } from './build.js';
import { EXTRAPOLATION_LIMITS } from './evaluate.js';
import { evaluator, PREDICTION_LEVEL, predictionTable } from './evaluator.js';
import { budgetAnswer } from './budget.js';
import { chooseWorkers } from './workers.js';
import { qualityAnswer, qualityAt, type LearningCurveInput, type QualityTarget } from './quality.js';
import { backtest } from './backtest.js';

export type { LearningCurveInput, QualityTarget } from './quality.js';
export { parseQualityTarget } from './quality.js';
export { backtest } from './backtest.js';
export { observationGroups, predictionModel } from './build.js';

export interface PredictQuery {
  /** Sizes to predict at; default 10x the largest measured size of each model (none when only --budget, --quality or --backtest is asked). */
  sizes?: number[];
  /** Widths; 'auto' chooses one per size; default the measured widths. */
  workers?: number[] | 'auto';
  budgetMs?: number;
  quality?: QualityTarget;
  backtest?: boolean;
  /** Allow widths beyond 8x the widest measured. */
  force?: boolean;
  /** Only these models / data sets. */
  models?: string[];
  datasets?: string[];
}

/** Default size when none is asked: this multiple of the largest measured size. */
export const DEFAULT_SIZE_FACTOR = 10;

function labelOf(m: Pick<PredictionModel, 'model' | 'dataset' | 'mode' | 'variant'>): string {
  return `${m.model} · ${m.dataset}${m.mode === 'job-parallel' ? '' : ` · ${m.mode}${m.variant.replace(/\|/g, ' ')}`}`;
}

function selectGroups(groups: ObservationGroup[], query: PredictQuery): ObservationGroup[] {
  let out = groups;
  for (const [flag, wanted, key] of [
    ['--model', query.models, 'model'],
    ['--dataset', query.datasets, 'dataset'],
  ] as const) {
    if (!wanted) continue;
    const have = [...new Set(out.map((g) => g[key]))];
    const missing = wanted.filter((w) => !have.includes(w));
    if (missing.length) throw new UsageError(`${flag} ${missing.join(',')}: not in the results; they have ${have.join(', ') || 'no training cells'}.`);
    out = out.filter((g) => wanted.includes(g[key]));
  }
  return out;
}

/** The widths asked must be predictable for every model: measured, or reachable by a speedup law within the limits. */
function checkWidths(models: readonly PredictionModel[], widths: readonly number[], force: boolean): void {
  for (const model of models) {
    const widest = Math.max(...model.widths);
    for (const w of widths) {
      if (model.time.some((t) => t.workers === w)) continue;
      if (model.speedup.length === 0 || !model.time.some((t) => t.workers === 1)) {
        throw new UsageError(
          `--workers ${w}: ${labelOf(model)} was measured at ${model.widths.length === 1 ? 'one width only' : 'widths'} (${model.widths.join(', ')}) ` +
            `without a speedup law to carry it to ${w} workers. Re-run with 2 or more widths including 1 (e.g. --workers 1,2,4), or ask for a measured width.`,
        );
      }
      if (!force && w / widest > EXTRAPOLATION_LIMITS.refuseWidth) {
        throw new UsageError(
          `--workers ${w}: ${Math.round(w / widest)}x the widest width measured for ${labelOf(model)} (${widest}); predictions beyond ` +
            `${EXTRAPOLATION_LIMITS.refuseWidth}x are refused. Measure wider widths, or pass --force to predict anyway.`,
        );
      }
    }
  }
}

function withQuality(p: CellPrediction, curves: readonly LearningCurveInput[]): CellPrediction {
  const curve = curves.find((c) => c.model === p.model && c.dataset === p.dataset);
  return curve ? { ...p, quality: qualityAt(curve, p.size) } : p;
}

export function runPrediction(result: RunResult, analysis: Analysis, query: PredictQuery, learningCurves: readonly LearningCurveInput[] = []): PredictionFile {
  const notes: string[] = [];
  const groups = selectGroups(observationGroups(result, analysis, notes), query);
  const models = groups.flatMap((g) => predictionModel(g, notes) ?? []);
  if (models.length === 0) {
    throw new UsageError(`the results have no law to predict with: ${notes.join(' ') || 'no training cell finished'}`);
  }
  if (query.quality && learningCurves.length === 0) {
    throw new UsageError(
      '--quality needs learning-curve data, and these results have none: run with --target (e.g. --target accuracy=0.85) at 4 or more sizes so the analysis can fit quality against n, then predict from those results.',
    );
  }
  const widths = Array.isArray(query.workers) ? query.workers : null;
  if (widths) checkWidths(models, widths, query.force === true);
  const table = predictionTable();

  const predictions: CellPrediction[] = [];
  const workersAuto: PredictionFile['workersAuto'] = [];
  for (const model of models) {
    // Asked only for a budget, a quality target or a backtest: no predictions at a default size.
    const answersOnly = !query.sizes && query.workers === undefined && (query.budgetMs !== undefined || query.quality !== undefined || query.backtest === true);
    const sizes = query.sizes ?? (answersOnly ? [] : [Math.max(...model.sizes) * DEFAULT_SIZE_FACTOR]);
    for (const size of sizes) {
      let ws = widths ?? model.widths;
      if (query.workers === 'auto') {
        const choice = chooseWorkers(model, size, query.force === true);
        if (typeof choice === 'string') {
          notes.push(`${labelOf(model)} at n=${formatCount(size)}: --workers auto: ${choice}`);
          continue;
        }
        workersAuto.push(choice);
        ws = [choice.chosen];
      }
      for (const w of ws) predictions.push(withQuality(evaluator.predict(model, size, w, table), learningCurves));
    }
  }

  const file: PredictionFile = {
    schemaVersion: PREDICTION_SCHEMA_VERSION,
    runIds: [result.runId],
    level: PREDICTION_LEVEL,
    machine: { cpuModel: result.environment.cpuModel, cores: result.environment.cores },
    predictions,
    notes,
  };
  if (query.workers === 'auto') file.workersAuto = workersAuto;
  if (query.budgetMs !== undefined) {
    const budgetMs = query.budgetMs;
    file.budget = models.flatMap((m) => (widths ?? m.widths).map((w) => budgetAnswer(m, w, budgetMs)));
  }
  if (query.quality) {
    const target = query.quality;
    file.quality = models.map((m) => {
      const curve = learningCurves.find((c) => c.model === m.model && c.dataset === m.dataset && c.metric === target.metric);
      if (!curve) return { model: m.model, dataset: m.dataset, metric: target.metric, target: target.value, size: null, wallMs: null, workers: widths?.[0] ?? 1, note: `no ${target.metric} learning curve for this model` };
      return qualityAnswer(curve, m, target, widths?.[0] ?? 1);
    });
  }
  if (query.backtest) file.backtest = backtest(groups);
  return file;
}

/** Fewest sizes a sweep needs before `run` prints the backtest summary line. */
export const RUN_BACKTEST_MIN_SIZES = 4;

/** The backtest `run` reports after a sweep, or null when no model was measured at 4 or more sizes. */
export function sweepBacktest(result: RunResult, analysis: Analysis): ReturnType<typeof backtest> | null {
  const groups = observationGroups(result, analysis);
  const enough = groups.some((g) => new Set(g.cells.map((c) => c.size)).size >= RUN_BACKTEST_MIN_SIZES);
  return enough ? backtest(groups) : null;
}
