/**
 * Runs cells on a piscina pool of worker threads, each training real tfjs models.
 * One pool, as wide as the widest cell, lives for the whole run: workers stay warm across cells
 * (backend initialised once, dataset tensors cached), and a cell of width w dispatches exactly w tasks
 * that meet at a barrier, so they land on w different idle threads and start together.
 */
import { median } from '../stats/descriptive.js';
import { CellTimeoutError, failureOf } from './failures.js';
import { workerModule } from './worker-file.js';
import { cellTaskFields, warmupSamples } from './runner.js';
import { trialTiming } from './trial-timing.js';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import type { BenchmarkPlan, ModelInfo, TrialResult } from '../types.js';
import type { BackendFacts } from '../environment.js';
import { abortBarrier, createBarrier } from './barrier.js';
import { RssSampler } from './memory.js';
import type { CellJob, CellMeasurement, Runner, TrialProgress } from './runner.js';
import type { CalibrateReply, InitReply, TrainReply, TrainTask, WorkerTask } from './protocol.js';
import { runDataParallelCell } from './data-parallel.js';
import { runInferenceCell } from './inference.js';

/** Workers normally reach the start line within milliseconds; this only bounds a broken worker. */
const BARRIER_TIMEOUT_MS = 60_000;


export class PoolRunner implements Runner {
  readonly kind = 'tfjs' as const;
  private pool: Piscina<WorkerTask, unknown> | undefined;
  private plan: BenchmarkPlan | undefined;
  private threads = 1;
  private coldStartMs = 0;

  async start(plan: BenchmarkPlan): Promise<BackendFacts> {
    this.plan = plan;
    const width = Math.max(...plan.cells.map((cell) => cell.workers));
    // Never more backend threads than cores in total: wasm is single-threaded in Node 20 anyway.
    this.threads = Math.max(1, Math.floor(plan.cores / width));
    const started = performance.now();
    this.pool = new Piscina({
      filename: workerModule('worker'),
      minThreads: width,
      maxThreads: width,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: 1,
    });
    const barrier = createBarrier();
    const replies = (await Promise.all(
      Array.from({ length: width }, () =>
        this.pool!.run({
          kind: 'init',
          backend: plan.backend,
          stockKernels: plan.stockKernels,
          threads: this.threads,
          barrier,
          parties: width,
          barrierTimeoutMs: BARRIER_TIMEOUT_MS,
        }),
      ),
    ).catch((error: unknown) => {
      abortBarrier(barrier);
      throw error;
    })) as InitReply[];
    this.coldStartMs = performance.now() - started;
    const info = replies[0]!.backend;
    const calibration = (await this.pool.run({
      kind: 'calibrate',
      backend: plan.backend,
      stockKernels: plan.stockKernels,
      threads: this.threads,
    })) as CalibrateReply;
    return {
      runner: 'tfjs',
      backend: info.name,
      tfjsVersion: info.tfjsVersion,
      backendVersion: info.backendVersion,
      ...(info.wasmSimd !== undefined ? { wasmSimd: info.wasmSimd } : {}),
      kernelPatches: info.kernelPatches,
      peakFlopsPerSec: calibration.peakFlopsPerSec,
    };
  }

  async runCell(job: CellJob, onTrial?: (progress: TrialProgress) => void): Promise<CellMeasurement> {
    const plan = this.plan;
    const pool = this.pool;
    if (!plan || !pool) throw new Error('PoolRunner.runCell called before start()');
    // The other modes run their own worker modules on this same warm pool.
    const context = { pool, plan, threads: this.threads, coldStartMs: this.coldStartMs };
    if (job.cell.mode === 'data-parallel') return runDataParallelCell(context, job, onTrial);
    if (job.cell.mode === 'inference') return runInferenceCell(context, job, onTrial);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new CellTimeoutError(`cell exceeded --cell-timeout (${plan.cellTimeoutMs / 1000} s)`)), plan.cellTimeoutMs);
    timer.unref();
    const trials: TrialResult[] = [];
    let model: ModelInfo | undefined;
    let initialWeightsChecksum: string | undefined;
    try {
      for (let repetition = -plan.warmup; repetition < plan.repeats; repetition++) {
        onTrial?.({ cell: job.cell, repetition });
        const outcome = await this.runTrial(job, repetition, controller.signal);
        if ('failed' in outcome) {
          if (repetition >= 0) trials.push(outcome.failed);
          else trials.push({ ...outcome.failed, repetition: 0 });
          // A cell that failed once will fail again; move on instead of burning its timeout per repetition.
          break;
        }
        model = outcome.model;
        initialWeightsChecksum = outcome.initialWeightsChecksum;
        if (repetition >= 0) trials.push(outcome.trial);
      }
    } finally {
      clearTimeout(timer);
    }
    return {
      model: model ?? { name: job.cell.model, params: 0, forwardFlopsPerSample: 0, trainFlopsPerSample: 0 },
      coldStartMs: this.coldStartMs,
      threadsPerWorker: this.threads,
      trials,
      ...(initialWeightsChecksum ? { initialWeightsChecksum } : {}),
    };
  }

  private async runTrial(
    job: CellJob,
    repetition: number,
    signal: AbortSignal,
  ): Promise<{ trial: TrialResult; model: ModelInfo; initialWeightsChecksum: string } | { failed: TrialResult }> {
    const plan = this.plan!;
    const pool = this.pool!;
    const width = job.cell.workers;
    const barrier = createBarrier();
    const task: TrainTask = {
      kind: 'train',
      cellId: job.cell.id,
      ...cellTaskFields(plan, job, this.threads),
      dataKey: job.dataKey,
      epochs: plan.training.epochs,
      batchSize: plan.training.batchSize,
      learningRate: plan.training.learningRate,
      ...(repetition < 0 ? { maxSamples: warmupSamples(job.nTrain, plan.training.batchSize) } : {}),
      barrier,
      parties: width,
      barrierTimeoutMs: BARRIER_TIMEOUT_MS,
    };
    const rss = new RssSampler();
    rss.start();
    const settled = await Promise.allSettled(
      Array.from({ length: width }, () =>
        pool.run(task, { signal }).catch((error: unknown) => {
          // Release the others from the start line instead of letting them wait for a dead peer.
          abortBarrier(barrier);
          throw error;
        }),
      ),
    );
    const peakRssBytes = rss.stop();
    const rejected = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
    if (rejected) {
      return { failed: failureOf(signal, rejected.reason, repetition) };
    }
    const replies = settled.map((entry) => (entry as PromiseFulfilledResult<unknown>).value as TrainReply);
    const samples = replies.reduce((sum, reply) => sum + reply.samples, 0);
    const quality = replies[0]!.quality;
    return {
      model: replies[0]!.model,
      initialWeightsChecksum: replies[0]!.initialWeightsChecksum,
      trial: {
        repetition: Math.max(0, repetition),
        state: 'ok',
        ...trialTiming(replies, samples, peakRssBytes),
        finalLoss: median(replies.map((reply) => reply.finalLoss)),
        quality: { metric: quality.metric, value: median(replies.map((reply) => reply.quality.value)) },
      },
    };
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.destroy();
  }
}
