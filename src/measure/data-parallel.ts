/**
 * Data-parallel mode, main-thread side: w ranks on the pool's warm threads train ONE model with
 * synchronous gradient averaging (see worker-data-parallel.ts). Also the plumbing shared with the
 * inference mode: running a mode's own worker module on the same pool, the repetition loop with its
 * cell timeout, and the part of a cell's identity that the new modes add.
 */
import { median } from '../stats/descriptive.js';
import { CellTimeoutError, failedTrial, failureOf } from './failures.js';
import { workerModule } from './worker-file.js';
import { cellTaskFields, warmupSamples } from './runner.js';
import { trialTiming } from './trial-timing.js';
import type { Piscina } from 'piscina';
import type { BenchmarkPlan, Cell, DataParallelCellAnalysis, Mode, Scaling, TrialResult } from '../types.js';
import { UsageError, errorMessage } from '../errors.js';
import { abortBarrier, createBarrier } from './barrier.js';
import { abortExchange, createExchangeBuffer, type ReduceStrategy } from './allreduce.js';
import { RssSampler } from './memory.js';
import type { CellJob, CellMeasurement, TrialProgress } from './runner.js';
import type { DataParallelReply, DataParallelTask, DescribeReply, DescribeTask } from './worker-data-parallel.js';

/** What a mode needs from the pool runner: its warm pool and the run's settings. */
export interface ModeContext {
  /** The run's one pool, as wide as the widest cell; tasks name their own module via `filename`. */
  pool: Piscina<unknown, unknown>;
  plan: BenchmarkPlan;
  /** Backend compute threads per worker (1 when the pool is as wide as the cores). */
  threads: number;
  coldStartMs: number;
}

export const SCALINGS: readonly Scaling[] = ['strong', 'weak'];

/** Ranks normally meet within milliseconds; this only bounds a broken or descheduled worker. */
const EXCHANGE_TIMEOUT_MS = 60_000;
/**
 * 'replicated' (one barrier, every rank sums all w slots) and 'sliced' (two barriers, each rank sums
 * 1/w) measured alike on 2 cores for mlp-small's 6.5k values (about 50 µs per exchange, against
 * about 250 µs for messages relayed by the main thread, benchmarks/modes.ts); one barrier is the
 * simpler default, and summing w slots only costs more at widths beyond this machine.
 */
export const DEFAULT_REDUCE_STRATEGY: ReduceStrategy = 'replicated';

/**
 * The part of a cell's id beyond model, data set, size, width and mode: the data-parallel scaling,
 * or the inference batch size and load level. Empty for job-parallel cells, so their ids and
 * group keys stay as they were.
 */
export function modeVariant(cell: Pick<Cell, 'mode' | 'scaling' | 'batchSize' | 'concurrency' | 'rate'>): string {
  if (cell.mode === 'data-parallel') return cell.scaling ? `|${cell.scaling}` : '';
  if (cell.mode === 'inference') {
    const batch = cell.batchSize !== undefined ? `|b=${cell.batchSize}` : '';
    const load = cell.rate !== undefined ? `|r=${cell.rate}` : cell.concurrency !== undefined ? `|c=${cell.concurrency}` : '';
    return `${batch}${load}`;
  }
  return '';
}

/** The mode-specific run options (flags or config), as planBuild receives them. */
export interface ModeOptions {
  /** data-parallel scaling (default strong). */
  scaling?: Scaling;
  /** inference closed-loop levels: outstanding requests. */
  concurrency?: number[];
  /** inference open-loop levels: requests per second. */
  rate?: number[];
  /** inference rows per request. */
  batchSizes?: number[];
  /** inference seconds of load per level per repetition. */
  duration?: number;
  /** The quick profile: inference then runs fewer, shorter levels. */
  quick?: boolean;
}

export const DEFAULT_CONCURRENCY: readonly number[] = [1, 2, 4, 8];
export const DEFAULT_INFERENCE_BATCH_SIZES: readonly number[] = [1, 32];
/** Seconds of load per level: long enough for thousands of requests of the small models, short enough for a sweep. */
export const DEFAULT_LEVEL_SECONDS = 1;
/** --quick inference: two levels, one batch size, short levels. */
export const QUICK_CONCURRENCY: readonly number[] = [1, 4];
export const QUICK_INFERENCE_BATCH_SIZES: readonly number[] = [32];
export const QUICK_LEVEL_SECONDS = 0.25;

