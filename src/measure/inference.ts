/**
 * Inference mode, main-thread side: a trained model served by w workers (worker-inference.ts)
 * under a closed-loop load (C requests always outstanding) or an open-loop load (R requests per
 * second on a fixed schedule, whatever the answers), recording every request's latency.
 *
 * Requests travel through a queue in shared memory (layout below): the load generator appends
 * request ids, the w servers take them in order, and each answer is published in the request's
 * state slot and counted, which wakes the generator (Atomics.waitAsync). Latency is what a client
 * sees: from sending (in the open loop, from the scheduled send time, so a late generator cannot
 * hide queueing) to the generator observing the answer. The generator runs on the main thread: at
 * a width equal to the cores it shares a core with a server, as a client on the same machine would.
 *
 * Also the pure analysis of inference cells: latency percentiles, the knee, and the load sweeps.
 */
import { cpuNowUs } from './clock.js';
import { median } from '../stats/descriptive.js';
import { performance } from 'node:perf_hooks';
import { quantileSorted } from 'simple-statistics';
import type { CellAnalysis, InferenceCellAnalysis, InferenceSweep, LatencySummary, TrialResult } from '../types.js';
import { errorMessage } from '../errors.js';
import { abortBarrier, createBarrier } from './barrier.js';
import { RssSampler } from './memory.js';
import type { CellJob, CellMeasurement, TrialProgress } from './runner.js';
import { cellTaskFields } from './runner.js';
import { CellTimeoutError, DEFAULT_LEVEL_SECONDS, failedTrial, failureOf, modeWorkerFile, runRepetitions, type ModeContext, type TrialOutcome } from './data-parallel.js';
import type { FitReply, FitTask, ServeTask } from './worker-inference.js';

// ---------------------------------------------------------------------------------------------
// The request queue in shared memory
// ---------------------------------------------------------------------------------------------

/**
 * Control slots (Int32). TAIL: requests sent; HEAD: next request to take; STOP: servers return;
 * ABORTED: servers throw; COMPLETED: answers published; READY: servers warmed up; CANCEL_BELOW:
 * requests below this id were given up on and are answered as failed without predicting.
 */
export const QUEUE = { TAIL: 0, HEAD: 1, STOP: 2, ABORTED: 3, COMPLETED: 4, READY: 5, CANCEL_BELOW: 6, CAPACITY: 7 } as const;
const CONTROL_INTS = 8;

/** Requests that may be outstanding at once; more are refused and counted as errors. A power of two keeps the regions aligned. */
export const QUEUE_CAPACITY = 1 << 16;

export interface QueueViews {
  control: Int32Array;
  /** Per request slot (id % capacity): id + 1 once answered, -(id + 1) once failed; anything else = pending. */
  state: Int32Array;
  /** Tensor bytes each server holds after loading the model and warming up. */
  tensorBytes: Float64Array;
  capacity: number;
}

export function createQueue(parties: number, capacity = QUEUE_CAPACITY): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity % 2 !== 0) throw new RangeError(`queue capacity must be an even whole number, got ${String(capacity)}`);
  const buffer = new SharedArrayBuffer(CONTROL_INTS * 4 + capacity * 4 + parties * 8);
  // Stored in the buffer, so the servers need no extra argument.
  new Int32Array(buffer, 0, CONTROL_INTS)[QUEUE.CAPACITY] = capacity;
  return buffer;
}

export function queueViews(buffer: SharedArrayBuffer): QueueViews {
  const control = new Int32Array(buffer, 0, CONTROL_INTS);
  const capacity = control[QUEUE.CAPACITY]!;
  const state = new Int32Array(buffer, CONTROL_INTS * 4, capacity);
  const tensorOffset = CONTROL_INTS * 4 + capacity * 4;
  const tensorBytes = new Float64Array(buffer, tensorOffset, Math.floor((buffer.byteLength - tensorOffset) / 8));
  return { control, state, tensorBytes, capacity };
}

