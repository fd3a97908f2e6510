/**
 * Data-parallel mode, main-thread side: w ranks on the pool's warm threads train ONE model with
 * synchronous gradient averaging (./worker.ts), meeting at a start line and exchanging gradients
 * through shared memory (src/measure/allreduce.ts).
 */
import { median } from '../../stats/index.js';
import type { Scaling, TrialResult } from '../../results/schema.js';
import { errorMessage } from '../../config/errors.js';
import { failedTrial, failureOf } from '../../measure/failures.js';
import { workerModule } from '../../measure/worker-file.js';
import { cellTaskFields, warmupSamples, type CellJob, type CellMeasurement, type TrialProgress } from '../../measure/runner.js';
import { trialTiming } from '../../measure/trial-timing.js';
import { runRepetitions } from '../../measure/repetitions.js';
import { abortBarrier, createBarrier } from '../../measure/barrier.js';
import { abortExchange, createExchangeBuffer, type ReduceStrategy } from '../../measure/allreduce.js';
import { RssSampler, cellMemoryOf } from '../../measure/memory.js';
import type { ModeContext } from '../types.js';
import { repetitionSeed, targetFor, trialConvergence } from '../../models/schedule.js';
import type { DataParallelReply, DataParallelTask, DescribeReply, DescribeTask } from './worker.js';

/** The worker module of this mode, run on the pool's warm threads. */
export const DATA_PARALLEL_WORKER = new URL('./worker.js', import.meta.url);

/** Ranks normally meet within milliseconds; this only bounds a broken or descheduled worker. */
const EXCHANGE_TIMEOUT_MS = 60_000;
/**
 * 'replicated' (one barrier, every rank sums all w slots) and 'sliced' (two barriers, each rank sums
 * 1/w) measured alike on 2 cores for mlp-small's 6.5k values (about 50 µs per exchange, against
 * about 250 µs for messages relayed by the main thread, benchmarks/modes.ts); one barrier is the
 * simpler default, and summing w slots only costs more at widths beyond this machine.
 */
export const DEFAULT_REDUCE_STRATEGY: ReduceStrategy = 'replicated';

/** Rows per step over all ranks: the configured batch (strong scaling) or that many per rank (weak). */
export function globalBatchSize(batchSize: number, workers: number, scaling: Scaling): number {
  return scaling === 'weak' ? batchSize * workers : batchSize;
}

/** One trial's measurements from the replies of all ranks (pure; exported for tests). */
export function aggregateDataParallel(replies: readonly DataParallelReply[], repetition: number, peakRssBytes: number, seed?: number): TrialResult {
  if (replies.length === 0) throw new RangeError('a data-parallel trial needs at least one reply');
  const rankZero = replies.find((reply) => reply.rank === 0) ?? replies[0]!;
  return {
    repetition: Math.max(0, repetition),
    state: 'ok',
    // One job shared by the ranks: the rows trained are those of the global batches, not w times them.
    ...trialTiming(replies, rankZero.samples, peakRssBytes),
    finalLoss: rankZero.finalLoss,
    quality: rankZero.quality ?? { metric: 'accuracy', value: 0 },
    exchangeMs: median(replies.map((reply) => reply.exchangeMs)),
    computeMs: median(replies.map((reply) => reply.computeMs)),
    steps: rankZero.steps,
    replicaMaxDiff: rankZero.replicaMaxDiff ?? 0,
    ...(rankZero.convergence && seed !== undefined ? trialConvergence([rankZero.convergence], seed) : {}),
  };
}

export interface DataParallelOptions {
  strategy?: ReduceStrategy;
  /** Tests only: make `rank` throw at `step` of every trial. */
  fault?: { rank: number; step: number };
}

