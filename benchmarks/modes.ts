/**
 * Benchmarks of the data-parallel and inference modes.
 *  1. exchange: the gradient allreduce alone (no tfjs), per step, for the two shared-memory
 *     strategies and for messages relayed through the main thread; this chose the default strategy.
 *  2. data-parallel: one model trained by w = 1..cores workers (strong scaling): speedup, and the
 *     exchange and compute time per step.
 *  3. inference: closed-loop load at rising concurrency on w = 1..cores servers: predictions/s,
 *     p50/p95 latency and the knee.
 * Needs the built workers (`npm run build`). Run: npx tsx benchmarks/modes.ts [--quick]
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { buildPlan } from '../src/plan/build.js';
import { runPlan } from '../src/measure/scheduler.js';
import { PoolRunner } from '../src/modes/pool-runner.js';
import { workerModule } from '../src/measure/worker-file.js';
import { DATA_PARALLEL_WORKER, runDataParallelCell } from '../src/modes/data-parallel/host.js';
import { generate } from '../src/data/generators/index.js';
import { heldOutRows } from '../src/data/rows.js';
import { analyse } from '../src/analyse/index.js';
import { createExchangeBuffer, type ReduceStrategy } from '../src/measure/allreduce.js';

export interface ExchangeTiming {
  method: ReduceStrategy | 'messages';
  /** Shared-memory methods: whether ranks busy-poll before sleeping at a barrier. */
  spin: boolean;
  parties: number;
  /** float32 values exchanged per rank per step. */
  length: number;
  /** Median microseconds per step (write, exchange, read back the sum) over ranks. */
  usPerStep: number;
}

const ALLREDUCE_MODULE = new URL('../dist/measure/allreduce.js', import.meta.url).href;

