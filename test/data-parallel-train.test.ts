/**
 * Data-parallel training with real tfjs workers (the built dist/ worker modules) on tiny sizes:
 * the replicas agree, the quality matches single-worker training, the exchange is measured, a
 * rank's shard (not the whole dataset) is what it holds, and a failing rank does not hang the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Piscina } from 'piscina';
import { buildPlan } from '../src/plan/build.js';
import { runPlan } from '../src/measure/scheduler.js';
import { PoolRunner } from '../src/modes/pool-runner.js';
import { DATA_PARALLEL_WORKER, runDataParallelCell } from '../src/modes/data-parallel/host.js';
import { workerModule } from '../src/measure/worker-file.js';
import { generate, GENERATORS } from '../src/data/generators/index.js';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { readRunResult } from '../src/results/file.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import type { CellResult, RunResult } from '../src/results/schema.js';

const SIZE = 3000;
/** Stated tolerance: held-out accuracy of data-parallel training within 0.02 of single-worker training. */
const QUALITY_TOLERANCE = 0.02;

function plan(mode: 'data-parallel' | 'job-parallel', workers: number[], scaling?: 'strong' | 'weak') {
  return buildPlan(
    {
      mode,
      ...(scaling ? { scaling } : {}),
      models: ['mlp-small'],
      sizes: [SIZE],
      workers,
      repeats: 1,
      warmup: 1,
      backend: 'wasm',
      seed: 11,
      out: '.tmp/dp-test',
    },
    2,
  );
}

function cellAt(result: RunResult, workers: number): CellResult {
  const cell = result.cells.find((c) => c.cell.workers === workers);
  if (!cell) throw new Error(`no cell at w=${workers}`);
  return cell;
}

describe('data-parallel training (real tfjs workers)', () => {
  let strong: RunResult;
  let weak: RunResult;
  let single: RunResult;

  beforeAll(async () => {
    strong = await runPlan(plan('data-parallel', [1, 2], 'strong'), new PoolRunner());
    weak = await runPlan(plan('data-parallel', [2], 'weak'), new PoolRunner());
    single = await runPlan(plan('job-parallel', [1]), new PoolRunner());
  });

  it('runs every cell to completion with one shared job, not w copies of it', () => {
    expect(strong.complete).toBe(true);
    for (const cell of strong.cells) {
      const trial = cell.trials[0]!;
      expect(trial.state, trial.error).toBe('ok');
      expect(trial.samples).toBe(SIZE);
      expect(trial.steps).toBe(Math.ceil(SIZE / strong.plan.training.batchSize));
      expect(cell.threadsPerWorker).toBe(1);
    }
    // Same seed, same starting point in every cell.
    expect(cellAt(strong, 2).initialWeightsChecksum).toBe(cellAt(strong, 1).initialWeightsChecksum);
  });

  it('keeps the replicas in agreement: max weight difference across workers below 1e-5', () => {
    expect(cellAt(strong, 1).trials[0]!.replicaMaxDiff).toBe(0);
    const diff = cellAt(strong, 2).trials[0]!.replicaMaxDiff;
    expect(diff).toBeDefined();
    expect(diff!).toBeLessThan(1e-5);
    expect(weak.cells[0]!.trials[0]!.replicaMaxDiff!).toBeLessThan(1e-5);
  });

  it('matches single-worker training: the same loss to float rounding and the quality within the stated tolerance', () => {
    const reference = single.cells[0]!.trials[0]!;
    expect(reference.state).toBe('ok');
    for (const workers of [1, 2]) {
      const trial = cellAt(strong, workers).trials[0]!;
      expect(Math.abs(trial.quality.value - reference.quality.value)).toBeLessThanOrEqual(QUALITY_TOLERANCE);
      // Strong scaling computes the same averaged gradient as one worker; only summation order differs.
      expect(Math.abs(trial.finalLoss - reference.finalLoss) / reference.finalLoss).toBeLessThan(1e-3);
    }
  });

  it('measures the gradient exchange beside the compute', () => {
    for (const cell of strong.cells) {
      const trial = cell.trials[0]!;
      expect(trial.exchangeMs).toBeGreaterThan(0);
      expect(trial.computeMs).toBeGreaterThan(0);
      expect(Number.isFinite(trial.exchangeMs! + trial.computeMs!)).toBe(true);
    }
  });

  it('weak scaling grows the global batch with the width: half the steps at w=2 for the same rows', () => {
    const trial = weak.cells[0]!.trials[0]!;
    expect(trial.state, trial.error).toBe('ok');
    expect(weak.cells[0]!.cell.id).toMatch(/\|weak$/);
    expect(trial.samples).toBe(SIZE);
    expect(trial.steps).toBe(Math.ceil(SIZE / (2 * weak.plan.training.batchSize)));
  });

  it('adding a worker does not copy the dataset: each rank holds its shard, so the largest rank holds less', () => {
    // w=1: rank 0 holds all 3000 training rows (+ the held-out rows); w=2: about half the training rows.
    const one = cellAt(strong, 1).trials[0]!.peakTensorBytes;
    const two = cellAt(strong, 2).trials[0]!.peakTensorBytes;
    expect(two).toBeLessThan(0.8 * one);
  });
});

