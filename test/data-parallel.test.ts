/**
 * Data-parallel building blocks: the shared-memory allreduce across real threads, the shard and
 * batch arithmetic, the plan's mode options, and the aggregation of the ranks' replies.
 * The allreduce threads import the built module (dist/), like the pool's workers do.
 */
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createExchangeBuffer, abortExchange, exchangeBytes, sliceOf, SharedAllreduce, type ReduceStrategy } from '../src/measure/allreduce.js';
import { globalBatches, shardOf, type DataParallelReply } from '../src/modes/data-parallel/worker.js';
import { aggregateDataParallel, globalBatchSize } from '../src/modes/data-parallel/host.js';
import { checkModeOptions, modeCellFields, modeVariant } from '../src/modes/index.js';
import { dataParallelCellAnalysis } from '../src/modes/data-parallel/analysis.js';
import { buildPlan } from '../src/plan/build.js';
import { UsageError } from '../src/config/errors.js';
import type { TrialResult } from '../src/results/schema.js';

const BUILT = new URL('../dist/measure/allreduce.js', import.meta.url);

/**
 * Runs `parties` threads; rank r contributes values[r][step] at each step and reports every sum it
 * saw, or the error it threw.
 */
function runRanks(
  parties: number,
  length: number,
  steps: number,
  strategy: ReduceStrategy,
  options: { timeoutMs?: number; skipRank?: number; throwRank?: number } = {},
): Promise<Array<{ sums?: number[][]; error?: string; ms: number }>> {
  const buffer = createExchangeBuffer(parties, length);
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.module).then(({ SharedAllreduce, abortExchange }) => {
      const { buffer, parties, length, rank, steps, strategy, timeoutMs, skip, fail } = workerData;
      const started = Date.now();
      try {
        if (skip) { parentPort.postMessage({ ms: 0 }); return; }
        const ex = new SharedAllreduce(buffer, parties, length, rank, { strategy, timeoutMs, spin: false });
        const sums = [];
        for (let step = 0; step < steps; step++) {
          if (fail && step === 1) { abortExchange(buffer); throw new Error('rank failed on purpose'); }
          const input = ex.input;
          for (let i = 0; i < length; i++) input[i] = (rank + 1) * 1000 + step * 10 + i / 8;
          sums.push(Array.from(ex.allreduce()));
        }
        parentPort.postMessage({ sums, ms: Date.now() - started });
      } catch (error) {
        parentPort.postMessage({ error: String(error && error.message), ms: Date.now() - started });
      }
    });`;
  return Promise.all(
    Array.from({ length: parties }, (_, rank) =>
      new Promise<{ sums?: number[][]; error?: string; ms: number }>((resolve, reject) => {
        const worker = new Worker(code, {
          eval: true,
          workerData: {
            module: BUILT.href,
            buffer,
            parties,
            length,
            rank,
            steps,
            strategy,
            timeoutMs: options.timeoutMs ?? 10_000,
            skip: options.skipRank === rank,
            fail: options.throwRank === rank,
          },
        });
        worker.once('message', (message) => {
          resolve(message as { sums?: number[][]; error?: string; ms: number });
          void worker.terminate();
        });
        worker.once('error', reject);
      }),
    ),
  );
}

/** What every rank must see at `step`: sum over ranks of (r + 1) * 1000 + step * 10 + i / 8, rounded to float32. */
function expectedSum(parties: number, length: number, step: number): number[] {
  return Array.from({ length }, (_, i) => {
    let sum = 0;
    for (let r = 0; r < parties; r++) sum += Math.fround((r + 1) * 1000 + step * 10 + i / 8);
    return Math.fround(sum);
  });
}

describe('shared-memory allreduce across threads', () => {
  for (const strategy of ['replicated', 'sliced'] as const) {
    it(`${strategy}: every rank gets the exact same sum, step after step`, async () => {
      const parties = 3;
      const length = 11; // not a multiple of 3: the sliced strategy's uneven slices are exercised
      const steps = 25;
      const results = await runRanks(parties, length, steps, strategy);
      for (const result of results) {
        expect(result.error).toBeUndefined();
        expect(result.sums).toHaveLength(steps);
        result.sums!.forEach((sum, step) => expect(sum).toEqual(expectedSum(parties, length, step)));
      }
    });
  }

  it('a rank that fails releases the others at once instead of leaving them to the deadline', async () => {
    const results = await runRanks(3, 8, 5, 'replicated', { timeoutMs: 20_000, throwRank: 1 });
    expect(results[1]!.error).toMatch(/failed on purpose/);
    for (const rank of [0, 2]) {
      expect(results[rank]!.error).toMatch(/another worker of this cell failed/);
      // Far below the 20 s deadline: the abort flag, not the timeout, let them go.
      expect(results[rank]!.ms).toBeLessThan(10_000);
    }
  });

  it('a rank that never comes makes the others time out with a message that counts the arrivals', async () => {
    const results = await runRanks(2, 4, 3, 'sliced', { timeoutMs: 300, skipRank: 1 });
    expect(results[0]!.error).toMatch(/only 1 of 2 workers reached the gradient exchange within 300 ms/);
  });

  it('in one thread: a single rank gets its own input back; abort is seen before waiting', () => {
    const buffer = createExchangeBuffer(1, 3);
    const ex = new SharedAllreduce(buffer, 1, 3, 0, { strategy: 'replicated', timeoutMs: 100, spin: true });
    ex.input.set([1.5, -2, 3]);
    expect(Array.from(ex.allreduce())).toEqual([1.5, -2, 3]);
    expect(ex.maxDifferenceFromRankZero([1, 2, 3])).toBe(0);
    abortExchange(buffer);
    expect(() => ex.allreduce()).toThrow(/another worker of this cell failed/);
  });

  it('sizes and validates its buffer', () => {
    expect(exchangeBytes(2, 10)).toBe(16 + 5 * 10 * 4);
    expect(() => exchangeBytes(0, 10)).toThrow(/parties/);
    expect(() => new SharedAllreduce(createExchangeBuffer(2, 4), 2, 5, 0, { strategy: 'sliced', timeoutMs: 1, spin: false })).toThrow(/fewer than/);
    expect(() => new SharedAllreduce(createExchangeBuffer(2, 4), 2, 4, 2, { strategy: 'sliced', timeoutMs: 1, spin: false })).toThrow(/rank 2 is outside 0..1/);
  });
});

describe('shards and global batches', () => {
  it('splits a length into near-equal contiguous slices that cover it once', () => {
    expect([0, 1, 2].map((r) => sliceOf(11, 3, r))).toEqual([[0, 4], [4, 8], [8, 11]]);
    expect([0, 1, 2].map((r) => sliceOf(2, 3, r))).toEqual([[0, 1], [1, 2], [2, 2]]);
  });

  it('cuts the training rows into global batches, and each batch into one shard per rank', () => {
    expect(globalBatches(10, 4)).toEqual([[0, 4], [4, 8], [8, 10]]);
    const batches = globalBatches(1000, 96);
    for (const parties of [1, 2, 3, 5]) {
      const rows: number[] = [];
      for (const batch of batches) {
        for (let rank = 0; rank < parties; rank++) {
          const [start, end] = shardOf(batch, parties, rank);
          for (let row = start; row < end; row++) rows.push(row);
        }
      }
      // Every training row is owned by exactly one rank: no rank copies another's data.
      expect(rows).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    }
  });

  it('keeps the global batch under strong scaling and grows it under weak scaling', () => {
    expect(globalBatchSize(256, 4, 'strong')).toBe(256);
    expect(globalBatchSize(256, 4, 'weak')).toBe(1024);
    expect(globalBatchSize(256, 1, 'weak')).toBe(256);
  });
});

describe('mode options in the plan', () => {
  it('adds the scaling to data-parallel cell ids and keeps job-parallel ids unchanged', () => {
    const plan = buildPlan({ mode: 'data-parallel', scaling: 'weak', models: ['mlp-small'], sizes: [1000], workers: [1, 2], out: '.tmp/plan-test' }, 2);
    expect(plan.cells.map((c) => c.id)).toEqual([
      'mlp-small|classification|n=1000|w=1|data-parallel|weak',
      'mlp-small|classification|n=1000|w=2|data-parallel|weak',
    ]);
    expect(plan.cells.every((c) => c.scaling === 'weak')).toBe(true);
    expect(buildPlan({ mode: 'data-parallel', models: ['linear'], sizes: [1000], workers: [1], out: '.tmp/plan-test' }, 2).cells[0]!.scaling).toBe('strong');
    expect(modeVariant({ mode: 'job-parallel' })).toBe('');
    expect(modeCellFields('job-parallel', {})).toEqual([{}]);
  });

  it('refuses mode flags given to another mode, naming the flag and the fix', () => {
    expect(() => checkModeOptions('job-parallel', { scaling: 'weak' })).toThrow(/--scaling applies to --mode data-parallel only/);
    expect(() => checkModeOptions('data-parallel', { concurrency: [2] })).toThrow(/--concurrency applies to --mode inference only/);
    expect(() => checkModeOptions('data-parallel', { scaling: 'sideways' as 'weak' })).toThrow(UsageError);
  });
});

function reply(rank: number, overrides: Partial<DataParallelReply> = {}): DataParallelReply {
  return {
    kind: 'dp-train',
    rank,
    threadId: rank + 1,
    model: { name: 'm', params: 10, forwardFlopsPerSample: 20, trainFlopsPerSample: 60 },
    initialWeightsChecksum: 'abc',
    startedAtMs: 1000 + rank,
    finishedAtMs: 1200 + rank * 10,
    trainMs: 200,
    steps: 4,
    samples: 1000,
    shardSamples: 500,
    computeMs: 100 + rank * 20,
    exchangeMs: 40 + rank * 10,
    finalLoss: 0.5,
    peakTensorBytes: 1000 * (rank + 1),
    cpuAtStartUs: 5_000_000 + rank,
    cpuAtEndUs: 5_350_000 + rank * 1000,
    rssAfterBytes: 100e6,
    threads: 1,
    ...(rank === 0 ? { quality: { metric: 'accuracy' as const, value: 0.9 }, replicaMaxDiff: 2e-7 } : {}),
    ...overrides,
  };
}

describe('aggregating the ranks of one trial', () => {
  it('counts the shared job once, spans the wall from first start to last finish, and takes rank 0 quality', () => {
    const trial = aggregateDataParallel([reply(1), reply(0)], 2, 150e6);
    expect(trial.wallMs).toBe(210); // 1210 - 1000
    expect(trial.samples).toBe(1000); // not 2000: both ranks trained the same global batches
    expect(trial.samplesPerSec).toBeCloseTo((1000 / 210) * 1000, 6);
    expect(trial.cpuMs).toBeCloseTo((5_351_000 - 5_000_000) / 1000, 6);
    expect(trial.quality).toEqual({ metric: 'accuracy', value: 0.9 });
    expect(trial.replicaMaxDiff).toBe(2e-7);
    expect(trial.exchangeMs).toBe(45); // median of 40 and 50
    expect(trial.computeMs).toBe(110);
    expect(trial.steps).toBe(4);
    expect(trial.peakRssBytes).toBe(150e6);
    expect(trial.peakTensorBytes).toBe(2000);
    expect(() => aggregateDataParallel([], 0, 0)).toThrow(/at least one reply/);
  });

  it('reports exchange and compute per step and the worst replica difference, or null without data', () => {
    const base: TrialResult = aggregateDataParallel([reply(0), reply(1)], 0, 0);
    const analysis = dataParallelCellAnalysis([
      { ...base, steps: 4, exchangeMs: 8, computeMs: 32, replicaMaxDiff: 1e-7 },
      { ...base, steps: 4, exchangeMs: 12, computeMs: 28, replicaMaxDiff: 3e-7 },
      { ...base, state: 'errored', steps: 4, exchangeMs: 400, computeMs: 0, replicaMaxDiff: 1 },
    ]);
    expect(analysis.exchangeMsPerStep).toBeCloseTo(2.5, 10); // median of 2 and 3
    expect(analysis.computeMsPerStep).toBeCloseTo(7.5, 10);
    expect(analysis.exchangeShare).toBeCloseTo(0.25, 10);
    expect(analysis.replicaMaxDiff).toBe(3e-7);
    expect(dataParallelCellAnalysis([])).toEqual({ exchangeMsPerStep: null, computeMsPerStep: null, exchangeShare: null, replicaMaxDiff: null });
  });
});
