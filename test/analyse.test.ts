import { describe, expect, it } from 'vitest';
import { analyse } from '../src/analyse/index.js';
import type { Analysis, WarningCode } from '../src/analyse/schema.js';
import { makeEnvironment, makeRunResult, nonFiniteNumbers, type CellSpec } from './helpers/run-result.js';

const codes = (analysis: Analysis): WarningCode[] => analysis.warnings.map((w) => w.code);
/** Six repetitions (MIN_REPETITIONS) with a little noise around v; median v. */
const six = (v: number): number[] => [v * 0.99, v * 1.01, v, v * 0.995, v * 1.005, v];

describe('analyse: cells', () => {
  it('summarises only ok repetitions', () => {
    const run = makeRunResult([
      {
        wallMs: [100, 99_999, 102, 98, 99_999],
        trialOverrides: [{}, { state: 'errored', error: 'boom' }, {}, {}, { state: 'timeout' }],
      },
    ]);
    const [cell] = analyse(run).cells;
    expect(cell).toMatchObject({ okTrials: 3, totalTrials: 5 });
    expect(cell?.wallMs).toMatchObject({ n: 3, median: 100, min: 98, max: 102 });
  });

  it('computes µs per sample per worker, GFLOP/s and MFU against peak × min(workers, cores)', () => {
    const run = makeRunResult([
      { workers: 1, samplesPerSec: [1e6, 1e6, 1e6, 1e6, 1e6] },
      { workers: 4, samplesPerSec: [2e6, 2e6, 2e6, 2e6, 2e6] },
      { workers: 1, mode: 'inference', samplesPerSec: [1e6, 1e6, 1e6, 1e6, 1e6] },
    ]);
    const [w1, w4, inference] = analyse(run).cells;
    // 6000 training FLOPs per sample at 1e6 samples/s = 6 GFLOP/s; peak 10 GFLOP/s per worker.
    expect(w1).toMatchObject({ gflops: 6, usPerSample: 1 });
    expect(w1?.mfu).toBeCloseTo(0.6, 12);
    // 4 workers on 2 cores: peak is 2 x 10 GFLOP/s, not 4 x.
    expect(w4?.gflops).toBeCloseTo(12, 12);
    expect(w4?.mfu).toBeCloseTo(0.6, 12);
    expect(w4?.usPerSample).toBeCloseTo(2, 12);
    // Inference runs only the forward pass (2000 FLOPs per sample).
    expect(inference?.gflops).toBeCloseTo(2, 12);
  });

  it('without a peak calibration: MFU null and one no-calibration warning', () => {
    const run = makeRunResult([{ size: 1000 }, { size: 2000 }], { environment: { peakFlopsPerSec: undefined } });
    const analysis = analyse(run);
    expect(analysis.cells.map((c) => c.mfu)).toEqual([null, null]);
    expect(analysis.cells[0]?.gflops).not.toBeNull();
    expect(analysis.warnings.filter((w) => w.code === 'no-calibration')).toEqual([
      expect.objectContaining({ subject: 'test-machine' }),
    ]);
  });

  it('a cell whose trials all errored has null summaries and a failed-cell warning naming the error', () => {
    const failed: CellSpec = {
      size: 2000,
      wallMs: [1, 1, 1],
      trialOverrides: [0, 1, 2].map(() => ({ state: 'errored' as const, error: 'Out of memory' })),
    };
    const analysis = analyse(makeRunResult([{ size: 1000 }, failed]));
    const cell = analysis.cells[1]!;
    expect(cell).toMatchObject({ okTrials: 0, totalTrials: 3, wallMs: null, samplesPerSec: null, peakRssBytes: null, cpuMs: null });
    expect(cell).toMatchObject({ quality: null, usPerSample: null, gflops: null, mfu: null });
    const warning = analysis.warnings.find((w) => w.code === 'failed-cell');
    expect(warning?.subject).toBe(cell.cellId);
    expect(warning?.message).toContain('Out of memory');
    // The fit over sizes has only one usable size left.
    const time = analysis.sizeScaling.find((s) => s.metric === 'wallMs')!;
    expect(time.points).toHaveLength(1);
    expect(time.exponent).toBeNull();
    expect(codes(analysis)).toContain('not-enough-sizes');
  });

  it('warns about few repetitions once when every cell has too few, per cell otherwise', () => {
    const all = analyse(makeRunResult([{ size: 1000, wallMs: [1, 1, 1] }, { size: 2000, wallMs: [2, 2, 2] }]));
    const once = all.warnings.filter((w) => w.code === 'few-repetitions');
    expect(once).toHaveLength(1);
    expect(once[0]?.subject).toBeUndefined();
    expect(once[0]?.message).toContain('--repeats 6');
    const one = analyse(makeRunResult([{ size: 1000, wallMs: [1, 1] }, { size: 2000 }]));
    const few = one.warnings.filter((w) => w.code === 'few-repetitions');
    expect(few).toHaveLength(1);
    expect(few[0]?.subject).toBe(one.cells[0]?.cellId);
    expect(analyse(makeRunResult([{ wallMs: [1, 1] }]), { minRepetitions: 2 }).warnings).toEqual([]);
  });

  it('flags a noisy cell (IQR / median > 10%) and respects the threshold option', () => {
    // Sorted 70, 100, 140: Q1 = 85, Q3 = 120, IQR / median = 0.35.
    const run = makeRunResult([{ wallMs: [100, 70, 140, 100, 100].slice(0, 3) }]);
    const analysis = analyse(run, { minRepetitions: 3 });
    expect(analysis.cells[0]?.wallMs?.relativeSpread).toBeCloseTo(0.35, 12);
    expect(codes(analysis)).toEqual(['noisy-cell']);
    expect(analysis.warnings[0]?.message).toContain('35%');
    expect(analyse(run, { minRepetitions: 3, noisyThreshold: 0.5 }).warnings).toEqual([]);
  });
});