describe('a failing rank', () => {
  let pool: Piscina<unknown, unknown>;
  beforeAll(() => {
    pool = new Piscina({ filename: workerModule(DATA_PARALLEL_WORKER), minThreads: 2, maxThreads: 2, idleTimeout: 60_000 });
  });
  afterAll(async () => {
    await pool.destroy();
  });

  it('fails its trial with its own error and releases its peer without waiting for the deadline', async () => {
    const spec = GENERATORS.classification.defaultSpec;
    const table = generate(spec, 1200, 3);
    const p = plan('data-parallel', [2], 'strong');
    const cell = p.cells[0]!;
    const started = Date.now();
    const measurement = await runDataParallelCell(
      { pool, plan: { ...p, warmup: 0 }, threads: 1, coldStartMs: 0 },
      { cell, spec, table, nTrain: 1000, nTest: 200, dataKey: 'fault-test' },
      undefined,
      { fault: { rank: 1, step: 2 } },
    );
    expect(measurement.trials).toHaveLength(1);
    expect(measurement.trials[0]!.state).toBe('errored');
    expect(measurement.trials[0]!.error).toMatch(/injected failure of rank 1 at step 2/);
    // The exchange deadline is 60 s; the abort flag must end it long before.
    expect(Date.now() - started).toBeLessThan(30_000);
    // The pool still works after the failure.
    const again = await runDataParallelCell(
      { pool, plan: { ...p, warmup: 0 }, threads: 1, coldStartMs: 0 },
      { cell, spec, table, nTrain: 1000, nTest: 200, dataKey: 'fault-test' },
    );
    expect(again.trials[0]!.state, again.trials[0]!.error).toBe('ok');
    expect(again.trials[0]!.replicaMaxDiff!).toBeLessThan(1e-5);
  });
});

describe('scale-bench run --mode data-parallel', () => {
  it('a rank whose thread dies fails its cell (exit 3), its peer is released and the sweep goes on', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-dp-'));
    const { code, stderr } = await runCli(
      ['run', '--mode', 'data-parallel', '--models', 'linear', '--sizes', '500', '--workers', '2,1', '--repeats', '1', '--warmup', '0',
        '--backend', 'wasm', '--out', out, '--report', 'json'],
      { env: { SCALE_BENCH_FAULTS: JSON.stringify({ exit: ['w=2|data-parallel'] }) } },
    );
    expect(code, stderr).toBe(3);
    expect(stderr).toMatch(/✗ linear regression n=500 w=2 data-parallel strong +errored: worker exited/);
    expect(stderr).toMatch(/✓ linear regression n=500 w=1/);
  });

  it('reports the exchange beside the compute, the replicas agreement, RSS per width and the threads', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-dp-'));
    const { code, stdout, stderr } = await runCli([
      'run', '--mode', 'data-parallel', '--scaling', 'weak', '--models', 'linear', '--sizes', '600', '--workers', '1,2',
      '--repeats', '1', '--warmup', '0', '--backend', 'wasm', '--out', out, '--report', 'json', '--details',
    ]);
    expect(code, stderr).toBe(0);
    // The Findings say what share of a step the exchange takes; --details has every number.
    expect(stdout).toMatch(/linear: exchanging gradients takes \d+(\.\d+)?% of a step at w=2/);
    expect(stdout).toMatch(/width, n=600 data-parallel weak: w=2: [\d.]+x/);
    expect(stdout).toMatch(/data-parallel n=600 weak scaling, per step: w=1 exchange [\d.]+ [µm]s vs compute [\d.]+ [µm]s \(\d+%\); w=2 exchange/);
    // Plain numbers on the terminal, never exponent notation (issue 20.10): "0", "0.0000012" or "1.2×10^-7".
    expect(stdout).toMatch(/replicas differ by at most (0|\d+(\.\d+)?|[\d.]+×10\^-?\d+)[;\n ]/);
    expect(stdout).toMatch(/cell memory \(data \+ tensors\) by width: w=1 [\d.]+ [KM]iB, w=2 [\d.]+ [KM]iB; backend threads per worker: 1/);
    expect(stdout).not.toMatch(/NaN|Infinity|undefined/);

    // Nothing the data-parallel mode writes may be dropped by the results schema.
    const file = join(out, readdirSync(out)[0]!, 'results.json');
    expect(await readRunResult(file)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });
});
