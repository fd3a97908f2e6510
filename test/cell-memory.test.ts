/**
 * Memory per cell: the figure memory laws are fitted on does not depend on the order the cells ran
 * in (wasm heaps never shrink, so the process's RSS does), and the process peak stays beside it.
 * The real tfjs runner (the built dist/ worker modules, `npm run build`) on small sizes.
 */
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../src/plan/build.js';
import { runPlan } from '../src/measure/scheduler.js';
import { PoolRunner } from '../src/modes/pool-runner.js';
import { analyse } from '../src/analyse/index.js';
import { CellMemory, cellMemoryBytes } from '../src/measure/memory.js';
import { createHeapRegistry, publishHeapBytes, totalHeapBytes } from '../src/measure/wasm-heap.js';
import { parseRunResult } from '../src/results/file.js';
import { renderScalingSummary } from '../src/report/summary.js';
import type { Estimate } from '../src/stats/types.js';
import type { TrialResult } from '../src/results/schema.js';
import { makeRunResult } from './helpers/run-result.js';

function trial(overrides: Partial<TrialResult>): TrialResult {
  return {
    repetition: 0,
    state: 'ok',
    wallMs: 1,
    samplesPerSec: 1,
    samples: 1,
    cpuMs: 1,
    peakRssBytes: 500e6,
    peakTensorBytes: 30e6,
    finalLoss: 0,
    quality: { metric: 'r2', value: 1 },
    ...overrides,
  };
}

describe('the memory a cell holds', () => {
  it('is its table plus every worker’s tensors at their peak; the RSS growth and the heaps are kept beside it', () => {
    expect(cellMemoryBytes({ tableBytes: 4e6, tensorBytes: 2 * 9e6 })).toBe(22e6);
    let heaps = 64e6;
    const memory = new CellMemory(() => heaps, 4e6);
    heaps = 96e6;
    const rssBefore = process.memoryUsage.rss();
    const out = memory.annotate(trial({ peakRssBytes: rssBefore + 50e6, peakTensorBytes: 9e6, workerTensorBytes: 18e6 }));
    expect(out.cellMemoryBytes).toBe(22e6);
    expect(out.wasmHeapBytes).toBe(96e6);
    expect(out.rssBeforeCellBytes).toBeLessThanOrEqual(rssBefore);
    expect(out.cellRssGrowthBytes).toBeGreaterThanOrEqual(50e6);
    expect(out.peakRssBytes).toBe(rssBefore + 50e6);
    // One worker: its peak is the sum; off wasm there is no heap to report.
    const cpu = new CellMemory(() => 0, 1e6).annotate(trial({ peakTensorBytes: 5e6 }));
    expect(cpu.cellMemoryBytes).toBe(6e6);
    expect(cpu.wasmHeapBytes).toBeUndefined();
  });

  it('adds up the heap sizes the workers published, one slot per thread', () => {
    const registry = createHeapRegistry();
    expect(totalHeapBytes(registry)).toBe(0);
    publishHeapBytes(registry, 3, 16e6);
    publishHeapBytes(registry, 7, 32e6);
    publishHeapBytes(registry, 3, 24e6);
    expect(totalHeapBytes(registry)).toBe(56e6);
  });

  it('results files without the per-cell figure still parse, and their memory law is the process peak, labelled so', () => {
    const old = makeRunResult([1000, 2000, 4000].map((size) => ({ size, peakRssBytes: [size * 1e4] })));
    const result = parseRunResult(JSON.parse(JSON.stringify(old)), 'old-results.json');
    const fit = analyse(result).sizeScaling.find((s) => s.metric !== 'wallMs');
    expect(fit?.metric).toBe('peakRssBytes');
    expect(renderScalingSummary(analyse(result), { color: false })).toContain('process peak RSS grows as n^1.00');
  });
});

describe('memory laws and the order of the cells (real tfjs runner)', () => {
  const SIZES = [8000, 16000, 32000, 64000, 128000];
  const within = (value: number, interval: Estimate): boolean => interval.low !== null && interval.high !== null && value >= interval.low && value <= interval.high;

  it('the same cells in reverse order give the same memory exponent within its interval; the process peak stays beside it', async () => {
    const base = buildPlan({ models: ['logistic'], sizes: SIZES, workers: [1], repeats: 2, warmup: 1, backend: 'wasm', out: '.tmp/cell-memory' }, 2);
    const fits: Estimate[] = [];
    for (const order of ['size order', 'reverse order']) {
      const cells = order === 'reverse order' ? [...base.cells].reverse() : base.cells;
      const result = await runPlan({ ...base, runId: `memory-${order.replace(' ', '-')}`, cells }, new PoolRunner());
      expect(result.cells.map((c) => c.cell.size)).toEqual(cells.map((c) => c.size));
      for (const cell of result.cells) {
        for (const t of cell.trials) {
          expect(t.state).toBe('ok');
          expect(t.cellMemoryBytes).toBeGreaterThan(0);
          expect(t.peakRssBytes).toBeGreaterThan(t.cellMemoryBytes!);
          expect(t.rssBeforeCellBytes).toBeGreaterThan(0);
          expect(t.wasmHeapBytes).toBeGreaterThan(0);
        }
      }
      const analysis = analyse(result);
      const memory = analysis.sizeScaling.filter((s) => s.metric !== 'wallMs');
      expect(memory.map((s) => s.metric)).toEqual(['cellMemoryBytes']);
      expect(memory[0]!.exponent).not.toBeNull();
      fits.push(memory[0]!.exponent!);
      expect(renderScalingSummary(analysis, { color: false })).toMatch(/cell memory \(data \+ tensors\) grows as n\^/);
    }
    const [forward, reverse] = fits as [Estimate, Estimate];
    expect(within(forward.value, reverse)).toBe(true);
    expect(within(reverse.value, forward)).toBe(true);
    // Data-dominated cells: memory grows about linearly with the rows.
    expect(forward.value).toBeGreaterThan(0.7);
    expect(forward.value).toBeLessThan(1.2);
  }, 240_000);
});
