/**
 * What `predict` calls memory: the memory the cell holds (cellMemoryBytes: its data table plus its
 * workers' tensors) when the results have it, the process's peak RSS only for results that predate
 * it, and every output (JSON, terminal, backtest rows) says which, in the words the reports use.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../src/analyse/index.js';
import { observationGroups, predictionModel } from '../src/predict/index.js';
import { evaluator, predictionTable } from '../src/predict/evaluator.js';
import { combineResults } from '../src/predict/inputs.js';
import { predictionFileSchema } from '../src/predict/schema.js';
import { renderPredictions } from '../src/report/predict-text.js';
import { SIZE_METRIC_LABEL } from '../src/report/text.js';
import type { Mode, RunResult } from '../src/results/schema.js';
import { makeRunResult, type CellSpec } from './helpers/run-result.js';
import { modelOf, predict } from './helpers/predict.js';

const table = predictionTable();
/** Deterministic repetition pattern (median 1). */
const REPS = [1, 0.98, 1.02, 0.99, 1.01];
const jitter = (r: number) => 1 + (r - 1) / 10;

/** A job-parallel cell's memory: the table once, and per worker a copy of the data plus the weights and Adam's moments. */
const TABLE_BYTES = (n: number) => 40 * n;
const WORKER_BYTES = (n: number) => 32 * n + 1600;
const cellMemory = (n: number, w: number) => TABLE_BYTES(n) + w * WORKER_BYTES(n);
/** The process RSS: a 400 MB baseline of what earlier cells left behind, barely moved by this cell. */
const flatRss = (n: number, w: number) => 400e6 + 1000 * w + 0.001 * n;

function memoryRun(sizes: number[], widths: number[], options: { cellMemory?: boolean; mode?: Mode; measured?: (size: number, workers: number) => boolean } = {}): RunResult {
  const cells: CellSpec[] = [];
  for (const size of sizes) {
    for (const workers of widths) {
      if (options.measured && !options.measured(size, workers)) continue;
      cells.push({
        size,
        workers,
        mode: options.mode ?? 'job-parallel',
        wallMs: REPS.map((r) => 0.01 * size * r),
        peakRssBytes: REPS.map((r) => flatRss(size, workers) * jitter(r)),
        ...(options.cellMemory === false ? {} : { trialOverrides: REPS.map((r) => ({ cellMemoryBytes: cellMemory(size, workers) * jitter(r) })) }),
      });
    }
  }
  return makeRunResult(cells);
}