/** Stops every server; they return after their current request. */
export function stopQueue(buffer: SharedArrayBuffer, aborted = false): void {
  const { control } = queueViews(buffer);
  Atomics.store(control, aborted ? QUEUE.ABORTED : QUEUE.STOP, 1);
  Atomics.notify(control, QUEUE.TAIL);
  Atomics.notify(control, QUEUE.READY);
}

/**
 * The input rows of request `id`: `batchSize` consecutive held-out rows (wrapping around), so
 * requests predict on data the model has not trained on, and neighbouring requests differ.
 */
export function requestRows(x: Float32Array, features: number, nTrain: number, nTest: number, batchSize: number, id: number, out: Float32Array): void {
  if (nTest < 1) throw new RangeError('requests are drawn from the held-out rows, and there are none: raise the size or the test fraction');
  let row = (id * batchSize) % nTest;
  for (let k = 0; k < batchSize; k++) {
    const from = (nTrain + row) * features;
    out.set(x.subarray(from, from + features), k * features);
    row = row + 1 === nTest ? 0 : row + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// The load generator
// ---------------------------------------------------------------------------------------------

export interface LoadLevel {
  /** closed: keep `level` requests outstanding; open: send `level` requests per second. */
  loop: 'closed' | 'open';
  level: number;
  /** Milliseconds during which requests are sent. */
  durationMs: number;
  /** After the sending stops, outstanding requests get this long to be answered; the rest count as errors. */
  drainMs: number;
}

export interface LevelOutcome {
  /** Requests sent (refused ones included). */
  requests: number;
  /** Requests answered successfully. */
  answered: number;
  /** Failed, refused (queue full) or unanswered by the drain deadline. */
  errors: number;
  /** Latency of each answered request, in ms. */
  latencies: number[];
  /** From the first send to the last answer (or to the end of sending when nothing was answered), in ms. */
  elapsedMs: number;
}

/** Longest the generator sleeps between checks of the servers' health and the cell's deadline. */
const POLL_MS = 50;

type WaitAsync = (array: Int32Array, index: number, value: number, timeoutMs?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Resolves when control[index] differs from `value` or after `timeoutMs` (polling where waitAsync is missing). */
async function waitForChange(control: Int32Array, index: number, value: number, timeoutMs: number): Promise<void> {
  if (timeoutMs <= 0 || Atomics.load(control, index) !== value) return;
  if (waitAsync) {
    const outcome = waitAsync(control, index, value, timeoutMs);
    if (outcome.async) await outcome.value;
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 1)));
}

/**
 * Runs one load level against the servers on `queue` and returns what the clients saw.
 * `failure()` reports a server that died, which ends the level with that error.
 */
export async function runLevel(queue: SharedArrayBuffer, level: LoadLevel, failure: () => unknown, signal?: AbortSignal): Promise<LevelOutcome> {
  if (!(level.level > 0) || !Number.isFinite(level.level)) throw new RangeError(`load level must be a positive number, got ${String(level.level)}`);
  const q = queueViews(queue);
  const { control, state, capacity } = q;
  const outstanding = new Map<number, number>();
  const latencies: number[] = [];
  let nextId = Atomics.load(control, QUEUE.TAIL);
  let requests = 0;
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + level.durationMs;
  const drainEnd = end + level.drainMs;
  let lastAnswer = t0;

  const send = (at: number): void => {
    requests++;
    if (outstanding.size >= capacity) {
      errors++;
      return;
    }
    outstanding.set(nextId++, at);
    Atomics.add(control, QUEUE.TAIL, 1);
    Atomics.notify(control, QUEUE.TAIL, 1);
  };
  /** Collects answers observed now; returns how many arrived. */
  const collect = (now: number): number => {
    let arrived = 0;
    for (const [id, at] of outstanding) {
      const s = Atomics.load(state, id % capacity);
      if (s === id + 1) {
        latencies.push(now - at);
        lastAnswer = now;
      } else if (s === -(id + 1)) {
        errors++;
      } else continue;
      outstanding.delete(id);
      arrived++;
    }
    return arrived;
  };

  const closed = level.loop === 'closed';
  const interval = closed ? 0 : 1000 / level.level;
  let scheduled = 0;
  let nextSend = t0;
  if (closed) for (let i = 0; i < level.level; i++) send(t0);
  let seen = Atomics.load(control, QUEUE.COMPLETED);
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const died = failure();
      if (died !== undefined) throw died;
      const now = performance.now();
      const arrived = collect(now);
      const sending = now < end;
      if (closed) {
        if (sending) for (let i = 0; i < arrived; i++) send(now);
      } else {
        // Send everything due: a late timer sends a burst, stamped with the times it should have gone.
        while (nextSend <= now && nextSend < end) {
          send(nextSend);
          scheduled++;
          nextSend = t0 + scheduled * interval;
        }
      }
      const stillSending = closed ? sending : nextSend < end;
      if (!stillSending) {
        if (outstanding.size === 0) break;
        if (now >= drainEnd) {
          errors += outstanding.size;
          break;
        }
      }
      const wakeAt = stillSending ? (closed ? end : nextSend) : drainEnd;
      // Capped, so a server that died or a cell that timed out is noticed without answers arriving.
      await waitForChange(control, QUEUE.COMPLETED, seen, Math.min(POLL_MS, Math.max(0, wakeAt - performance.now())));
      seen = Atomics.load(control, QUEUE.COMPLETED);
    }
  } finally {
    // Whatever is still queued belongs to this level; the servers skip it instead of delaying the next.
    Atomics.store(control, QUEUE.CANCEL_BELOW, nextId);
  }
  const elapsedMs = latencies.length > 0 ? lastAnswer - t0 : Math.max(level.durationMs, performance.now() - t0);
  return { requests, answered: latencies.length, errors, latencies, elapsedMs: Math.max(elapsedMs, 1e-3) };
}