/**
 * Sizes when --sizes is not given. Inference speed does not depend on how many rows the model was
 * trained on, so it serves one model per model kind, trained on the profile's largest size.
 */
export function modeDefaultSizes(mode: Mode, profileSizes: readonly number[]): number[] {
  if (mode !== 'inference' || profileSizes.length === 0) return [...profileSizes];
  return [Math.max(...profileSizes)];
}
/** Must stay within the request queue's capacity (inference.ts). */
const MAX_CONCURRENCY = 4096;
const MAX_RATE = 1_000_000;
const MAX_REQUEST_ROWS = 65_536;

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function checkList(flag: string, values: readonly number[] | undefined, min: number, max: number, integer: boolean, example: string): void {
  if (values === undefined) return;
  if (values.length === 0) throw new UsageError(`${flag}: give at least one value, e.g. ${flag} ${example}`);
  for (const value of values) {
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new UsageError(`${flag}: ${value} is out of range; each value must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}, e.g. ${flag} ${example}`);
    }
  }
}

/** Rejects mode flags given to a mode they do not apply to, and values out of range; messages name the flag. */
export function checkModeOptions(mode: Mode, options: ModeOptions): void {
  if (options.scaling !== undefined && mode !== 'data-parallel') {
    throw new UsageError(`--scaling applies to --mode data-parallel only; add --mode data-parallel or drop --scaling`);
  }
  if (options.scaling !== undefined && !SCALINGS.includes(options.scaling)) {
    throw new UsageError(`--scaling: "${String(options.scaling)}" is not one of ${SCALINGS.join(', ')}`);
  }
  for (const [flag, given] of [['--concurrency', options.concurrency], ['--rate', options.rate], ['--batch-sizes', options.batchSizes], ['--duration', options.duration]] as const) {
    if (given !== undefined && mode !== 'inference') throw new UsageError(`${flag} applies to --mode inference only; add --mode inference or drop ${flag}`);
  }
  checkList('--concurrency', options.concurrency, 1, MAX_CONCURRENCY, true, '1,2,4,8');
  checkList('--rate', options.rate, 1e-3, MAX_RATE, false, '50,100,200');
  checkList('--batch-sizes', options.batchSizes, 1, MAX_REQUEST_ROWS, true, '1,32');
  if (options.duration !== undefined && !(options.duration >= 0.05 && options.duration <= 3600)) {
    throw new UsageError(`--duration: ${options.duration} is out of range; give seconds of load per level from 0.05 to 3600, e.g. --duration 2`);
  }
}

/** The mode fields each (model, size, width) point of the sweep expands into: one cell per entry. */
export function modeCellFields(mode: Mode, options: ModeOptions): Array<Pick<Cell, 'scaling' | 'batchSize' | 'concurrency' | 'rate'>> {
  if (mode === 'data-parallel') return [{ scaling: options.scaling ?? 'strong' }];
  if (mode !== 'inference') return [{}];
  const batchSizes = sortedUnique(options.batchSizes ?? (options.quick ? QUICK_INFERENCE_BATCH_SIZES : DEFAULT_INFERENCE_BATCH_SIZES));
  const concurrency = options.concurrency ?? (options.rate !== undefined ? [] : options.quick ? QUICK_CONCURRENCY : DEFAULT_CONCURRENCY);
  const fields: Array<Pick<Cell, 'batchSize' | 'concurrency' | 'rate'>> = [];
  for (const batchSize of batchSizes) {
    for (const c of sortedUnique(concurrency)) fields.push({ batchSize, concurrency: c });
    for (const r of sortedUnique(options.rate ?? [])) fields.push({ batchSize, rate: r });
  }
  return fields;
}