/** Runs one data-parallel cell: describe the model once, then warm-ups and counted repetitions. */
export async function runDataParallelCell(
  ctx: ModeContext,
  job: CellJob,
  onTrial?: (progress: TrialProgress) => void,
  options: DataParallelOptions = {},
): Promise<CellMeasurement> {
  const { plan, pool, threads } = ctx;
  const { cell } = job;
  const filename = workerModule(DATA_PARALLEL_WORKER);
  const memory = cellMemoryOf(job, ctx.wasmHeapBytes);
  const modelPath = plan.customModels?.[cell.model];
  const backend = { backend: plan.backend, stockKernels: plan.stockKernels, threads, ...(modelPath ? { modelPath } : {}) };
  let described: DescribeReply;
  try {
    const describe: DescribeTask = { kind: 'dp-describe', ...backend, model: cell.model, spec: job.spec, seed: plan.seed };
    described = (await pool.run(describe, { filename })) as DescribeReply;
  } catch (error) {
    return {
      model: { name: cell.model, params: 0, forwardFlopsPerSample: 0, trainFlopsPerSample: 0 },
      coldStartMs: ctx.coldStartMs,
      threadsPerWorker: threads,
      trials: [failedTrial(0, 'errored', errorMessage(error))],
    };
  }
  const width = cell.workers;
  const globalBatch = globalBatchSize(plan.training.batchSize, width, cell.scaling ?? 'strong');
  const exchangeLength = described.trainableValues + 1;
  const toTarget = plan.convergence;
  const target = toTarget ? targetFor(toTarget.targets, job.spec.task) : undefined;
  const trials = await runRepetitions(plan, cell, onTrial, async (repetition, signal) => {
    const start = createBarrier();
    const exchange = createExchangeBuffer(width, exchangeLength);
    const seed = toTarget ? repetitionSeed(plan.seed, repetition) : plan.seed;
    const stopExchange = toTarget && repetition >= 0 ? createExchangeBuffer(width, 1) : undefined;
    const base: Omit<DataParallelTask, 'rank'> = {
      kind: 'dp-train',
      cellId: cell.id,
      ...cellTaskFields(plan, job, threads),
      seed,
      ...(toTarget && stopExchange ? { convergence: toTarget, stopExchange, ...(target ? { target } : {}) } : {}),
      dataKey: job.dataKey,
      epochs: plan.training.epochs,
      globalBatch,
      learningRate: plan.training.learningRate,
      ...(repetition < 0 ? { maxSamples: warmupSamples(job.nTrain, plan.training.batchSize) } : {}),
      parties: width,
      start,
      exchange,
      exchangeLength,
      strategy: options.strategy ?? DEFAULT_REDUCE_STRATEGY,
      // Off: measured with benchmarks/modes.ts on a busy 2-core machine, spinning at the barrier made an
      // exchange 7-10x slower (it steals the time of the peer being waited for); sleeping costs ~50 µs.
      spin: false,
      timeoutMs: EXCHANGE_TIMEOUT_MS,
    };
    const rss = new RssSampler();
    rss.start();
    const settled = await Promise.allSettled(
      Array.from({ length: width }, (_, rank) => {
        const task: DataParallelTask = {
          ...base,
          rank,
          ...(options.fault && options.fault.rank === rank ? { failAtStep: options.fault.step } : {}),
        };
        return pool.run(task, { filename, signal }).catch((error: unknown) => {
          // A rank killed from outside (timeout, crash) cannot release its peers itself.
          abortExchange(exchange);
          if (stopExchange) abortExchange(stopExchange);
          abortBarrier(start);
          throw error;
        }) as Promise<DataParallelReply>;
      }),
    );
    const peakRssBytes = rss.stop();
    const rejected = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
    if (rejected) return { failed: failureOf(signal, primaryFailure(settled), repetition) };
    const replies = settled.map((entry) => (entry as PromiseFulfilledResult<DataParallelReply>).value);
    return { trial: memory.annotate(aggregateDataParallel(replies, repetition, peakRssBytes, toTarget ? seed : undefined)) };
  });
  return {
    model: described.model,
    coldStartMs: ctx.coldStartMs,
    threadsPerWorker: described.threads,
    trials,
    initialWeightsChecksum: described.initialWeightsChecksum,
  };
}

/**
 * The failure that caused the others: peers released by the abort flag fail with "another worker
 * failed", which says nothing; prefer the first rejection that is not that.
 */
function primaryFailure(settled: ReadonlyArray<PromiseSettledResult<unknown>>): unknown {
  const reasons = settled.flatMap((entry) => (entry.status === 'rejected' ? [entry.reason as unknown] : []));
  return reasons.find((reason) => !/another worker of this cell failed/.test(errorMessage(reason))) ?? reasons[0];
}