describe('memory is the cell memory when the results have it', () => {
  const run = memoryRun([1000, 2000, 4000, 8000], [1, 2, 3]);

  it('follows the cell memory, linear in n, not the flat process RSS', () => {
    const file = predict(run, { sizes: [64_000], workers: [1, 2] });
    expect(predictionFileSchema.parse(JSON.parse(JSON.stringify(file)))).toEqual(file);
    for (const p of file.predictions) {
      expect(p.memoryMetric).toBe('cellMemoryBytes');
      // The process RSS would say ~400 MB; the cell holds ~4.6 MB (w=1) and ~6.7 MB (w=2).
      expect(p.memoryBytes!.estimate / cellMemory(64_000, p.workers)).toBeCloseTo(1, 1);
      expect(p.memoryBytes!.high!).toBeLessThan(50e6);
      // The affine law recovers the structure: 1600 bytes of weights per worker, 40 + 32·w bytes per sample.
      expect(p.memoryLaw).toMatch(new RegExp(`^${escape(SIZE_METRIC_LABEL.cellMemoryBytes)} ≈ ${p.workers === 1 ? '1\\.56 KiB \\+ 72\\.0 B' : '3\\.1[23] KiB \\+ 104 B'}·n at w=${p.workers}$`));
      expect(p.warnings.join(' ')).not.toContain('peak RSS');
    }
  });

  it('carries it to an unmeasured width linearly in w, between the size laws of two widths at n', () => {
    const model = modelOf(run);
    expect(model.memoryMetric).toBe('cellMemoryBytes');
    const p = evaluator.predict(model, 8000, 6, table);
    // The table once and every worker its own tensors: m(n, 6) = m(n, 1) + 5/2·(m(n, 3) − m(n, 1)).
    expect(p.memoryLaw).toBe(
      `${SIZE_METRIC_LABEL.cellMemoryBytes} = m(n,1) + 5/2·(m(n,3) − m(n,1)), linear in w, with m(n,1) ≈ 1.56 KiB + 72.0 B·n and m(n,3) ≈ 4.69 KiB + 136 B·n`,
    );
    for (const n of [8000, 64_000, 1_000_000]) expect(evaluator.predict(model, n, 6, table).memoryBytes!.estimate / cellMemory(n, 6)).toBeCloseTo(1, 3);
    expect(p.memoryBytes!.low!).toBeLessThan(cellMemory(8000, 6));
    expect(p.memoryBytes!.high!).toBeGreaterThan(cellMemory(8000, 6));
    expect(p.warnings.join(' ')).not.toContain('per extra worker was measured');
  });

  it('without a second width measured across sizes, uses the growth per extra worker at the size nearest n', () => {
    const model = modelOf(memoryRun([1000, 2000, 4000, 8000], [1, 2, 3], { measured: (size, w) => w === 1 || size === 8000 }));
    const p = evaluator.predict(model, 8000, 6, table);
    // At n = 8000 one worker adds 257.6 kB to a 577.6 kB cell: g = 44.6%, and m(6) = m(1)·(1 + 5g) = table + 6 workers.
    expect(p.memoryLaw).toBe(`${SIZE_METRIC_LABEL.cellMemoryBytes} ≈ (1.56 KiB + 72.0 B·n at w=1) × (1 + 44.6% per extra worker, measured at n=8000 on widths 1, 2, 3)`);
    expect(p.memoryBytes!.estimate / cellMemory(8000, 6)).toBeCloseTo(1, 2);
  });

  it('says so in the terminal: the column, the law and the backtest rows', () => {
    const file = predict(run, { sizes: [64_000], workers: [1, 6], backtest: true });
    const text = renderPredictions(file, { color: false });
    expect(text).toContain(SIZE_METRIC_LABEL.cellMemoryBytes);
    expect(text).toContain(`memory, w=1: ${SIZE_METRIC_LABEL.cellMemoryBytes} ≈ 1.56 KiB + 72.0 B·n at w=1`);
    expect(text).toContain(`memory, w=6: ${SIZE_METRIC_LABEL.cellMemoryBytes} = m(n,1) + 5/2·(m(n,3) − m(n,1)), linear in w`);
    expect(text).not.toContain('peak memory');
    expect(text).toMatch(/│ cell memory │/);
    expect(text).toContain(`backtest of the memory laws (${SIZE_METRIC_LABEL.cellMemoryBytes}): `);
    const memoryRows = file.backtest!.rows.filter((r) => r.metric !== 'wallMs');
    expect(memoryRows.length).toBeGreaterThan(0);
    expect(memoryRows.every((r) => r.metric === 'cellMemoryBytes')).toBe(true);
    // The held-out cells' memory is predicted within a few percent from the smaller sizes and narrower widths.
    expect(file.backtest!.memory.medianAbsError!).toBeLessThan(0.05);
  });

  it('fits a fixed part plus a part per sample, and so extrapolates where a power law falls short', () => {
    // As measured for mlp-deep (docs/predict.md): 7.5 MiB of weights and optimizer state, 330 bytes per sample.
    const deep = (n: number) => 7.5 * 2 ** 20 + 330 * n;
    const cells: CellSpec[] = [2000, 4000, 8000, 16_000].map((size) => ({
      size,
      wallMs: REPS.map((r) => 0.01 * size * r),
      trialOverrides: REPS.map((r) => ({ cellMemoryBytes: deep(size) * jitter(r) })),
    }));
    const model = modelOf(makeRunResult(cells));
    expect(model.memory[0]!.law.kind).toBe('affine');
    const p = evaluator.predict(model, 64_000, 1, table);
    expect(p.memoryBytes!.estimate / deep(64_000)).toBeCloseTo(1, 2);
    expect(p.memoryBytes!.low!).toBeLessThan(deep(64_000));
    expect(p.memoryBytes!.high!).toBeGreaterThan(deep(64_000));
    expect(p.memoryLaw).toBe(`${SIZE_METRIC_LABEL.cellMemoryBytes} ≈ 7.50 MiB + 330 B·n at w=1`);
    // A power law through the same points (n^0.25) would say 17.5 MiB where the cell holds 27.6 MiB.
  });

  it('says so when the law fits counted bytes exactly, and backtests them as inside their interval of no width', () => {
    // Real cell memory has no noise: the same bytes in every repetition.
    const cells: CellSpec[] = [2000, 4000, 8000, 16_000].map((size) => ({
      size,
      wallMs: REPS.map((r) => 0.01 * size * r),
      trialOverrides: REPS.map(() => ({ cellMemoryBytes: 7.5 * 2 ** 20 + 330 * size })),
    }));
    const file = predict(makeRunResult(cells), { sizes: [64_000], workers: [1], backtest: true });
    const [p] = file.predictions;
    expect(p!.memoryBytes!.high! - p!.memoryBytes!.low!).toBeLessThan(1e-6 * p!.memoryBytes!.estimate);
    expect(p!.warnings.join(' ')).toContain('the memory law passes through every measurement and the repetitions agree (cell memory counts bytes: it has no noise), so its interval has no width');
    const [row] = file.backtest!.rows.filter((r) => r.metric === 'cellMemoryBytes');
    expect(row!.inside).toBe(true);
    expect(row!.relativeError).toBe(0);
  });

  it('keeps the power law for memory that grows faster than n', () => {
    const cells: CellSpec[] = [1000, 2000, 4000, 8000].map((size) => ({
      size,
      wallMs: REPS.map((r) => 0.01 * size * r),
      trialOverrides: REPS.map((r) => ({ cellMemoryBytes: 0.05 * size ** 1.5 * jitter(r) })),
    }));
    const model = modelOf(makeRunResult(cells));
    expect(model.memory[0]!.law.kind).toBe('power');
    const p = evaluator.predict(model, 32_000, 1, table);
    expect(p.memoryLaw).toBe(`${SIZE_METRIC_LABEL.cellMemoryBytes} ∝ n^1.50 at w=1`);
    expect(p.memoryBytes!.estimate / (0.05 * 32_000 ** 1.5)).toBeCloseTo(1, 3);
  });

  it('leaves cells without it out of the memory laws when an older file is pooled in, and says so', () => {
    const notes: string[] = [];
    const merged = combineResults([
      { file: 'old.json', result: memoryRun([1000, 2000], [1], { cellMemory: false }) },
      { file: 'new.json', result: memoryRun([4000, 8000, 16_000], [1]) },
    ]);
    const [group] = observationGroups(merged, analyse(merged), notes);
    const model = predictionModel(group!)!;
    expect(model.memoryMetric).toBe('cellMemoryBytes');
    expect(model.memory[0]!.sizes).toEqual([4000, 8000, 16_000]);
    expect(model.time[0]!.sizes).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(notes.join(' ')).toContain('2 cells without cellMemoryBytes (results written before it existed) left out of the memory laws');
  });

  it('warns in data-parallel mode when the growth per worker is carried far from the size it was measured at', () => {
    const model = modelOf(memoryRun([1000, 2000, 4000], [1, 2], { mode: 'data-parallel', measured: (size, w) => w === 1 || size === 4000 }));
    expect(model.replicaPerWorker).toBe(false);
    const far = evaluator.predict(model, 64_000, 4, table);
    expect(far.warnings.join(' ')).toContain('the memory per extra worker was measured at n=4000; in data-parallel mode the workers share one copy of the data');
    expect(evaluator.predict(model, 4000, 4, table).warnings.join(' ')).not.toContain('per extra worker was measured');
    // At the width measured across sizes its own size law is used: nothing to carry.
    expect(evaluator.predict(model, 64_000, 1, table).warnings.join(' ')).not.toContain('per extra worker was measured');
  });
});

