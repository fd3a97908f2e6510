/**
 * Inference mode, main-thread side: train the model once (cached across the cell's load levels),
 * start w servers (./worker.ts) on the pool, then run each repetition as one load level (./load.ts).
 */
import { performance } from 'node:perf_hooks';
import { cpuNowUs } from '../../measure/clock.js';
import type { TrialResult } from '../../results/schema.js';
import { errorMessage } from '../../config/errors.js';
import { abortBarrier, createBarrier } from '../../measure/barrier.js';
import { RssSampler, cellMemoryOf } from '../../measure/memory.js';
import { CellTimeoutError, failedTrial, failureOf } from '../../measure/failures.js';
import { workerModule } from '../../measure/worker-file.js';
import { cellTaskFields, type CellJob, type CellMeasurement, type TrialProgress } from '../../measure/runner.js';
import { LISTENERS_PER_CELL_SIGNAL, runRepetitions, type TrialOutcome } from '../../measure/repetitions.js';
import { setMaxListeners } from 'node:events';
import type { ModeContext } from '../types.js';
import { latencySummary } from './analysis.js';
import { runLevel, waitForChange, type LevelOutcome } from './load.js';
import { createQueue, QUEUE, queueViews, stopQueue } from './queue.js';
import type { FitReply, FitTask, ServeTask } from './worker.js';

/** The worker module of this mode, run on the pool's warm threads. */
export const INFERENCE_WORKER = new URL('./worker.js', import.meta.url);
/** Seconds of load per level when the plan does not say (plans made by buildPlan always do). */
const DEFAULT_LEVEL_SECONDS = 1;
/** Milliseconds of load per level when the plan does not say (plans made by buildPlan always do). */
export const DEFAULT_LEVEL_MS = DEFAULT_LEVEL_SECONDS * 1000;
/** Warm-up levels are short: they only make sure every server has predicted before the clock counts. */
const WARMUP_LEVEL_MS = 200;
const START_TIMEOUT_MS = 60_000;
/** Servers finish their current request and return when stopped; one still busy after this is stuck. */
const STOP_GRACE_MS = 2_000;
/** Trained models kept for the next cells of the same (model, data, training): training once serves every level. */
const FIT_CACHE_SIZE = 4;
const fits = new Map<string, FitReply>();

async function fitFor(ctx: ModeContext, job: CellJob, filename: string): Promise<FitReply> {
  const { plan } = ctx;
  const key = `${job.cell.model}|${job.dataKey}|${job.nTrain}|${plan.seed}|${plan.training.epochs}|${plan.training.batchSize}|${plan.training.learningRate}|${plan.backend}`;
  const cached = fits.get(key);
  if (cached) return cached;
  const task: FitTask = {
    kind: 'inference-fit',
    ...cellTaskFields(plan, job, ctx.threads),
    epochs: plan.training.epochs,
    batchSize: plan.training.batchSize,
    learningRate: plan.training.learningRate,
  };
  const reply = (await ctx.pool.run(task, { filename, signal: AbortSignal.timeout(plan.cellTimeoutMs) })) as FitReply;
  if (fits.size >= FIT_CACHE_SIZE) fits.delete(fits.keys().next().value as string);
  fits.set(key, reply);
  return reply;
}

async function waitUntilReady(queue: SharedArrayBuffer, parties: number, failure: () => unknown, signal: AbortSignal): Promise<void> {
  const { control } = queueViews(queue);
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    const died = failure();
    if (died !== undefined) throw died;
    if (signal.aborted) throw signal.reason;
    const ready = Atomics.load(control, QUEUE.READY);
    if (ready >= parties) return;
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`only ${ready} of ${parties} inference servers were ready within ${START_TIMEOUT_MS / 1000} s`);
    await waitForChange(control, QUEUE.READY, ready, Math.min(left, 50));
  }
}

