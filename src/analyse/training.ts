/**
 * What a cell's quality means: the training budget it was measured after, whether it beats the
 * trivial predictor (else `undertrained`, with the fix), the data set's ideal quality, and, for runs
 * trained to a target, the time to get there summarised the MLPerf way beside the median.
 */
import { formatFixed } from '../config/format.js';
import type { AnalysisWarning } from './schema.js';
import type { CellQualityFields, TimeToTarget, TrainingBudget } from './quality-schema.js';
import type { CellResult, DatasetSpec, Quality, SavedPlan } from '../results/schema.js';
import { censoredMedian, coefficientOfVariation, median, medianConfidenceInterval, mlperfSummary, repetitionsForPrecision } from '../stats/index.js';
import { targetFor } from '../models/schedule.js';

/** Optimizer steps of a fixed budget worth suggesting when a cell is undertrained. */
const SUGGESTED_STEPS = 200;
/** Relative precision of the mean epochs-to-target the repetition advice aims for (at 95%). */
const EPOCHS_PRECISION = 0.1;

const metricWord = (metric: Quality['metric']): string => (metric === 'r2' ? 'R²' : 'accuracy');
const exampleTarget = (metric: Quality['metric']): string => (metric === 'r2' ? 'r2=0.9' : 'accuracy=0.85');

function globalBatch(cell: CellResult['cell'], plan: SavedPlan): number {
  return cell.mode === 'data-parallel' && cell.scaling === 'weak' ? plan.training.batchSize * cell.workers : plan.training.batchSize;
}

function medianOf(values: readonly (number | undefined)[]): number | null {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return finite.length > 0 ? median(finite) : null;
}

function budgetOf(cellResult: CellResult, plan: SavedPlan, task: DatasetSpec['task'] | undefined): TrainingBudget {
  const { cell } = cellResult;
  const ok = cellResult.trials.filter((t) => t.state === 'ok');
  const batchSize = globalBatch(cell, plan);
  const steps = medianOf(ok.map((t) => t.steps));
  if (plan.convergence) {
    const target = task ? targetFor(plan.convergence.targets, task) : undefined;
    return {
      kind: 'to-target',
      target: target ?? null,
      maxEpochs: plan.convergence.maxEpochs,
      patience: plan.convergence.patience ?? null,
      epochs: medianOf(ok.map((t) => t.epochsTrained)),
      steps,
      batchSize,
    };
  }
  // Files written before trials recorded their steps: every epoch visits every batch once.
  const planned = cell.mode === 'inference' ? null : plan.training.epochs * Math.ceil(cell.size / batchSize);
  return { kind: 'fixed', epochs: plan.training.epochs, steps: steps ?? planned, batchSize };
}

function trivialOf(cellResult: CellResult, quality: Quality, spec: DatasetSpec | undefined): Quality {
  if (cellResult.trivialQuality && cellResult.trivialQuality.metric === quality.metric) return cellResult.trivialQuality;
  // Older files: R² 0, or chance among the classes (the majority rate of balanced data).
  return { metric: quality.metric, value: quality.metric === 'r2' ? 0 : 1 / Math.max(2, spec?.classes ?? 2) };
}

function undertrainedFix(budget: TrainingBudget, metric: Quality['metric'], cell: CellResult['cell']): string {
  if (budget.kind === 'to-target') {
    return `it learned nothing within ${budget.maxEpochs} epochs: raise --max-epochs, or lower --learning-rate if its loss diverges`;
  }
  const stepsPerEpoch = Math.max(1, Math.ceil(cell.size / budget.batchSize));
  const epochs = Math.min(10_000, Math.ceil(SUGGESTED_STEPS / stepsPerEpoch));
  const steps = budget.steps === null ? '' : `only ${budget.steps} optimizer step${budget.steps === 1 ? '' : 's'} (`;
  const close = budget.steps === null ? '' : ')';
  return (
    `${steps}${budget.epochs} epoch${budget.epochs === 1 ? '' : 's'} at batch ${budget.batchSize}${close}: ` +
    `train longer with --epochs ${epochs} (~${epochs * stepsPerEpoch} steps) or to a quality with --target ${exampleTarget(metric)}`
  );
}