describe('results that predate cellMemoryBytes: the process peak RSS, labelled and warned', () => {
  const run = memoryRun([1000, 2000, 4000, 8000], [1, 2], { cellMemory: false });

  it('predicts the process peak RSS and says what it is', () => {
    const file = predict(run, { sizes: [64_000], workers: [1], backtest: true });
    const [p] = file.predictions;
    expect(p!.memoryMetric).toBe('peakRssBytes');
    expect(p!.memoryBytes!.estimate / flatRss(64_000, 1)).toBeCloseTo(1, 2);
    expect(p!.memoryLaw).toMatch(new RegExp(`^${escape(SIZE_METRIC_LABEL.peakRssBytes)} ∝ n\\^0\\.00 at w=1$`));
    expect(p!.warnings.join(' ')).toContain('memory is the process peak RSS: these results predate cellMemoryBytes');
    expect(file.backtest!.rows.filter((r) => r.metric !== 'wallMs').every((r) => r.metric === 'peakRssBytes')).toBe(true);
    const text = renderPredictions(file, { color: false });
    expect(text).toContain(`memory, w=1: ${SIZE_METRIC_LABEL.peakRssBytes} ∝ n^0.00`);
    expect(text).toMatch(/│ peak RSS │/);
    expect(text).toContain(`backtest of the memory laws (${SIZE_METRIC_LABEL.peakRssBytes}): `);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