/**
 * Most errors a level may have and still be a latency figure: beyond it the latencies describe the
 * requests that happened to succeed, not the service (a server answering errors fast looks quick).
 */
export const MAX_LEVEL_ERROR_RATE = 0.01;

function levelError(outcome: LevelOutcome, errorRate: number): string | undefined {
  const first = outcome.firstError !== undefined ? `; first error: ${outcome.firstError}` : '';
  if (outcome.answered === 0) return `no request was answered (${outcome.errors} of ${outcome.requests} failed or timed out${first})`;
  if (errorRate > MAX_LEVEL_ERROR_RATE) {
    return `${outcome.errors} of ${outcome.requests} requests failed (${(errorRate * 100).toFixed(1)}%, more than the ${MAX_LEVEL_ERROR_RATE * 100}% a latency figure allows${first})`;
  }
  return undefined;
}

/** One level's TrialResult from what the clients saw (pure; exported for tests). */
export function levelTrial(
  outcome: LevelOutcome,
  context: {
    repetition: number;
    batchSize: number;
    cpuMs: number;
    peakRssBytes: number;
    peakTensorBytes: number;
    /** Tensor bytes of all servers added up; absent = peakTensorBytes. */
    workerTensorBytes?: number;
    fit: Pick<FitReply, 'finalLoss' | 'quality'>;
  },
): TrialResult {
  const latency = latencySummary(outcome.latencies);
  const samples = outcome.answered * context.batchSize;
  const errorRate = outcome.requests > 0 ? outcome.errors / outcome.requests : 0;
  const error = levelError(outcome, errorRate);
  return {
    repetition: Math.max(0, context.repetition),
    state: error === undefined ? 'ok' : 'errored',
    ...(error === undefined ? {} : { error }),
    wallMs: outcome.elapsedMs,
    samplesPerSec: (samples / outcome.elapsedMs) * 1000,
    samples,
    cpuMs: context.cpuMs,
    peakRssBytes: context.peakRssBytes,
    peakTensorBytes: context.peakTensorBytes,
    ...(context.workerTensorBytes !== undefined ? { workerTensorBytes: context.workerTensorBytes } : {}),
    finalLoss: context.fit.finalLoss,
    quality: context.fit.quality,
    ...(latency ? { latency } : {}),
    requests: outcome.requests,
    errors: outcome.errors,
    errorRate,
    ...(outcome.firstError !== undefined ? { firstError: outcome.firstError } : {}),
  };
}


/**
 * Runs one inference cell: train the model once (cached across the cell's load levels), start
 * `workers` servers on the pool, then run each repetition as one load level and stop the servers.
 */
