/**
 * Worker cold start per backend: from creating a piscina pool to every worker having loaded tfjs and
 * initialised its backend, the price a run pays once (the pool stays warm across cells). Each repetition
 * starts a fresh pool, exactly as the pool runner does, and splits the time into the worker's own
 * backend initialisation and the rest (thread start, module loading, messaging).
 *
 * Run: npx tsx benchmarks/coldstart.ts [backends] [width]   (needs `npm run build` for the worker)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import type { BackendName } from '../src/results/schema.js';
import { abortBarrier, createBarrier } from '../src/measure/barrier.js';
import type { InitReply, InitTask, InitUnavailableReply, WorkerTask } from '../src/measure/protocol.js';

export interface ColdStartOptions {
  /** Backends to time (default node, wasm, cpu; unavailable ones are reported, not failed). */
  backends?: BackendName[];
  /** Fresh pools per backend; the median is reported (default 3). */
  repeats?: number;
  /** Workers per pool (default 1). */
  width?: number;
}

export interface ColdStart {
  backend: BackendName;
  available: boolean;
  /** Why the backend could not start, when it is not available. */
  reason?: string;
  width: number;
  /** Median time from new pool to all workers ready, in ms; null when unavailable. */
  medianMs: number | null;
  /** Median time a worker spent initialising tfjs and the backend (inside the thread), in ms. */
  medianInitMs: number | null;
  /** Every repetition's total, in ms. */
  runsMs: number[];
}

export interface ColdStartBenchResult {
  width: number;
  backends: ColdStart[];
}

const BARRIER_TIMEOUT_MS = 60_000;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function builtWorker(): string {
  const file = fileURLToPath(new URL('../dist/measure/worker.js', import.meta.url));
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return file;
}

/** One fresh pool of `width` workers on `backend`: total ms and the workers' own init ms. */
async function coldStartOnce(filename: string, backend: BackendName, width: number): Promise<{ totalMs: number; initMs: number }> {
  const started = performance.now();
  const pool = new Piscina<WorkerTask, InitReply | InitUnavailableReply>({ filename, minThreads: width, maxThreads: width, idleTimeout: Number.MAX_SAFE_INTEGER });
  const barrier = createBarrier();
  const task: InitTask = { kind: 'init', backend, stockKernels: false, threads: 1, barrier, parties: width, barrierTimeoutMs: BARRIER_TIMEOUT_MS };
  try {
    const replies = await Promise.all(
      Array.from({ length: width }, () =>
        pool.run(task).catch((error: unknown) => {
          abortBarrier(barrier);
          throw error;
        }),
      ),
    );
    const totalMs = performance.now() - started;
    // A backend that is not installed answers with its reason instead of throwing (issue 20): it is unavailable.
    const unavailable = replies.find((reply): reply is InitUnavailableReply => reply.kind === 'init-unavailable');
    if (unavailable) throw new Error(unavailable.message);
    return { totalMs, initMs: Math.max(...replies.map((reply) => (reply as InitReply).initMs)) };
  } finally {
    await pool.destroy();
  }
}

export async function runColdStartBench(options: ColdStartOptions = {}): Promise<ColdStartBenchResult> {
  const filename = builtWorker();
  const width = options.width ?? 1;
  const repeats = options.repeats ?? 3;
  const backends: ColdStart[] = [];
  for (const backend of options.backends ?? (['node', 'wasm', 'cpu'] as const)) {
    const totals: number[] = [];
    const inits: number[] = [];
    let reason: string | undefined;
    for (let rep = 0; rep < repeats && reason === undefined; rep++) {
      try {
        const { totalMs, initMs } = await coldStartOnce(filename, backend, width);
        totals.push(totalMs);
        inits.push(initMs);
      } catch (error) {
        reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      }
    }
    backends.push({
      backend,
      available: reason === undefined,
      ...(reason !== undefined ? { reason } : {}),
      width,
      medianMs: reason === undefined ? median(totals) : null,
      medianInitMs: reason === undefined ? median(inits) : null,
      runsMs: totals,
    });
  }
  return { width, backends };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [names, width] = process.argv.slice(2);
  const result = await runColdStartBench({
    ...(names ? { backends: names.split(',') as BackendName[] } : {}),
    ...(width ? { width: Number(width) } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
}
