/**
 * Training to a target in data-parallel mode: rank 0 evaluates the held-out metric on the schedule of
 * models/schedule.ts (the replicas hold equal weights) and every rank learns its decision through a
 * one-value allreduce, so all ranks stop after the same step. The other ranks wait for the decision;
 * that wait is evaluation time on every rank, kept apart from training time.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Tf } from '../../backends/index.js';
import type { ConvergenceSettings, Quality } from '../../results/schema.js';
import type { PreparedData } from '../../models/data.js';
import { evaluateQuality } from '../../models/quality.js';
import { EvaluationSchedule, type ConvergenceRecord } from '../../models/schedule.js';
import { SharedAllreduce, type ExchangeOptions } from '../../measure/allreduce.js';

export class StopControl {
  private readonly schedule: EvaluationSchedule;
  private readonly exchange: SharedAllreduce;
  /** Milliseconds this rank spent evaluating or waiting for the decision. */
  evalWindowMs = 0;
  /** The last held-out quality (rank 0). */
  quality: Quality | undefined;

  constructor(
    private readonly tf: Tf,
    private readonly model: LayersModel,
    /** Held-out rows: rank 0 only. */
    private readonly heldOut: PreparedData | undefined,
    stepsPerEpoch: number,
    private readonly settings: Pick<ConvergenceSettings, 'evalEvery' | 'maxEpochs' | 'patience'>,
    target: Quality | undefined,
    control: SharedArrayBuffer,
    parties: number,
    rank: number,
    options: ExchangeOptions,
  ) {
    this.schedule = new EvaluationSchedule(stepsPerEpoch, settings, target);
    this.exchange = new SharedAllreduce(control, parties, 1, rank, options);
  }

  /** Whole epochs of batch order the loop needs: --max-epochs, rounded up. */
  get epochs(): number {
    return Math.ceil(this.settings.maxEpochs);
  }

  evaluatesAfter(stepsDone: number): boolean {
    return this.schedule.evaluatesAfter(stepsDone);
  }

  /** After `stepsDone` steps and `elapsedMs` since the start line: evaluate (rank 0), agree, and say whether to stop. */
  async evaluate(stepsDone: number, elapsedMs: number): Promise<boolean> {
    const started = performance.now();
    let stop = 0;
    if (this.heldOut) {
      this.quality = await evaluateQuality(this.tf, this.model, this.heldOut);
      stop = this.schedule.record(stepsDone, elapsedMs - this.evalWindowMs, this.quality.value, performance.now() - started) ? 1 : 0;
    }
    this.exchange.input[0] = stop;
    const decided = (this.exchange.allreduce()[0] as number) > 0;
    this.evalWindowMs += performance.now() - started;
    return decided;
  }

  /** Rank 0's record of the trial; undefined on the other ranks. */
  result(): ConvergenceRecord | undefined {
    return this.heldOut ? this.schedule.result() : undefined;
  }
}
