/**
 * The tfjs runner: runs cells on a piscina pool of worker threads, each training real tfjs models.
 * One pool, as wide as the widest cell, lives for the whole run: workers stay warm across cells
 * (backend initialised once, dataset tensors cached), and each cell is handed to its mode's host runner.
 */
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import type { BenchmarkPlan, CanaryWorkload, Cell } from '../results/schema.js';
import type { BackendFacts } from '../measure/environment.js';
import { abortBarrier, createBarrier } from '../measure/barrier.js';
import { workerModule } from '../measure/worker-file.js';
import type { CanaryProbe, CellJob, CellMeasurement, Runner, TrialProgress } from '../measure/runner.js';
import type { CalibrateReply, CanaryReply, InitReply, WorkerTask } from '../measure/protocol.js';
import { DEFAULT_CANARY_WORK } from '../backends/canary.js';
import { modes } from './index.js';

/** Workers normally reach the start line within milliseconds; this only bounds a broken worker. */
const BARRIER_TIMEOUT_MS = 60_000;
/** The pool's default module: backend initialisation and calibration (src/measure/worker.ts). */
const POOL_WORKER = new URL('../measure/worker.js', import.meta.url);
/** A canary reading costs ~10 ms per worker; at most one per width every 2 s keeps it under 1% of a sweep of short cells. */
const CANARY_WORKLOAD: CanaryWorkload = { ...DEFAULT_CANARY_WORK, intervalMs: 2000 };

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
      filename: workerModule(POOL_WORKER),
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

  readonly canary: CanaryProbe = {
    workload: CANARY_WORKLOAD,
    read: (cell: Cell) => this.readCanary(cell.workers),
  };

  /** The canary on `workers` of the pool's threads at once (a barrier puts each task on its own thread). */
  private async readCanary(workers: number): Promise<number[]> {
    const plan = this.plan;
    const pool = this.pool;
    if (!plan || !pool) throw new Error('PoolRunner canary read before start()');
    const barrier = createBarrier();
    const replies = (await Promise.all(
      Array.from({ length: workers }, () =>
        pool.run({
          kind: 'canary',
          backend: plan.backend,
          stockKernels: plan.stockKernels,
          threads: this.threads,
          size: CANARY_WORKLOAD.size,
          matmuls: CANARY_WORKLOAD.matmuls,
          barrier,
          parties: workers,
          barrierTimeoutMs: BARRIER_TIMEOUT_MS,
        }) as Promise<CanaryReply>,
      ),
    ).catch((error: unknown) => {
      abortBarrier(barrier);
      throw error;
    })) as CanaryReply[];
    return replies.map((reply) => reply.ms);
  }

  async runCell(job: CellJob, onTrial?: (progress: TrialProgress) => void): Promise<CellMeasurement> {
    const plan = this.plan;
    const pool = this.pool;
    if (!plan || !pool) throw new Error('PoolRunner.runCell called before start()');
    return modes[job.cell.mode].runCell({ pool: pool as ModeContextPool, plan, threads: this.threads, coldStartMs: this.coldStartMs }, job, onTrial);
  }

  rssBytes(): number {
    return process.memoryUsage.rss();
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.destroy();
  }
}

type ModeContextPool = Parameters<(typeof modes)['job-parallel']['runCell']>[0]['pool'];