describe('analyse: data-size scaling', () => {
  it('classes t = 5n as O(n) with exponent 1, and constant memory as O(1)', () => {
    const sizes = [1000, 2000, 4000, 8000];
    const analysis = analyse(makeRunResult(sizes.map((size) => ({ size, wallMs: six(5 * size) }))));
    const time = analysis.sizeScaling.find((s) => s.key === 'mlp-small|classification|w=1|job-parallel|wallMs')!;
    expect(time.points.map((p) => p.size)).toEqual(sizes);
    expect(time.exponent?.value).toBeCloseTo(1, 10);
    expect(time.coefficient).toBeCloseTo(5, 8);
    expect(time.rSquared).toBeCloseTo(1, 10);
    expect(time.bigO).toMatchObject({ class: 'O(n)' });
    expect(time.bigO?.coefficient).toBeCloseTo(5, 10);
    const memory = analysis.sizeScaling.find((s) => s.key === 'mlp-small|classification|w=1|job-parallel|peakRssBytes')!;
    expect(memory.exponent?.value).toBeCloseTo(0, 10);
    expect(memory.bigO?.class).toBe('O(1)');
  });

  it('classes t = 3n² as O(n^2) with exponent in [1.95, 2.05] and a 95% interval around it', () => {
    const sizes = [100, 200, 400, 800, 1600];
    const noise = [1.03, 0.97, 1.01, 0.99, 1.02];
    const analysis = analyse(makeRunResult(sizes.map((size, i) => ({ size, wallMs: six(3 * size * size * (noise[i] ?? 1)) }))));
    const time = analysis.sizeScaling.find((s) => s.metric === 'wallMs')!;
    expect(time.bigO?.class).toBe('O(n^2)');
    expect(time.exponent!.value).toBeGreaterThanOrEqual(1.95);
    expect(time.exponent!.value).toBeLessThanOrEqual(2.05);
    expect(time.exponent!.low!).toBeLessThan(time.exponent!.value);
    expect(time.exponent!.high!).toBeGreaterThan(time.exponent!.value);
    expect(time.exponent!.level).toBe(0.95);
  });

  it('one size only: fits are null, with no warning (no size sweep was asked for)', () => {
    const analysis = analyse(makeRunResult([{ size: 1000, workers: 1 }, { size: 1000, workers: 2 }]));
    for (const fit of analysis.sizeScaling) {
      expect(fit).toMatchObject({ exponent: null, coefficient: null, rSquared: null, bigO: null });
      expect(fit.points).toHaveLength(1);
    }
    expect(codes(analysis)).not.toContain('not-enough-sizes');
  });
});