/** Time to target of one cell (runs trained to a target); null for other runs or a task without a target. */
export function timeToTargetOf(cellResult: CellResult, target: Quality, level: number): TimeToTarget | null {
  const runs = cellResult.trials.filter((t) => t.state === 'ok' && t.converged !== undefined);
  if (runs.length === 0) return null;
  const converged = runs.filter((t) => t.converged && t.timeToTargetMs !== undefined && t.epochsToTarget !== undefined);
  const missed = runs.length - converged.length;
  const times = converged.map((t) => t.timeToTargetMs as number);
  const epochs = converged.map((t) => t.epochsToTarget as number);
  const score = mlperfSummary(times, missed);
  const cv = coefficientOfVariation(epochs);
  const needed = cv === null ? null : repetitionsForPrecision(cv, EPOCHS_PRECISION);
  return {
    metric: target.metric,
    target: target.value,
    runs: runs.length,
    converged: converged.length,
    status: score.kind === 'not-converged' ? 'not-converged' : 'converged',
    mlperfMs: score.kind === 'value' ? score.value : null,
    mlperfNote: score.kind === 'value' ? null : score.reason,
    medianMs: score.kind === 'not-converged' ? null : censoredMedian(times, missed, level),
    epochs: score.kind === 'not-converged' || epochs.length === 0 ? null : missed === 0 ? medianConfidenceInterval(epochs, level) : censoredMedian(epochs, missed, level),
    epochsCv: cv,
    repetitionsNeeded: needed !== null && needed > runs.length ? needed : null,
    evalMs: medianOf(runs.map((t) => t.evalMs)),
  };
}

function stopRules(plan: SavedPlan): string {
  const c = plan.convergence;
  if (!c) return '';
  return c.patience !== undefined ? `${c.patience} evaluations without improvement, or --max-epochs ${c.maxEpochs}` : `--max-epochs ${c.maxEpochs}`;
}

/**
 * The quality fields of one cell, and the warnings they raise. `quality` is the cell's median held-out
 * quality (null when no repetition finished).
 */
export function cellQualityFields(cellResult: CellResult, plan: SavedPlan, quality: Quality | null, level: number, warnings: AnalysisWarning[]): CellQualityFields {
  const spec = plan.datasets.find((d) => d.name === cellResult.cell.dataset);
  const task = spec?.task ?? (quality ? (quality.metric === 'r2' ? 'regression' : 'classification') : undefined);
  const budget = budgetOf(cellResult, plan, task);
  const out: CellQualityFields = {
    budget,
    ...(cellResult.idealQuality ? { idealQuality: cellResult.idealQuality } : {}),
  };
  if (!quality) return out;
  const trivial = trivialOf(cellResult, quality, spec);
  out.trivialQuality = trivial;
  const id = cellResult.cell.id;
  if (quality.value <= trivial.value) {
    out.undertrained = { trivial: trivial.value, fix: undertrainedFix(budget, quality.metric, cellResult.cell) };
    warnings.push({
      code: 'undertrained',
      message: `${id}: held-out ${metricWord(quality.metric)} ${formatFixed(quality.value, 3)} is no better than the trivial predictor's ${formatFixed(trivial.value, 3)}; ${out.undertrained.fix}.`,
      subject: id,
    });
  }
  const target = budget.kind === 'to-target' ? budget.target : null;
  const ttt = target ? timeToTargetOf(cellResult, target, level) : null;
  if (ttt) {
    out.timeToTarget = ttt;
    if (ttt.status === 'not-converged') {
      warnings.push({
        code: 'not-converged',
        message: `${id}: ${ttt.runs - ttt.converged} of ${ttt.runs} repetitions did not reach ${metricWord(ttt.metric)} ${ttt.target} before training stopped (${stopRules(plan)}), so the cell has no time to target (MLPerf allows 1); lower the target${plan.convergence?.patience !== undefined ? ', raise --patience' : ''} or raise --max-epochs.`,
        subject: id,
      });
    } else if (ttt.repetitionsNeeded !== null && ttt.epochsCv !== null) {
      warnings.push({
        code: 'variable-convergence',
        message: `${id}: epochs to target vary by ${(ttt.epochsCv * 100).toFixed(0)}% (CV) across seeds; ${ttt.repetitionsNeeded} repetitions would pin the mean within ±${EPOCHS_PRECISION * 100}% (this run has ${ttt.runs}): use --repeats ${ttt.repetitionsNeeded}.`,
        subject: id,
      });
    }
  }
  return out;
}