/** Plan-wide settings of the mode (the inference load generator's level duration). */
export function modePlanFields(mode: Mode, options: ModeOptions): Pick<BenchmarkPlan, 'inference'> {
  if (mode !== 'inference') return {};
  return { inference: { durationMs: Math.round((options.duration ?? (options.quick ? QUICK_LEVEL_SECONDS : DEFAULT_LEVEL_SECONDS)) * 1000) } };
}

/** Rows per step over all ranks: the configured batch (strong scaling) or that many per rank (weak). */
export function globalBatchSize(batchSize: number, workers: number, scaling: Scaling): number {
  return scaling === 'weak' ? batchSize * workers : batchSize;
}


export { CellTimeoutError, failedTrial, failureOf, workerModule as modeWorkerFile };

export type TrialOutcome = { trial: TrialResult } | { failed: TrialResult };

/**
 * Warm-ups then counted repetitions under the cell's deadline; stops at the first failure (a cell
 * that failed once fails again). Returns the counted trials (a failed warm-up is recorded as repetition 0).
 */
export async function runRepetitions(
  plan: BenchmarkPlan,
  cell: Cell,
  onTrial: ((progress: TrialProgress) => void) | undefined,
  trial: (repetition: number, signal: AbortSignal) => Promise<TrialOutcome>,
  onTimeout?: () => void,
): Promise<TrialResult[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new CellTimeoutError(`cell exceeded --cell-timeout (${plan.cellTimeoutMs / 1000} s)`));
    onTimeout?.();
  }, plan.cellTimeoutMs);
  timer.unref();
  const trials: TrialResult[] = [];
  try {
    for (let repetition = -plan.warmup; repetition < plan.repeats; repetition++) {
      onTrial?.({ cell, repetition });
      const outcome = await trial(repetition, controller.signal);
      if ('failed' in outcome) {
        trials.push({ ...outcome.failed, repetition: Math.max(0, repetition) });
        break;
      }
      if (repetition >= 0) trials.push(outcome.trial);
    }
  } finally {
    clearTimeout(timer);
  }
  return trials;
}


/** One trial's measurements from the replies of all ranks (pure; exported for tests). */
export function aggregateDataParallel(replies: readonly DataParallelReply[], repetition: number, peakRssBytes: number): TrialResult {
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
  };
}

/** Exchange beside compute per step, and the replicas' agreement, over a cell's ok repetitions (pure). */
export function dataParallelCellAnalysis(trials: readonly TrialResult[]): DataParallelCellAnalysis {
  const ok = trials.filter((t) => t.state === 'ok' && t.steps !== undefined && t.steps > 0);
  const perStep = (key: 'exchangeMs' | 'computeMs'): number | null => {
    const values = ok.flatMap((t) => (t[key] !== undefined ? [(t[key] as number) / (t.steps as number)] : []));
    return values.length > 0 ? median(values) : null;
  };
  const exchange = perStep('exchangeMs');
  const compute = perStep('computeMs');
  const diffs = ok.flatMap((t) => (t.replicaMaxDiff !== undefined ? [t.replicaMaxDiff] : []));
  return {
    exchangeMsPerStep: exchange,
    computeMsPerStep: compute,
    exchangeShare: exchange !== null && compute !== null && exchange + compute > 0 ? exchange / (exchange + compute) : null,
    replicaMaxDiff: diffs.length > 0 ? Math.max(...diffs) : null,
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
  const filename = workerModule('worker-data-parallel');
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
  const trials = await runRepetitions(plan, cell, onTrial, async (repetition, signal) => {
    const start = createBarrier();
    const exchange = createExchangeBuffer(width, exchangeLength);
    const base: Omit<DataParallelTask, 'rank'> = {
      kind: 'dp-train',
      cellId: cell.id,
      ...cellTaskFields(plan, job, threads),
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
          abortBarrier(start);
          throw error;
        }) as Promise<DataParallelReply>;
      }),
    );
    const peakRssBytes = rss.stop();
    const rejected = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
    if (rejected) return { failed: failureOf(signal, primaryFailure(settled), repetition) };
    const replies = settled.map((entry) => (entry as PromiseFulfilledResult<DataParallelReply>).value);
    return { trial: aggregateDataParallel(replies, repetition, peakRssBytes) };
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

