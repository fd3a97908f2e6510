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
import type { CalibrateReply, CanaryReply, InitReply, InitUnavailableReply, WorkerTask } from '../measure/protocol.js';
import { BackendUnavailableError } from '../backends/index.js';
import { DEFAULT_CANARY_WORK } from '../backends/canary.js';
import { createHeapRegistry, totalHeapBytes } from '../measure/wasm-heap.js';
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
  /** Compute threads each worker's backend runs: asked for at init, then what the backend reports. */
  private threads = 1;
  private coldStartMs = 0;
  /** Where the workers publish their wasm heap sizes (measure/wasm-heap.ts). */
  private readonly wasmHeaps = createHeapRegistry();

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
      workerData: { wasmHeaps: this.wasmHeaps },
    });
    const barrier = createBarrier();
    const settled = await Promise.allSettled(
      Array.from({ length: width }, () =>
        (this.pool!.run({
          kind: 'init',
          backend: plan.backend,
          stockKernels: plan.stockKernels,
          threads: this.threads,
          barrier,
          parties: width,
          barrierTimeoutMs: BARRIER_TIMEOUT_MS,
        }) as Promise<InitReply | InitUnavailableReply>).catch((error: unknown) => {
          abortBarrier(barrier);
          throw error;
        }),
      ),
    );
    const replies = initReplies(settled);
    this.coldStartMs = performance.now() - started;
    const info = replies[0]!.backend;
    // Record the threads that run, not those asked for: wasm and cpu run one thread in Node whatever
    // is asked (results said 2 at width 1 on 2 cores while wasm ran 1).
    this.threads = info.threads;
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
    const wasmHeapBytes = (): number => totalHeapBytes(this.wasmHeaps);
    return modes[job.cell.mode].runCell({ pool: pool as ModeContextPool, plan, threads: this.threads, coldStartMs: this.coldStartMs, wasmHeapBytes }, job, onTrial);
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

/**
 * The workers' init replies, or the error that stops the run: a backend that cannot start is a
 * BackendUnavailableError (a usage error naming --backend), rebuilt here from the worker's reply
 * because an error's type does not cross the thread boundary; it wins over the peers' aborted waits.
 */
export function initReplies(settled: ReadonlyArray<PromiseSettledResult<InitReply | InitUnavailableReply>>): InitReply[] {
  for (const entry of settled) {
    if (entry.status === 'fulfilled' && entry.value.kind === 'init-unavailable') throw new BackendUnavailableError(entry.value.message);
  }
  const rejected = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
  if (rejected) throw rejected.reason;
  return settled.map((entry) => (entry as PromiseFulfilledResult<InitReply>).value);
}

type ModeContextPool = Parameters<(typeof modes)['job-parallel']['runCell']>[0]['pool'];