export async function runInferenceCell(ctx: ModeContext, job: CellJob, onTrial?: (progress: TrialProgress) => void): Promise<CellMeasurement> {
  const { plan, pool } = ctx;
  const { cell } = job;
  const filename = workerModule(INFERENCE_WORKER);
  const emptyModel = { name: cell.model, params: 0, forwardFlopsPerSample: 0, trainFlopsPerSample: 0 };
  const failed = (error: unknown): CellMeasurement => ({
    model: emptyModel,
    coldStartMs: ctx.coldStartMs,
    threadsPerWorker: ctx.threads,
    trials: [failedTrial(0, error instanceof CellTimeoutError || (error instanceof Error && error.name === 'TimeoutError') ? 'timeout' : 'errored', errorMessage(error))],
  });
  const loop = cell.rate !== undefined ? 'open' : 'closed';
  const level = (loop === 'open' ? cell.rate : cell.concurrency) ?? 1;
  const batchSize = cell.batchSize ?? 1;
  const memory = cellMemoryOf(job, ctx.wasmHeapBytes);
  let fit: FitReply;
  try {
    fit = await fitFor(ctx, job, filename);
  } catch (error) {
    return failed(error);
  }

  const width = cell.workers;
  const queue = createQueue(width);
  const start = createBarrier();
  const serversAbort = new AbortController();
  setMaxListeners(LISTENERS_PER_CELL_SIGNAL, serversAbort.signal);
  let serverFailure: unknown;
  const servers = Array.from({ length: width }, (_, rank) => {
    const task: ServeTask = {
      kind: 'inference-serve',
      cellId: cell.id,
      ...cellTaskFields(plan, job, ctx.threads),
      weights: fit.weights,
      shapes: fit.shapes,
      batchSize,
      queue,
      rank,
      parties: width,
      start,
      timeoutMs: START_TIMEOUT_MS,
    };
    // Never rejects: a server's failure is recorded here and ends the level in progress (an unawaited
    // rejected promise would crash the process).
    return pool.run(task, { filename, signal: serversAbort.signal }).catch((error: unknown) => {
      serverFailure ??= error;
      stopQueue(queue, true);
      abortBarrier(start);
    });
  });

  let trials: TrialResult[] | undefined;
  let hung = false;
  try {
    const startSignal = AbortSignal.timeout(plan.cellTimeoutMs);
    try {
      await waitUntilReady(queue, width, () => serverFailure, startSignal);
    } catch (error) {
      return failed(error);
    }
    const drainMs = (durationMs: number) => Math.max(1000, durationMs);
    const durationMs = plan.inference?.durationMs ?? DEFAULT_LEVEL_MS;
    trials = await runRepetitions(
      plan,
      cell,
      onTrial,
      async (repetition, signal): Promise<TrialOutcome> => {
        const ms = repetition < 0 ? Math.min(durationMs, WARMUP_LEVEL_MS) : durationMs;
        const rss = new RssSampler();
        rss.start();
        const cpuStart = cpuNowUs();
        try {
          const outcome = await runLevel(queue, { loop, level, durationMs: ms, drainMs: drainMs(ms) }, () => serverFailure, signal);
          const serverTensorBytes = Array.from(queueViews(queue).tensorBytes.subarray(0, width));
          const peakTensorBytes = Math.max(0, ...serverTensorBytes);
          const workerTensorBytes = serverTensorBytes.reduce((sum, bytes) => sum + bytes, 0);
          const trial = levelTrial(outcome, { repetition, batchSize, cpuMs: (cpuNowUs() - cpuStart) / 1000, peakRssBytes: rss.stop(), peakTensorBytes, workerTensorBytes, fit });
          return trial.state === 'ok' ? { trial: memory.annotate(trial) } : { failed: trial };
        } catch (error) {
          rss.stop();
          return { failed: failureOf(signal, error, repetition) };
        }
      },
      () => {
        stopQueue(queue, true);
        serversAbort.abort(new CellTimeoutError(`cell exceeded --cell-timeout (${plan.cellTimeoutMs / 1000} s)`));
      },
    );
  } finally {
    stopQueue(queue);
    // A legitimately slow prediction (a big model, big requests) gets ten times the slowest answer seen.
    const slowest = Math.max(0, ...(trials ?? []).map((t) => t.latency?.max ?? 0));
    const stopped = await stopWithin(servers, Math.max(STOP_GRACE_MS, 10 * slowest));
    if (!stopped) {
      // A server stuck in a prediction never reads the stop flag: end its thread (piscina replaces it).
      serversAbort.abort(new Error('inference server did not stop'));
      await Promise.allSettled(servers);
    }
    hung = !stopped;
  }
  if (hung) {
    // Its levels were served by fewer servers than the cell claims: the numbers would mislead.
    trials = [failedTrial(0, 'errored', 'an inference server did not stop at the end of the cell (stuck in a prediction?); its thread was ended')];
  }
  return {
    model: fit.model,
    coldStartMs: ctx.coldStartMs,
    threadsPerWorker: fit.threads,
    trials,
    initialWeightsChecksum: fit.initialWeightsChecksum,
  };
}

/** Whether every promise settles within `ms`. */
async function stopWithin(promises: ReadonlyArray<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => true as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