describe('analyse: width scaling', () => {
  it('recovers the USL (σ = κ = 0.02) from throughput at widths 1..10 and reports the peak', () => {
    const N = [1, 2, 4, 6, 8, 10];
    const X = [1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557];
    const run = makeRunResult(
      N.map((workers, i) => ({ workers, size: 4000, samplesPerSec: Array(6).fill((X[i] ?? 0) * 1000) })),
      { environment: { cores: 16 } },
    );
    const analysis = analyse(run);
    const sweep = analysis.widthScaling.find((w) => w.key === 'mlp-small|classification|n=4000|job-parallel')!;
    expect(sweep.points.map((p) => p.workers)).toEqual(N);
    expect(sweep.points[1]?.speedup).toBeCloseTo(1.8868, 10);
    expect(sweep.points[1]?.efficiency).toBeCloseTo(0.9434, 10);
    if ('unavailable' in sweep.usl) throw new Error(sweep.usl.unavailable);
    expect(Math.abs(sweep.usl.sigma - 0.02)).toBeLessThan(1e-3);
    expect(Math.abs(sweep.usl.kappa - 0.02)).toBeLessThan(1e-3);
    expect(Math.abs(sweep.usl.lambda - 1000)).toBeLessThan(1);
    expect(sweep.usl.peakWorkers!).toBeCloseTo(7, 1);
    expect(sweep.usl.limitedBy).toBe('coherency');
    expect(sweep.points.every((p) => !p.oversubscribed)).toBe(true);
    expect(codes(analysis)).toEqual([]);
  });

  it('speedup, efficiency and Karp-Flatt per width (S(4) = 3 gives 1/9); Amdahl; too few widths for the USL', () => {
    const run = makeRunResult([
      { workers: 1, samplesPerSec: six(100) },
      { workers: 2, samplesPerSec: six(180) },
      { workers: 4, samplesPerSec: six(300) },
    ]);
    const analysis = analyse(run);
    const sweep = analysis.widthScaling[0]!;
    const [w1, w2, w4] = sweep.points;
    expect(w1).toMatchObject({ workers: 1, speedup: 1, efficiency: 1, karpFlatt: null, oversubscribed: false });
    expect(w2?.speedup).toBeCloseTo(1.8, 12);
    expect(w2?.karpFlatt).toBeCloseTo((1 / 1.8 - 0.5) / 0.5, 12);
    expect(w4?.speedup).toBeCloseTo(3, 12);
    expect(w4?.efficiency).toBeCloseTo(0.75, 12);
    expect(w4?.karpFlatt).toBeCloseTo(1 / 9, 12);
    expect(w4?.oversubscribed).toBe(true);
    // Least squares of 1 - 1/S = p (1 - 1/w): (0.5·4/9 + 0.75·2/3) / (0.25 + 0.5625) = 8/9.
    expect(sweep.amdahlParallelFraction).toBeCloseTo(8 / 9, 12);
    expect(sweep.usl).toEqual({ unavailable: 'not enough widths: 3 < 4' });
    expect(codes(analysis)).toEqual(['oversubscribed', 'not-enough-widths']);
    expect(analysis.warnings[0]).toMatchObject({ subject: 'w=4' });
    expect(analysis.warnings[0]?.message).toContain('2 logical cores');
  });

  it('a missing width 1 leaves speedups null and says so', () => {
    const run = makeRunResult([2, 3, 4, 5].map((workers) => ({ workers, samplesPerSec: six(100 * workers) })), {
      environment: { cores: 8 },
    });
    const analysis = analyse(run);
    const sweep = analysis.widthScaling[0]!;
    expect(sweep.points.map((p) => [p.speedup, p.efficiency, p.karpFlatt])).toEqual(Array(4).fill([null, null, null]));
    expect(sweep.amdahlParallelFraction).toBeNull();
    expect('unavailable' in sweep.usl && sweep.usl.unavailable).toMatch(/width 1/);
    expect(codes(analysis)).toEqual(['missing-width-1']);
  });

  it('data-parallel speedup is T(1)/T(w) when both widths did the same work', () => {
    const run = makeRunResult([
      { mode: 'data-parallel', workers: 1, wallMs: six(100) },
      { mode: 'data-parallel', workers: 2, wallMs: six(60) },
    ]);
    const sweep = analyse(run).widthScaling[0]!;
    expect(sweep.points[1]?.speedup).toBeCloseTo(100 / 60, 12);
  });

  it('uses the cores of the machine that ran each cell (merged shards)', () => {
    const big = makeEnvironment({ machineId: 'big', cores: 8 });
    const run = makeRunResult([{ workers: 1 }, { workers: 4, machineId: 'big' }], { machines: { big } });
    const analysis = analyse(run);
    expect(analysis.widthScaling[0]?.points.map((p) => p.oversubscribed)).toEqual([false, false]);
    expect(codes(analysis)).not.toContain('oversubscribed');
  });
});