// ---------------------------------------------------------------------------------------------
// Pure analysis
// ---------------------------------------------------------------------------------------------

/** p50/p95/p99 (type 7 quantiles), max and mean of latencies in ms; null for none. */
export function latencySummary(latencies: readonly number[]): LatencySummary | null {
  const finite = latencies.filter(Number.isFinite);
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  return {
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
  };
}

export const KNEE_LATENCY_GROWTH = 1.5;
export const KNEE_THROUGHPUT_GROWTH = 1.2;
export const KNEE_RULE = `first level whose p95 latency is more than ${KNEE_LATENCY_GROWTH}x the previous level's while throughput grows less than ${KNEE_THROUGHPUT_GROWTH}x`;

/**
 * The load level where latency starts to climb: the first level (in increasing order) whose p95 is
 * more than 1.5x the previous level's while its throughput is less than 1.2x the previous level's
 * (more load buys queueing, not answers). null when no level qualifies or fewer than 2 have latencies.
 */
export function findKnee(
  points: ReadonlyArray<{ level: number; throughput: number; p95: number | null }>,
  latencyGrowth = KNEE_LATENCY_GROWTH,
  throughputGrowth = KNEE_THROUGHPUT_GROWTH,
): number | null {
  const measured = points
    .filter((p): p is { level: number; throughput: number; p95: number } => p.p95 !== null && Number.isFinite(p.p95) && Number.isFinite(p.throughput))
    .sort((a, b) => a.level - b.level);
  for (let i = 1; i < measured.length; i++) {
    const before = measured[i - 1]!;
    const point = measured[i]!;
    if (!(before.p95 > 0) || !(before.throughput > 0)) continue;
    if (point.p95 > latencyGrowth * before.p95 && point.throughput < throughputGrowth * before.throughput) return point.level;
  }
  return null;
}


/** Latency (median over ok repetitions of each statistic), errors and requests of one inference cell. */
export function inferenceCellAnalysis(trials: readonly TrialResult[]): InferenceCellAnalysis {
  const ok = trials.filter((t) => t.state === 'ok');
  const withLatency = ok.flatMap((t) => (t.latency ? [t.latency] : []));
  const pick = (key: keyof LatencySummary): number => median(withLatency.map((l) => l[key]));
  return {
    latency: withLatency.length === 0 ? null : { p50: pick('p50'), p95: pick('p95'), p99: pick('p99'), max: pick('max'), mean: pick('mean') },
    errors: ok.reduce((sum, t) => sum + (t.errors ?? 0), 0),
    requests: ok.reduce((sum, t) => sum + (t.requests ?? 0), 0),
  };
}

