/**
 * Job-parallel mode, main-thread side: a cell of width w dispatches exactly w training tasks to the
 * warm pool; they meet at a barrier, so they land on w different idle threads and start together.
 */
import { median } from '../../stats/index.js';
import type { ModelInfo } from '../../results/schema.js';
import { abortBarrier, createBarrier } from '../../measure/barrier.js';
import { failureOf } from '../../measure/failures.js';
import { RssSampler, cellMemoryOf } from '../../measure/memory.js';
import { runRepetitions, type TrialOutcome } from '../../measure/repetitions.js';
import { cellTaskFields, warmupSamples, type CellJob, type CellMeasurement, type TrialProgress } from '../../measure/runner.js';
import { trialTiming } from '../../measure/trial-timing.js';
import { workerModule } from '../../measure/worker-file.js';
import type { ModeContext } from '../types.js';
import { repetitionSeed, targetFor, trialConvergence } from '../../models/schedule.js';
import type { TrainReply, TrainTask } from './protocol.js';

/** The worker module of this mode, run on the pool's warm threads. */
export const JOB_PARALLEL_WORKER = new URL('./worker.js', import.meta.url);

/** Workers normally reach the start line within milliseconds; this only bounds a broken worker. */
const BARRIER_TIMEOUT_MS = 60_000;

export async function runJobParallelCell(ctx: ModeContext, job: CellJob, onTrial?: (progress: TrialProgress) => void): Promise<CellMeasurement> {
  const { plan, pool, threads } = ctx;
  const filename = workerModule(JOB_PARALLEL_WORKER);
  const width = job.cell.workers;
  let model: ModelInfo | undefined;
  let initialWeightsChecksum: string | undefined;
  const memory = cellMemoryOf(job, ctx.wasmHeapBytes);
  const toTarget = plan.convergence;
  const target = toTarget ? targetFor(toTarget.targets, job.spec.task) : undefined;
  const trials = await runRepetitions(plan, job.cell, onTrial, async (repetition, signal): Promise<TrialOutcome> => {
    const barrier = createBarrier();
    const seed = toTarget ? repetitionSeed(plan.seed, repetition) : plan.seed;
    const task: TrainTask = {
      kind: 'train',
      cellId: job.cell.id,
      ...cellTaskFields(plan, job, threads),
      seed,
      dataKey: job.dataKey,
      epochs: plan.training.epochs,
      batchSize: plan.training.batchSize,
      learningRate: plan.training.learningRate,
      ...(repetition < 0 ? { maxSamples: warmupSamples(job.nTrain, plan.training.batchSize) } : {}),
      ...(toTarget && repetition >= 0 ? { convergence: toTarget, ...(target ? { target } : {}) } : {}),
      barrier,
      parties: width,
      barrierTimeoutMs: BARRIER_TIMEOUT_MS,
    };
    const rss = new RssSampler();
    rss.start();
    const settled = await Promise.allSettled(
      Array.from({ length: width }, () =>
        pool.run(task, { filename, signal }).catch((error: unknown) => {
          // Release the others from the start line instead of letting them wait for a dead peer.
          abortBarrier(barrier);
          throw error;
        }) as Promise<TrainReply>,
      ),
    );
    const peakRssBytes = rss.stop();
    const rejected = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
    if (rejected) return { failed: failureOf(signal, rejected.reason, repetition) };
    const replies = settled.map((entry) => (entry as PromiseFulfilledResult<TrainReply>).value);
    const samples = replies.reduce((sum, reply) => sum + reply.samples, 0);
    const quality = replies[0]!.quality;
    model = replies[0]!.model;
    // The first counted repetition's: it trains from the run's seed, as every repetition does on a fixed budget.
    initialWeightsChecksum ??= repetition >= 0 ? replies[0]!.initialWeightsChecksum : undefined;
    const records = replies.flatMap((reply) => (reply.convergence ? [reply.convergence] : []));
    return {
      trial: memory.annotate({
        repetition: Math.max(0, repetition),
        state: 'ok',
        ...trialTiming(replies, samples, peakRssBytes),
        finalLoss: median(replies.map((reply) => reply.finalLoss)),
        quality: { metric: quality.metric, value: median(replies.map((reply) => reply.quality.value)) },
        ...(records.length === replies.length && records.length > 0
          ? trialConvergence(records, seed)
          : { steps: plan.training.epochs * Math.ceil(job.nTrain / plan.training.batchSize) }),
      }),
    };
  });
  return {
    model: model ?? { name: job.cell.model, params: 0, forwardFlopsPerSample: 0, trainFlopsPerSample: 0 },
    coldStartMs: ctx.coldStartMs,
    threadsPerWorker: threads,
    trials,
    ...(initialWeightsChecksum ? { initialWeightsChecksum } : {}),
  };
}