describe('analyse: model complexity', () => {
  it('fits time per sample against params and FLOPs across models', () => {
    const run = makeRunResult([
      { model: 'small', samplesPerSec: six(1e6), modelInfo: { params: 1000, trainFlopsPerSample: 6000 } },
      { model: 'big', samplesPerSec: six(1e5), modelInfo: { params: 10_000, trainFlopsPerSample: 60_000 } },
    ]);
    const [sweep] = analyse(run).complexityScaling;
    expect(sweep).toMatchObject({ key: 'classification|n=1000|w=1|job-parallel', dataset: 'classification', size: 1000, workers: 1 });
    expect(sweep?.points.map((p) => [p.model, p.usPerSample])).toEqual([
      ['small', 1],
      ['big', 10],
    ]);
    expect(sweep?.exponentVsParams?.value).toBeCloseTo(1, 10);
    expect(sweep?.exponentVsParams?.low).toBeNull(); // two models: no interval
    expect(sweep?.exponentVsFlops?.value).toBeCloseTo(1, 10);
  });
});

describe('analyse: quality', () => {
  const run = makeRunResult([
    { workers: 1, wallMs: six(300), quality: 0.95 },
    { workers: 2, wallMs: six(200), quality: 0.9 },
    { workers: 3, wallMs: six(150), quality: 0.94 },
    { workers: 4, wallMs: six(120), quality: 0.93 },
  ]);

  it('flags a faster configuration whose quality is worse than the slowest one beyond the tolerance', () => {
    const analysis = analyse(run);
    expect(analysis.cells.map((c) => c.quality)).toEqual([0.95, 0.9, 0.94, 0.93].map((value) => ({ metric: 'accuracy', value })));
    expect(analysis.qualityFlags).toHaveLength(1);
    const [flag] = analysis.qualityFlags;
    expect(flag).toMatchObject({ cellId: analysis.cells[1]?.cellId, referenceCellId: analysis.cells[0]?.cellId, metric: 'accuracy', value: 0.9, referenceValue: 0.95 });
    expect(flag?.speedup).toBeCloseTo(1.5, 12);
    expect(codes(analysis)).toContain('quality-tradeoff');
  });

  it('takes the tolerance as a parameter (a drop of exactly the tolerance is not flagged)', () => {
    expect(analyse(run, { qualityTolerance: 0.06 }).qualityFlags).toEqual([]);
    expect(analyse(run, { qualityTolerance: 0.005 }).qualityFlags).toHaveLength(3);
  });
});

describe('analyse: never NaN', () => {
  const edgeCases: Record<string, CellSpec[]> = {
    'one sample per cell': [
      { size: 1000, wallMs: [10] },
      { size: 2000, wallMs: [20] },
    ],
    'all-equal samples, zero variance': [1, 2, 3, 4].map((workers) => ({ workers, wallMs: [50, 50, 50, 50, 50] })),
    'missing width 1': [2, 3, 4, 5].map((workers) => ({ workers })),
    'one size only': [{ size: 4000 }],
    'all trials errored': [
      { size: 1000 },
      { size: 2000, trialOverrides: [0, 1, 2, 3, 4, 5].map(() => ({ state: 'errored' as const, error: 'OOM', wallMs: Number.NaN, samplesPerSec: Number.NaN })) },
    ],
    'no trials at all': [{ wallMs: [] }],
    'zero throughput and broken quality': [
      { workers: 1, samplesPerSec: [0, 0, 0], quality: Number.NaN },
      { workers: 2, samplesPerSec: [0, 0, 0] },
      { workers: 3, samplesPerSec: [0, 0, 0] },
      { workers: 4, samplesPerSec: [0, 0, 0] },
    ],
    'no cells': [],
  };

  it.each(Object.entries(edgeCases))('%s', (_name, cells) => {
    const analysis = analyse(makeRunResult(cells));
    expect(nonFiniteNumbers(analysis)).toEqual([]);
    // Serialisable as it is: JSON would turn NaN into null silently.
    expect(JSON.parse(JSON.stringify(analysis))).toEqual(analysis);
  });

  it('the failed-cell case reports it rather than inventing numbers', () => {
    const analysis = analyse(makeRunResult(edgeCases['all trials errored'] ?? []));
    expect(codes(analysis)).toContain('failed-cell');
    expect(analysis.cells[1]?.wallMs).toBeNull();
  });
});