/** Shared-memory allreduce: `steps` exchanges of `length` values among `parties` threads. */
function sharedExchange(strategy: ReduceStrategy, spin: boolean, parties: number, length: number, steps: number): Promise<number> {
  const buffer = createExchangeBuffer(parties, length);
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.module).then(({ SharedAllreduce }) => {
      const { buffer, parties, length, rank, steps, strategy, spin } = workerData;
      const ex = new SharedAllreduce(buffer, parties, length, rank, { strategy, timeoutMs: 60000, spin });
      const grads = new Float32Array(length).fill(rank + 1);
      ex.input.set(grads); ex.allreduce();
      const started = performance.now();
      let check = 0;
      for (let step = 0; step < steps; step++) { ex.input.set(grads); check += ex.allreduce()[0]; }
      parentPort.postMessage({ us: ((performance.now() - started) * 1000) / steps, check });
    });`;
  return Promise.all(
    Array.from({ length: parties }, (_, rank) =>
      new Promise<number>((resolve, reject) => {
        const worker = new Worker(code, { eval: true, workerData: { module: ALLREDUCE_MODULE, buffer, parties, length, rank, steps, strategy, spin } });
        worker.once('message', (m: { us: number }) => {
          resolve(m.us);
          void worker.terminate();
        });
        worker.once('error', reject);
      }),
    ),
  ).then(median);
}

/** The message alternative: every rank posts its gradients to the main thread, which sums them and posts the sum back. */
function messageExchange(parties: number, length: number, steps: number): Promise<number> {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { length, rank, steps } = workerData;
    const grads = new Float32Array(length).fill(rank + 1);
    let step = -1; let started = 0;
    const send = () => { const copy = grads.slice(); parentPort.postMessage({ grads: copy }, [copy.buffer]); };
    parentPort.on('message', () => {
      step++;
      if (step === 0) started = performance.now();
      if (step === steps) { parentPort.postMessage({ us: ((performance.now() - started) * 1000) / steps }); return; }
      send();
    });
    send();`;
  const workers = Array.from({ length: parties }, (_, rank) => new Worker(code, { eval: true, workerData: { length, rank, steps } }));
  return new Promise<number>((resolve, reject) => {
    let pending: Float32Array[] = [];
    const timings: number[] = [];
    for (const worker of workers) {
      worker.once('error', reject);
      worker.on('message', (m: { grads?: Float32Array; us?: number }) => {
        if (m.us !== undefined) {
          timings.push(m.us);
          if (timings.length === parties) {
            for (const w of workers) void w.terminate();
            resolve(median(timings));
          }
          return;
        }
        pending.push(m.grads!);
        if (pending.length < parties) return;
        const sum = new Float32Array(length);
        for (const g of pending) for (let i = 0; i < length; i++) sum[i] = sum[i]! + g[i]!;
        pending = [];
        for (const w of workers) w.postMessage(sum);
      });
    }
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchExchange(widths: number[], lengths: number[], steps: number): Promise<ExchangeTiming[]> {
  const out: ExchangeTiming[] = [];
  for (const length of lengths) {
    for (const parties of widths) {
      for (const method of ['replicated', 'sliced'] as const) {
        for (const spin of [true, false]) out.push({ method, spin, parties, length, usPerStep: await sharedExchange(method, spin, parties, length, steps) });
      }
      out.push({ method: 'messages', spin: false, parties, length, usPerStep: await messageExchange(parties, length, steps) });
    }
  }
  return out;
}

export interface DataParallelTiming {
  model: string;
  size: number;
  workers: number;
  strategy: ReduceStrategy;
  wallMs: number;
  speedup: number | null;
  exchangeMsPerStep: number;
  computeMsPerStep: number;
  replicaMaxDiff: number;
  quality: number;
}

/** Strong scaling of one model at widths 1..maxWidth, for each strategy, on one pool. */
export async function benchDataParallel(model: string, size: number, maxWidth: number, repeats: number): Promise<DataParallelTiming[]> {
  const widths = Array.from({ length: maxWidth }, (_, i) => i + 1);
  const plan = buildPlan({ mode: 'data-parallel', models: [model], sizes: [size], workers: widths, repeats, warmup: 1, backend: 'wasm', out: '.tmp/bench-modes' }, availableParallelism());
  const spec = plan.datasets[0]!;
  const nTest = heldOutRows(size, plan.training.testFraction);
  const table = generate(spec, size + nTest, 1);
  const pool = new Piscina({ filename: workerModule(DATA_PARALLEL_WORKER), minThreads: maxWidth, maxThreads: maxWidth, idleTimeout: 60_000 });
  const out: DataParallelTiming[] = [];
  try {
    for (const strategy of ['replicated', 'sliced'] as const) {
      let base: number | null = null;
      for (const cell of plan.cells) {
        const m = await runDataParallelCell(
          { pool, plan, threads: 1, coldStartMs: 0 },
          { cell, spec, table, nTrain: size, nTest, dataKey: `bench|${size}` },
          undefined,
          { strategy },
        );
        const ok = m.trials.filter((t) => t.state === 'ok');
        if (ok.length === 0) throw new Error(`${cell.id}: ${m.trials[0]?.error ?? 'no trial'}`);
        const wallMs = median(ok.map((t) => t.wallMs));
        if (cell.workers === 1) base = wallMs;
        out.push({
          model,
          size,
          workers: cell.workers,
          strategy,
          wallMs,
          speedup: base === null ? null : base / wallMs,
          exchangeMsPerStep: median(ok.map((t) => (t.exchangeMs ?? 0) / (t.steps ?? 1))),
          computeMsPerStep: median(ok.map((t) => (t.computeMs ?? 0) / (t.steps ?? 1))),
          replicaMaxDiff: Math.max(...ok.map((t) => t.replicaMaxDiff ?? 0)),
          quality: median(ok.map((t) => t.quality.value)),
        });
      }
    }
  } finally {
    await pool.destroy();
  }
  return out;
}

export interface InferenceTiming {
  workers: number;
  concurrency: number;
  batchSize: number;
  predictionsPerSec: number;
  p50Ms: number | null;
  p95Ms: number | null;
  errors: number;
  /** Knee of this width's sweep (same for every row of the width). */
  knee: number | null;
}

export async function benchInference(model: string, maxWidth: number, concurrency: number[], batchSize: number, durationS: number): Promise<InferenceTiming[]> {
  const widths = Array.from({ length: maxWidth }, (_, i) => i + 1);
  const plan = buildPlan(
    { mode: 'inference', models: [model], sizes: [4000], workers: widths, concurrency, requestRows: [batchSize], duration: durationS, repeats: 3, warmup: 1, backend: 'wasm', out: '.tmp/bench-modes' },
    availableParallelism(),
  );
  const result = await runPlan(plan, new PoolRunner());
  const analysis = analyse(result);
  const out: InferenceTiming[] = [];
  for (const sweep of analysis.inference ?? []) {
    for (const point of sweep.points) {
      out.push({
        workers: sweep.workers,
        concurrency: point.level,
        batchSize: sweep.batchSize,
        predictionsPerSec: point.throughput,
        p50Ms: point.latency?.p50 ?? null,
        p95Ms: point.latency?.p95 ?? null,
        errors: point.errors,
        knee: sweep.knee,
      });
    }
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const cores = availableParallelism();
  const maxWidth = Math.max(2, Math.min(cores, 4));
  const widths = Array.from({ length: maxWidth - 1 }, (_, i) => i + 2);
  console.log(`machine: ${cores} cores; widths up to ${maxWidth}`);

  console.log('\n1. gradient exchange alone (µs per step, median over ranks)');
  for (const t of await benchExchange(widths, quick ? [6_533] : [6_533, 207_109], quick ? 500 : 2000)) {
    const method = t.method === 'messages' ? 'messages' : `${t.method}${t.spin ? '+spin' : ''}`;
    console.log(`  w=${t.parties} ${String(t.length).padStart(7)} values  ${method.padEnd(15)} ${t.usPerStep.toFixed(1).padStart(9)} µs`);
  }

  console.log('\n2. data-parallel strong scaling (mlp-small)');
  for (const t of await benchDataParallel('mlp-small', quick ? 8_000 : 32_000, maxWidth, quick ? 3 : 5)) {
    console.log(
      `  ${t.strategy.padEnd(10)} w=${t.workers} ${t.wallMs.toFixed(0).padStart(6)} ms  speedup ${t.speedup?.toFixed(2) ?? 'n/a'}  ` +
        `exchange ${t.exchangeMsPerStep.toFixed(3)} ms/step vs compute ${t.computeMsPerStep.toFixed(3)} ms/step  ` +
        `replicas differ by ${t.replicaMaxDiff.toExponential(1)}  acc ${t.quality.toFixed(3)}`,
    );
  }

  console.log('\n3. inference, closed loop (mlp-small, 32 rows per request)');
  for (const t of await benchInference('mlp-small', maxWidth, [1, 2, 4, 8], 32, quick ? 0.5 : 1)) {
    console.log(
      `  w=${t.workers} c=${t.concurrency}  ${(t.predictionsPerSec / 1000).toFixed(1).padStart(7)}k predictions/s  ` +
        `p50 ${t.p50Ms?.toFixed(3) ?? 'n/a'} ms  p95 ${t.p95Ms?.toFixed(3) ?? 'n/a'} ms  errors ${t.errors}  knee ${t.knee ?? 'none'}`,
    );
  }
}
