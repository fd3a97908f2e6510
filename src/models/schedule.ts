/**
 * Training to a target quality (MLPerf's time-to-train): when to evaluate the held-out metric and
 * when to stop. Pure bookkeeping, no tfjs: the training loops (train-to-target.ts, the data-parallel
 * worker) call it after every step, time evaluation apart from training, and hand it the results.
 */
import type { ConvergenceSettings, Quality } from '../results/schema.js';

export type StopReason = 'target' | 'patience' | 'max-epochs';

/** What a trial trained to a target records (every time in ms of training, evaluation excluded). */
export interface ConvergenceRecord {
  /** Whether the held-out metric reached the target (false when there is none). */
  converged: boolean;
  /** Training time until the evaluation that first reached the target. */
  timeToTargetMs?: number;
  /** Epochs trained until that evaluation (fractional: steps / steps per epoch). */
  epochsToTarget?: number;
  /** Epochs trained in all. */
  epochsTrained: number;
  /** Optimizer steps in all. */
  steps: number;
  /** Held-out evaluations made. */
  evaluations: number;
  /** Time spent evaluating, apart from training. */
  evalMs: number;
  stopReason: StopReason;
  /** The held-out quality at the last evaluation (the trial's quality). */
  finalQuality: number;
  /** The best held-out quality seen at any evaluation. */
  bestQuality: number;
}

export class EvaluationSchedule {
  /** Steps between evaluations: --eval-every epochs, at least one step. */
  readonly stepsPerEvaluation: number;
  /** Steps in --max-epochs epochs. */
  readonly maxSteps: number;
  private readonly target: Quality | undefined;
  private evaluations = 0;
  private evalMs = 0;
  private best = -Infinity;
  private sinceBest = 0;
  private reached: { steps: number; trainMs: number } | undefined;
  private last: { steps: number; quality: number } | undefined;
  private stop: StopReason | undefined;

  constructor(
    private readonly stepsPerEpoch: number,
    private readonly settings: Pick<ConvergenceSettings, 'evalEvery' | 'maxEpochs' | 'patience'>,
    target: Quality | undefined,
  ) {
    if (!(stepsPerEpoch >= 1)) throw new RangeError(`an epoch needs at least one step, got ${stepsPerEpoch}`);
    this.stepsPerEvaluation = Math.max(1, Math.round(settings.evalEvery * stepsPerEpoch));
    this.maxSteps = Math.max(1, Math.ceil(settings.maxEpochs * stepsPerEpoch));
    this.target = target;
  }

  /** Whether the held-out metric is measured after `stepsDone` steps (always at the last one). */
  evaluatesAfter(stepsDone: number): boolean {
    return stepsDone % this.stepsPerEvaluation === 0 || stepsDone >= this.maxSteps;
  }

  /**
   * Records the held-out `quality` measured after `stepsDone` steps and `trainMs` of training, the
   * evaluation having taken `evalMs`. Returns true when training should stop.
   */
  record(stepsDone: number, trainMs: number, quality: number, evalMs: number): boolean {
    this.evaluations++;
    this.evalMs += evalMs;
    this.last = { steps: stepsDone, quality };
    if (quality > this.best) {
      this.best = quality;
      this.sinceBest = 0;
    } else {
      this.sinceBest++;
    }
    if (this.target && !this.reached && quality >= this.target.value) this.reached = { steps: stepsDone, trainMs };
    // With --patience, training continues past the target until it stops improving, so the end quality
    // is the converged one a learning curve needs; without it, the target ends the trial (MLPerf).
    if (this.reached && this.settings.patience === undefined) this.stop = 'target';
    else if (this.settings.patience !== undefined && this.sinceBest >= this.settings.patience) this.stop = 'patience';
    else if (stepsDone >= this.maxSteps) this.stop = 'max-epochs';
    return this.stop !== undefined;
  }

  result(): ConvergenceRecord {
    if (!this.last || !this.stop) throw new Error('EvaluationSchedule.result() before training stopped');
    return {
      converged: this.reached !== undefined,
      ...(this.reached ? { timeToTargetMs: this.reached.trainMs, epochsToTarget: this.reached.steps / this.stepsPerEpoch } : {}),
      epochsTrained: this.last.steps / this.stepsPerEpoch,
      steps: this.last.steps,
      evaluations: this.evaluations,
      evalMs: this.evalMs,
      stopReason: this.stop,
      finalQuality: this.last.quality,
      bestQuality: this.best,
    };
  }
}

/** The target of a task among the run's targets (one per metric): accuracy for classification, R² for regression. */
export function targetFor(targets: readonly Quality[], task: 'regression' | 'classification'): Quality | undefined {
  return targets.find((t) => t.metric === (task === 'regression' ? 'r2' : 'accuracy'));
}

/**
 * The seed of repetition r when training to a target: repetition 0 keeps the run's seed, later ones
 * get their own (data order and initial weights), so the spread of time-to-target is the real
 * convergence variance, not one lucky seed measured five times.
 */
export function repetitionSeed(seed: number, repetition: number): number {
  if (repetition <= 0) return seed;
  return (seed + Math.imul(repetition, 0x9e3779b1)) >>> 1;
}

/** A trial's convergence fields from the records of the w replicas that trained it together (each with the same seed). */
export function trialConvergence(records: readonly ConvergenceRecord[], seed: number): {
  converged: boolean;
  timeToTargetMs?: number;
  epochsToTarget?: number;
  epochsTrained: number;
  evalMs: number;
  evaluations: number;
  stopReason: StopReason;
  bestQuality: number;
  steps: number;
  seed: number;
} {
  if (records.length === 0) throw new RangeError('a trial needs at least one convergence record');
  const mid = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const m = sorted.length >> 1;
    return sorted.length % 2 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
  };
  const converged = records.every((r) => r.converged);
  return {
    converged,
    // The job of w replicas reaches the target when the last of them does.
    ...(converged ? { timeToTargetMs: Math.max(...records.map((r) => r.timeToTargetMs ?? 0)), epochsToTarget: mid(records.map((r) => r.epochsToTarget ?? 0)) } : {}),
    epochsTrained: mid(records.map((r) => r.epochsTrained)),
    evalMs: mid(records.map((r) => r.evalMs)),
    evaluations: Math.round(mid(records.map((r) => r.evaluations))),
    stopReason: records[0]!.stopReason,
    bestQuality: mid(records.map((r) => r.bestQuality)),
    steps: Math.round(mid(records.map((r) => r.steps))),
    seed,
  };
}
