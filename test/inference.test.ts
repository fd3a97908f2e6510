/**
 * The inference mode's load generator and analysis: latency percentiles, the knee, request rows,
 * the sweeps, the plan's options, and the closed and open loops against stand-in servers on real
 * threads whose service time is known (so queueing shows up as predicted, in ratios).
 */
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createQueue, queueViews, QUEUE, requestRows, stopQueue } from '../src/modes/inference/queue.js';
import { findKnee, inferenceCellAnalysis, inferenceSweeps, KNEE_RULE, latencySummary } from '../src/modes/inference/analysis.js';
import { levelTrial } from '../src/modes/inference/host.js';
import { runLevel, type LevelOutcome } from '../src/modes/inference/load.js';
import { checkModeOptions, modeCellFields, modeDefaultSizes } from '../src/modes/index.js';
import { buildPlan } from '../src/plan/build.js';
import type { CellAnalysis } from '../src/analyse/schema.js';
import type { TrialResult } from '../src/results/schema.js';

describe('latency summary', () => {
  it('gives type-7 percentiles, max and mean of 1..100 ms', () => {
    const summary = latencySummary(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(summary).not.toBeNull();
    expect(summary!.p50).toBeCloseTo(50.5, 10);
    expect(summary!.p95).toBeCloseTo(95.05, 10);
    expect(summary!.p99).toBeCloseTo(99.01, 10);
    expect(summary!.max).toBe(100);
    expect(summary!.mean).toBeCloseTo(50.5, 10);
  });

  it('is null without answers and ignores non-finite values', () => {
    expect(latencySummary([])).toBeNull();
    expect(latencySummary([Number.NaN])).toBeNull();
    expect(latencySummary([2, Number.POSITIVE_INFINITY])).toEqual({ p50: 2, p95: 2, p99: 2, max: 2, mean: 2 });
  });
});

describe('the knee', () => {
  it('is the first level where p95 jumps more than 1.5x while throughput grows less than 1.2x', () => {
    const points = [
      { level: 8, throughput: 205, p95: 4 },
      { level: 1, throughput: 100, p95: 1 },
      { level: 4, throughput: 200, p95: 2 }, // vs level 2: p95 x1.82, throughput x1.05 -> knee
      { level: 2, throughput: 190, p95: 1.1 },
    ];
    expect(findKnee(points)).toBe(4);
  });

  it('is null while more load still buys answers, or when latency grows only a little', () => {
    expect(findKnee([{ level: 1, throughput: 100, p95: 1 }, { level: 2, throughput: 200, p95: 1 }, { level: 4, throughput: 390, p95: 1.2 }])).toBeNull();
    // Latency doubles but throughput grows 1.5x: still scaling, not a knee.
    expect(findKnee([{ level: 1, throughput: 100, p95: 1 }, { level: 2, throughput: 150, p95: 2 }])).toBeNull();
    // Throughput flat but p95 only 1.4x: not yet.
    expect(findKnee([{ level: 1, throughput: 100, p95: 1 }, { level: 2, throughput: 100, p95: 1.4 }])).toBeNull();
    expect(findKnee([{ level: 1, throughput: 100, p95: 1 }])).toBeNull();
    expect(findKnee([])).toBeNull();
  });

  it('skips levels without latencies and honours other thresholds', () => {
    const points = [{ level: 1, throughput: 100, p95: 1 }, { level: 2, throughput: 0, p95: null }, { level: 4, throughput: 110, p95: 1.6 }];
    expect(findKnee(points)).toBe(4);
    expect(findKnee(points, 2, 1.2)).toBeNull();
    expect(KNEE_RULE).toMatch(/1\.5x.*1\.2x/);
  });
});

describe('request rows', () => {
  it('takes consecutive held-out rows and wraps around the held-out block', () => {
    // 2 training rows then 3 held-out rows of 2 features: row r = [10r, 10r + 1].
    const x = Float32Array.from({ length: 10 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));
    const out = new Float32Array(4);
    requestRows(x, 2, 2, 3, 2, 0, out);
    expect(Array.from(out)).toEqual([20, 21, 30, 31]);
    requestRows(x, 2, 2, 3, 2, 1, out); // starts at held-out row 2 (= row 4), then wraps to row 2
    expect(Array.from(out)).toEqual([40, 41, 20, 21]);
    expect(() => requestRows(x, 2, 5, 0, 2, 0, out)).toThrow(/held-out rows/);
  });
});

describe('one level as a trial', () => {
  const fit = { finalLoss: 0.3, quality: { metric: 'accuracy' as const, value: 0.8 } };
  const context = { repetition: 1, batchSize: 8, cpuMs: 400, peakRssBytes: 1e8, peakTensorBytes: 1e5, fit };
  const latencies = (n: number) => Array.from({ length: n }, (_, i) => 1 + (i % 10));

  it('counts predictions as rows answered and keeps the errors, their rate and the first one beside the latency', () => {
    const outcome: LevelOutcome = { requests: 200, answered: 198, errors: 2, firstError: 'a server failed a prediction: out of memory', latencies: latencies(198), elapsedMs: 500 };
    const trial = levelTrial(outcome, context);
    expect(trial.state).toBe('ok');
    expect(trial.samples).toBe(198 * 8);
    expect(trial.samplesPerSec).toBe(198 * 8 * 2);
    expect(trial.requests).toBe(200);
    expect(trial.errors).toBe(2);
    expect(trial.errorRate).toBe(0.01);
    expect(trial.firstError).toBe('a server failed a prediction: out of memory');
    expect(trial.error).toBeUndefined();
    expect(trial.latency!.max).toBe(10);
    expect(trial.quality).toEqual(fit.quality);
  });

  it('is errored, not a latency figure, when more than 1% of the requests failed, even if most were answered', () => {
    const outcome: LevelOutcome = { requests: 12, answered: 10, errors: 2, firstError: 'request refused: 4 requests were already outstanding (the queue is full)', latencies: latencies(10), elapsedMs: 500 };
    const trial = levelTrial(outcome, context);
    expect(trial.state).toBe('errored');
    expect(trial.errorRate).toBeCloseTo(2 / 12, 12);
    expect(trial.error).toBe('2 of 12 requests failed (16.7%, more than the 1% a latency figure allows; first error: request refused: 4 requests were already outstanding (the queue is full))');
    expect(trial.firstError).toMatch(/^request refused/);
    const justOver = levelTrial({ requests: 1000, answered: 989, errors: 11, latencies: latencies(989), elapsedMs: 500 }, context);
    expect(justOver.state).toBe('errored');
    expect(levelTrial({ requests: 1000, answered: 990, errors: 10, latencies: latencies(990), elapsedMs: 500 }, context).state).toBe('ok');
    expect(levelTrial({ requests: 50, answered: 50, errors: 0, latencies: latencies(50), elapsedMs: 500 }, context)).toMatchObject({ state: 'ok', errorRate: 0 });
  });

  it('is errored, with the reason, when nothing was answered', () => {
    const trial = levelTrial({ requests: 5, answered: 0, errors: 5, latencies: [], elapsedMs: 1000 }, { repetition: 0, batchSize: 1, cpuMs: 0, peakRssBytes: 0, peakTensorBytes: 0, fit });
    expect(trial.state).toBe('errored');
    expect(trial.error).toMatch(/no request was answered \(5 of 5/);
    expect(trial.latency).toBeUndefined();
    expect(trial.samplesPerSec).toBe(0);
  });
});

function trial(p95: number, overrides: Partial<TrialResult> = {}): TrialResult {
  return {
    repetition: 0,
    state: 'ok',
    wallMs: 1000,
    samplesPerSec: 100,
    samples: 100,
    cpuMs: 1000,
    peakRssBytes: 1,
    peakTensorBytes: 1,
    finalLoss: 0.1,
    quality: { metric: 'accuracy', value: 0.9 },
    latency: { p50: p95 / 2, p95, p99: p95 * 1.5, max: p95 * 2, mean: p95 / 2 },
    requests: 10,
    errors: 1,
    ...overrides,
  };
}

describe('inference cells and sweeps', () => {
  it('takes the median of each latency statistic over ok repetitions and sums errors and requests', () => {
    const analysis = inferenceCellAnalysis([trial(2), trial(4), trial(9), trial(100, { state: 'errored' })]);
    expect(analysis.latency!.p95).toBe(4);
    expect(analysis.latency!.p50).toBe(2);
    expect(analysis.errors).toBe(3);
    expect(analysis.requests).toBe(30);
    expect(inferenceCellAnalysis([])).toEqual({ latency: null, errors: 0, requests: 0 });
  });

  function cellAnalysis(workers: number, level: number, throughput: number, p95: number, open = false): CellAnalysis {
    const summary = { n: 1, median: throughput, mean: throughput, stdDev: 0, min: throughput, max: throughput, iqr: 0, mad: 0, outliers: 0, medianCi: { value: throughput, low: null, high: null, level: 0.95 }, relativeSpread: 0 };
    return {
      cellId: `m|d|n=100|w=${workers}|inference|b=4|${open ? 'r' : 'c'}=${level}`,
      cell: { id: '', model: 'm', dataset: 'd', size: 100, workers, mode: 'inference', batchSize: 4, ...(open ? { rate: level } : { concurrency: level }) },
      model: { name: 'm', params: 1, forwardFlopsPerSample: 2, trainFlopsPerSample: 6 },
      okTrials: 1,
      totalTrials: 1,
      wallMs: summary,
      samplesPerSec: summary,
      peakRssBytes: summary,
      cpuMs: summary,
      quality: null,
      usPerSample: 1,
      gflops: null,
      mfu: null,
      coldStartMs: 0,
      inference: { latency: { p50: p95 / 2, p95, p99: p95, max: p95, mean: p95 / 2 }, errors: 0, requests: 10 },
    };
  }

  it('groups by width, batch size and loop, orders by level and finds each knee', () => {
    const sweeps = inferenceSweeps([
      cellAnalysis(1, 4, 120, 8),
      cellAnalysis(1, 1, 100, 2),
      cellAnalysis(1, 2, 110, 4),
      cellAnalysis(2, 1, 100, 2),
      cellAnalysis(2, 2, 190, 2.1),
      cellAnalysis(1, 50, 50, 1, true),
      { ...cellAnalysis(1, 9, 1, 1), cell: { id: '', model: 'm', dataset: 'd', size: 100, workers: 1, mode: 'job-parallel' } },
    ]);
    expect(sweeps.map((s) => `${s.workers}|${s.loop}`)).toEqual(['1|closed', '2|closed', '1|open']);
    expect(sweeps[0]!.points.map((p) => p.level)).toEqual([1, 2, 4]);
    expect(sweeps[0]!.knee).toBe(2); // p95 x2 while throughput x1.1
    expect(sweeps[1]!.knee).toBeNull();
    expect(sweeps[2]!.points).toHaveLength(1);
    expect(sweeps[0]!.batchSize).toBe(4);
  });
});

describe('inference options in the plan', () => {
  it('makes one cell per width x batch size x level, with the level in the id', () => {
    const plan = buildPlan({ mode: 'inference', models: ['mlp-small'], sizes: [1000], workers: [1, 2], concurrency: [4, 1], rate: [50], requestRows: [32, 1], duration: 0.5, out: '.tmp/plan-test' }, 2);
    expect(plan.cells).toHaveLength(2 * 2 * 3);
    expect(plan.cells.slice(0, 3).map((c) => c.id)).toEqual([
      'mlp-small|classification|n=1000|w=1|inference|b=1|c=1',
      'mlp-small|classification|n=1000|w=1|inference|b=1|c=4',
      'mlp-small|classification|n=1000|w=1|inference|b=1|r=50',
    ]);
    expect(new Set(plan.cells.map((c) => c.id)).size).toBe(plan.cells.length);
    expect(plan.inference).toEqual({ durationMs: 500 });
  });

  it('defaults to a closed loop at 1, 2, 4, 8 with 1 and 32 rows per request; --rate alone means open loop only', () => {
    expect(modeCellFields('inference', {}).map((f) => `${f.batchSize}:${f.concurrency}`)).toEqual(['1:1', '1:2', '1:4', '1:8', '32:1', '32:2', '32:4', '32:8']);
    expect(modeCellFields('inference', { rate: [10], requestRows: [4] })).toEqual([{ batchSize: 4, rate: 10 }]);
    expect(modeCellFields('inference', { quick: true })).toEqual([{ batchSize: 32, concurrency: 1 }, { batchSize: 32, concurrency: 4 }]);
  });

  it('serves one model per kind by default, trained on the profile\'s largest size, with short levels under --quick', () => {
    expect(modeDefaultSizes('inference', [1000, 4000, 2000])).toEqual([4000]);
    expect(modeDefaultSizes('job-parallel', [1000, 4000])).toEqual([1000, 4000]);
    const quick = buildPlan({ mode: 'inference', quick: true, models: ['linear'], workers: [1], out: '.tmp/plan-test' }, 2);
    expect(quick.cells.map((c) => c.id)).toEqual(['linear|regression|n=4000|w=1|inference|b=32|c=1', 'linear|regression|n=4000|w=1|inference|b=32|c=4']);
    expect(quick.inference).toEqual({ durationMs: 250 });
    expect(buildPlan({ mode: 'job-parallel', models: ['linear'], workers: [1], out: '.tmp/plan-test' }, 2).inference).toBeUndefined();
  });

  it('refuses bad levels and inference flags on other modes, naming the flag', () => {
    expect(() => checkModeOptions('inference', { concurrency: [0] })).toThrow(/--concurrency: 0 is out of range/);
    expect(() => checkModeOptions('inference', { concurrency: [1.5] })).toThrow(/--concurrency: 1.5 is out of range.*whole/);
    expect(() => checkModeOptions('inference', { requestRows: [] })).toThrow(/--request-rows: give at least one value/);
    expect(() => checkModeOptions('inference', { duration: 0 })).toThrow(/--duration: 0 is out of range/);
    expect(() => checkModeOptions('job-parallel', { rate: [5] })).toThrow(/--rate applies to --mode inference only/);
    expect(() => buildPlan({ requestRows: [8] }, 2)).toThrow(/--request-rows applies to --mode inference only/);
  });
});

const QUEUE_MODULE = new URL('../dist/modes/inference/queue.js', import.meta.url).href;

/**
 * Stand-in servers on real threads: take requests from the queue and "serve" each by sleeping
 * `serviceMs` (sleeping, not spinning: the queueing under test must not depend on how busy the
 * machine's cores are), so the expected behaviour is known. Returns a stop function.
 */
function startServers(queue: SharedArrayBuffer, count: number, serviceMs: number, failEvery = 0): () => Promise<void> {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.module).then(({ QUEUE, queueViews, recordServeError }) => {
      const q = queueViews(workerData.queue);
      const pause = new Int32Array(new SharedArrayBuffer(4));
      for (;;) {
        if (Atomics.load(q.control, QUEUE.STOP) === 1) break;
        const tail = Atomics.load(q.control, QUEUE.TAIL);
        const head = Atomics.load(q.control, QUEUE.HEAD);
        if (head >= tail) { Atomics.wait(q.control, QUEUE.TAIL, tail, 20); continue; }
        if (Atomics.compareExchange(q.control, QUEUE.HEAD, head, head + 1) !== head) continue;
        const cancelled = head < Atomics.load(q.control, QUEUE.CANCEL_BELOW);
        if (!cancelled) Atomics.wait(pause, 0, 0, workerData.serviceMs);
        const failed = workerData.failEvery > 0 && head % workerData.failEvery === workerData.failEvery - 1;
        if (failed) recordServeError(workerData.queue, 'prediction ' + head + ' failed: tensor shape mismatch');
        Atomics.store(q.state, head % q.capacity, cancelled || failed ? -(head + 1) : head + 1);
        Atomics.add(q.control, QUEUE.COMPLETED, 1);
        Atomics.notify(q.control, QUEUE.COMPLETED);
      }
      parentPort.postMessage('stopped');
    });`;
  const workers = Array.from({ length: count }, () => new Worker(code, { eval: true, workerData: { module: QUEUE_MODULE, queue, serviceMs, failEvery } }));
  return async () => {
    stopQueue(queue);
    await Promise.all(workers.map((w) => w.terminate()));
  };
}

describe('the load generator against servers with a known service time', () => {
  it('closed loop: beyond one server, more concurrency buys queueing, not throughput', async () => {
    const queue = createQueue(1);
    const stop = startServers(queue, 1, 3);
    try {
      await runLevel(queue, { loop: 'closed', level: 1, durationMs: 100, drainMs: 1000 }, () => undefined); // warm-up
      const one = await runLevel(queue, { loop: 'closed', level: 1, durationMs: 600, drainMs: 1000 }, () => undefined);
      const four = await runLevel(queue, { loop: 'closed', level: 4, durationMs: 600, drainMs: 1000 }, () => undefined);
      for (const outcome of [one, four]) {
        expect(outcome.errors).toBe(0);
        expect(outcome.answered).toBe(outcome.requests);
        expect(outcome.latencies.every((ms) => ms >= 3 * 0.9)).toBe(true); // nobody is answered faster than the service time
      }
      const throughput = (o: LevelOutcome) => o.answered / o.elapsedMs;
      expect(throughput(four) / throughput(one)).toBeLessThan(1.5);
      // Four in the queue of one server wait for about three others: p50 about 4x.
      expect(latencySummary(four.latencies)!.p50 / latencySummary(one.latencies)!.p50).toBeGreaterThan(2.5);
    } finally {
      await stop();
    }
  });

  it('closed loop: two servers answer two outstanding requests about twice as fast as one', async () => {
    const rates: number[] = [];
    for (const servers of [1, 2]) {
      const queue = createQueue(servers);
      const stop = startServers(queue, servers, 4);
      try {
        await runLevel(queue, { loop: 'closed', level: 2, durationMs: 100, drainMs: 1000 }, () => undefined);
        const outcome = await runLevel(queue, { loop: 'closed', level: 2, durationMs: 600, drainMs: 1000 }, () => undefined);
        rates.push(outcome.answered / outcome.elapsedMs);
      } finally {
        await stop();
      }
    }
    expect(rates[1]! / rates[0]!).toBeGreaterThan(1.5);
  });

  it('open loop: sends on schedule below capacity, and above it counts the unanswered as errors', async () => {
    const queue = createQueue(1);
    const stop = startServers(queue, 1, 5); // capacity about 200 requests/s
    try {
      const light = await runLevel(queue, { loop: 'open', level: 40, durationMs: 500, drainMs: 1000 }, () => undefined);
      expect(light.requests).toBe(20); // sends at t = 0, 25, ..., 475 ms
      expect(light.errors).toBe(0);
      expect(light.answered).toBe(20);
      const heavy = await runLevel(queue, { loop: 'open', level: 1000, durationMs: 300, drainMs: 100 }, () => undefined);
      expect(heavy.requests).toBe(300);
      // 300 requests need 1.5 s of service; sending plus draining lasts 0.4 s.
      expect(heavy.errors).toBeGreaterThan(100);
      expect(heavy.answered + heavy.errors).toBe(heavy.requests);
      // Measured from the scheduled send, queueing shows: the median waits far longer than the service time.
      expect(latencySummary(heavy.latencies)!.p50).toBeGreaterThan(3 * latencySummary(light.latencies)!.p50);
      // The servers skip what the generator gave up on, so the next level is not delayed by it.
      const after = await runLevel(queue, { loop: 'closed', level: 1, durationMs: 200, drainMs: 1000 }, () => undefined);
      expect(latencySummary(after.latencies)!.p50).toBeLessThan(latencySummary(heavy.latencies)!.p50);
      expect(Atomics.load(queueViews(queue).control, QUEUE.CANCEL_BELOW)).toBeGreaterThan(0);
    } finally {
      await stop();
    }
  });

  it('counts failed predictions and reports the first failure message of each level', async () => {
    const queue = createQueue(1);
    const stop = startServers(queue, 1, 1, 10);
    try {
      const outcome = await runLevel(queue, { loop: 'closed', level: 2, durationMs: 300, drainMs: 1000 }, () => undefined);
      expect(outcome.errors).toBeGreaterThan(0);
      // Requests 9, 19, 29, ... fail: a tenth of them.
      expect(outcome.errors).toBe(Math.floor(outcome.requests / 10));
      expect(outcome.firstError).toBe('prediction 9 failed: tensor shape mismatch');
      const trial = levelTrial(outcome, { repetition: 0, batchSize: 1, cpuMs: 1, peakRssBytes: 1, peakTensorBytes: 1, fit: { finalLoss: 0, quality: { metric: 'r2', value: 1 } } });
      expect(trial.state).toBe('errored');
      expect(trial.error).toMatch(/^\d+ of \d+ requests failed \(\d+\.\d%.*first error: prediction 9 failed: tensor shape mismatch\)$/);
      // The next level reports its own first error, not the previous level's.
      const next = await runLevel(queue, { loop: 'closed', level: 1, durationMs: 200, drainMs: 1000 }, () => undefined);
      expect(next.firstError).toMatch(/^prediction \d+ failed/);
      expect(next.firstError).not.toBe('prediction 9 failed: tensor shape mismatch');
    } finally {
      await stop();
    }
  });

  it('names the cause of unanswered and refused requests', async () => {
    const queue = createQueue(1, 4);
    const stop = startServers(queue, 1, 50);
    try {
      const outcome = await runLevel(queue, { loop: 'open', level: 1000, durationMs: 50, drainMs: 50 }, () => undefined);
      expect(outcome.errors).toBeGreaterThan(0);
      expect(outcome.firstError).toMatch(/^request refused: 4 requests were already outstanding/);
      const unanswered = await runLevel(queue, { loop: 'closed', level: 2, durationMs: 10, drainMs: 20 }, () => undefined);
      expect(unanswered.firstError).toMatch(/not answered within 20 ms after sending stopped/);
    } finally {
      await stop();
    }
  });

  it('ends the level with the error of a server that died, and refuses a level of 0', async () => {
    const queue = createQueue(1);
    const died = new Error('server 0 crashed');
    let calls = 0;
    await expect(runLevel(queue, { loop: 'closed', level: 2, durationMs: 5000, drainMs: 1000 }, () => (++calls > 3 ? died : undefined))).rejects.toThrow('server 0 crashed');
    await expect(runLevel(queue, { loop: 'open', level: 0, durationMs: 10, drainMs: 10 }, () => undefined)).rejects.toThrow(/positive/);
  });
});