/** Throughput and latency against load level, per (model, dataset, size, width, batch size, loop), with the knee. */
export function inferenceSweeps(cells: readonly CellAnalysis[]): InferenceSweep[] {
  const groups = new Map<string, CellAnalysis[]>();
  for (const c of cells) {
    const { cell } = c;
    if (cell.mode !== 'inference' || (cell.concurrency === undefined && cell.rate === undefined)) continue;
    const loop = cell.rate !== undefined ? 'open' : 'closed';
    const key = `${cell.model}|${cell.dataset}|n=${cell.size}|w=${cell.workers}|inference|b=${cell.batchSize ?? 1}|${loop}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const sweeps: InferenceSweep[] = [];
  for (const [key, group] of groups) {
    const { cell } = group[0]!;
    const loop = cell.rate !== undefined ? 'open' : 'closed';
    const points = group
      .filter((c) => c.samplesPerSec !== null)
      .map((c) => ({
        level: (loop === 'open' ? c.cell.rate : c.cell.concurrency) ?? 0,
        throughput: c.samplesPerSec?.median ?? 0,
        latency: c.inference?.latency ?? null,
        errors: c.inference?.errors ?? 0,
        requests: c.inference?.requests ?? 0,
      }))
      .sort((a, b) => a.level - b.level);
    sweeps.push({
      key,
      model: cell.model,
      dataset: cell.dataset,
      size: cell.size,
      workers: cell.workers,
      batchSize: cell.batchSize ?? 1,
      loop,
      points,
      knee: findKnee(points.map((p) => ({ level: p.level, throughput: p.throughput, p95: p.latency?.p95 ?? null }))),
      kneeRule: KNEE_RULE,
    });
  }
  return sweeps;
}

// ---------------------------------------------------------------------------------------------
// The cell
// ---------------------------------------------------------------------------------------------

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

/** One level's TrialResult from what the clients saw (pure; exported for tests). */
export function levelTrial(
  outcome: LevelOutcome,
  context: { repetition: number; batchSize: number; cpuMs: number; peakRssBytes: number; peakTensorBytes: number; fit: Pick<FitReply, 'finalLoss' | 'quality'> },
): TrialResult {
  const latency = latencySummary(outcome.latencies);
  const samples = outcome.answered * context.batchSize;
  return {
    repetition: Math.max(0, context.repetition),
    state: outcome.answered > 0 ? 'ok' : 'errored',
    ...(outcome.answered > 0 ? {} : { error: `no request was answered (${outcome.errors} of ${outcome.requests} failed or timed out)` }),
    wallMs: outcome.elapsedMs,
    samplesPerSec: (samples / outcome.elapsedMs) * 1000,
    samples,
    cpuMs: context.cpuMs,
    peakRssBytes: context.peakRssBytes,
    peakTensorBytes: context.peakTensorBytes,
    finalLoss: context.fit.finalLoss,
    quality: context.fit.quality,
    ...(latency ? { latency } : {}),
    requests: outcome.requests,
    errors: outcome.errors,
  };
}


/**
 * Runs one inference cell: train the model once (cached across the cell's load levels), start
 * `workers` servers on the pool, then run each repetition as one load level and stop the servers.
 */
export async function runInferenceCell(ctx: ModeContext, job: CellJob, onTrial?: (progress: TrialProgress) => void): Promise<CellMeasurement> {
  const { plan, pool } = ctx;
  const { cell } = job;
  const filename = modeWorkerFile('worker-inference');
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
          const peakTensorBytes = Math.max(0, ...Array.from(queueViews(queue).tensorBytes.subarray(0, width)));
          const trial = levelTrial(outcome, { repetition, batchSize, cpuMs: (cpuNowUs() - cpuStart) / 1000, peakRssBytes: rss.stop(), peakTensorBytes, fit });
          return trial.state === 'ok' ? { trial } : { failed: trial };
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
