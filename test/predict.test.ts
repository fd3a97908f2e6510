/**
 * The predict stage on runs built from known laws: which law is used where, the explicit
 * combination t(n,w) = t(n,1)·k(w)/S(w), extrapolation limits, --budget, --workers auto,
 * --quality, the backtest, several input files, and the errors that name the fix.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../src/analyse/index.js';
import { UsageError } from '../src/config/errors.js';
import { createPredictionKit, uslThroughput } from '../src/stats/index.js';
import { runPrediction, parseQualityTarget } from '../src/predict/index.js';
import { evaluator, predictionTable } from '../src/predict/evaluator.js';
import { combineResults } from '../src/predict/inputs.js';
import { qualityAnswer, type LearningCurveInput } from '../src/predict/quality.js';
import { predictionFileSchema } from '../src/predict/schema.js';
import type { RunResult, TrialResult } from '../src/results/schema.js';
import { makeRunResult, type CellSpec } from './helpers/run-result.js';
import { modelOf, predict } from './helpers/predict.js';

const kit = createPredictionKit();
const table = predictionTable();
/** Deterministic ±2% repetition pattern (median 1). */
const REPS = [1, 0.98, 1.02, 0.99, 1.01];
const USL = { sigma: 0.05, kappa: 0.002, lambda: 1 };

/** Job-parallel cells with t(n, w) = 0.01·n^1.1 · w / S(w) (each worker trains n samples), every size × width. */
function lawRun(sizes: number[], widths: number[], options: { model?: string; noise?: (size: number, w: number) => number; cores?: number } = {}): RunResult {
  const cells: CellSpec[] = [];
  for (const size of sizes) {
    for (const workers of widths) {
      const t = 0.01 * size ** 1.1 * (workers / uslThroughput(USL, workers)) * (options.noise?.(size, workers) ?? 1);
      cells.push({ model: options.model ?? 'mlp-small', size, workers, wallMs: REPS.map((r) => t * r), peakRssBytes: REPS.map((r) => (100e6 + size * 1000) * (1 + 0.2 * (workers - 1)) * (1 + (r - 1) / 10)) });
    }
  }
  return makeRunResult(cells, { environment: { cores: options.cores ?? 2 } });
}


describe('which law predicts where', () => {
  const run = lawRun([1000, 2000, 4000, 8000], [1, 2, 3, 4]);

  it('uses the size law of a measured width directly, and recovers the law it was drawn from', () => {
    const [p] = predict(run, { sizes: [32_000], workers: [2] }).predictions;
    expect(p!.timeLaw!.source).toBe('measured-width');
    expect(p!.timeLaw!.exponent).toBeCloseTo(1.1, 6);
    const truth = 0.01 * 32_000 ** 1.1 * (2 / uslThroughput(USL, 2));
    expect(p!.wallMs!.estimate / truth).toBeCloseTo(1, 2);
    expect(p!.wallMs!.low!).toBeLessThan(truth);
    expect(p!.wallMs!.high!).toBeGreaterThan(truth);
    expect(p!.extrapolation).toEqual({ size: 4, width: 0.5 });
  });

  it('combines t(n,1)·w/S(w) with the USL (4 widths) at an unmeasured width, and says so', () => {
    const model = modelOf(run);
    const p = evaluator.predict(model, 32_000, 6, table);
    expect(p.timeLaw!.source).toBe('combined');
    expect(p.timeLaw!.speedup!.kind).toBe('usl');
    expect(p.timeLaw!.speedup!.size).toBe(8000);
    // The same combination computed by hand from the laws.
    const base = model.time.find((t) => t.workers === 1)!.law;
    const speedup = model.speedup.find((s) => s.size === 8000)!.law;
    const byHand = kit.lawValue('power', base.theta, 32_000) + Math.log(6) - (kit.lawValue('usl', speedup.theta, 6) - kit.lawValue('usl', speedup.theta, 1));
    expect(Math.log(p.wallMs!.estimate)).toBeCloseTo(byHand, 10);
    const truth = 0.01 * 32_000 ** 1.1 * (6 / uslThroughput(USL, 6));
    expect(p.wallMs!.estimate / truth).toBeCloseTo(1, 1);
    // Job-parallel: a cell's work is w models, so the time per job is wall / w and throughput counts all of them.
    expect(p.timePerJobMs!.estimate).toBeCloseTo(p.wallMs!.estimate / 6, 6);
    expect(p.samplesPerSec!.estimate).toBeCloseTo((32_000 * 6 * 1000) / p.wallMs!.estimate, 3);
    expect(p.memoryLaw).toContain('linear in w');
  });

  it('falls back to Amdahl with fewer than 4 widths and says why', () => {
    const model = modelOf(lawRun([1000, 2000, 4000, 8000], [1, 2, 3]));
    const p = evaluator.predict(model, 8000, 4, table);
    expect(p.timeLaw!.speedup!.kind).toBe('amdahl');
    expect(p.timeLaw!.speedup!.uslUnavailable).toBe('not enough widths: 3 < 4');
  });

  it('warns beyond 2x the widest width, refuses beyond 8x, warns beyond 100x the largest size and above the cores', () => {
    const model = modelOf(run);
    const near = evaluator.predict(model, 8000, 8, table);
    expect(near.refused).toBe(false);
    expect(near.warnings.some((w) => w.includes('2x the widest'))).toBe(false);
    expect(near.warnings.some((w) => w.includes('assumes a machine with at least 8 cores'))).toBe(true);
    const far = evaluator.predict(model, 8000, 12, table);
    expect(far.warnings.some((w) => w.includes('3x the widest measured width (4)'))).toBe(true);
    expect(evaluator.predict(model, 8000, 33, table).refused).toBe(true);
    expect(evaluator.predict(model, 8000 * 101, 1, table).warnings.some((w) => w.includes('101x the largest measured size'))).toBe(true);
    expect(evaluator.predict(model, 8000 * 99, 1, table).warnings.some((w) => w.includes('largest measured size'))).toBe(false);
  });

  it('produces JSON that the versioned schema accepts, with every quantity as { estimate, low, high }', () => {
    const file = predict(run, { sizes: [16_000], workers: [1, 6], budgetMs: 60_000, backtest: true });
    expect(predictionFileSchema.parse(JSON.parse(JSON.stringify(file)))).toEqual(file);
    expect(file.schemaVersion).toBe(2);
    for (const p of file.predictions) for (const key of ['wallMs', 'epochMs', 'samplesPerSec', 'memoryBytes'] as const) expect(Object.keys(p[key]!)).toEqual(['estimate', 'low', 'high']);
  });
});

describe('--budget and --workers auto', () => {
  const run = lawRun([1000, 2000, 4000, 8000], [1, 2, 3, 4]);

  it('finds the largest n whose predicted time fits the budget, with its interval', () => {
    const [answer] = predict(run, { budgetMs: 10_000, workers: [1] }).budget!;
    const size = answer!.size!;
    const model = modelOf(run);
    expect(evaluator.predict(model, size.estimate, 1, table).wallMs!.estimate).toBeCloseTo(10_000, -1);
    expect(evaluator.predict(model, size.low!, 1, table).wallMs!.high).toBeCloseTo(10_000, -1);
    expect(size.low!).toBeLessThan(size.estimate);
    expect(size.high!).toBeGreaterThan(size.estimate);
    // By the law itself: 0.01·n^1.1 = 10 000 ms at n = 10^(6/1.1).
    expect(size.estimate / 10 ** (6 / 1.1)).toBeCloseTo(1, 1);
  });

  it('picks the width with the least time per job, or the cheapest one within 10%, and says why', () => {
    // USL σ 0.05, κ 0.002: time per job t(n,1)/S(w) falls until w ≈ 22, but slowly near the top.
    const file = predict(run, { sizes: [8000], workers: 'auto', force: true });
    const choice = file.workersAuto![0]!;
    // The USL's peak is at sqrt((1 − σ)/κ) = 21.8.
    expect(choice.fastest).toBeGreaterThanOrEqual(20);
    expect(choice.fastest).toBeLessThanOrEqual(24);
    const fastest = choice.candidates.find((c) => c.workers === choice.fastest)!;
    const chosen = choice.candidates.find((c) => c.workers === choice.chosen)!;
    expect(chosen.timePerJobMs.estimate).toBeLessThanOrEqual(fastest.timePerJobMs.estimate * 1.1);
    expect(chosen.workerSeconds).toBeLessThan(fastest.workerSeconds);
    expect(choice.chosen).toBeLessThan(choice.fastest);
    expect(choice.reason).toContain('fewer worker-seconds');
    expect(file.predictions.map((p) => p.workers)).toEqual([choice.chosen]);
    // Without --force the candidates stop at 2x the widest measured width.
    expect(predict(run, { sizes: [8000], workers: 'auto' }).workersAuto![0]!.candidates.map((c) => c.workers)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('--quality', () => {
  const curve: LearningCurveInput = { model: 'mlp-small', dataset: 'classification', metric: 'accuracy', a: 2, alpha: 0.5, c: 0.05, sizes: [1000, 2000, 4000, 8000], alphaInterval: [0.45, 0.55], cInterval: [0.04, 0.06] };

  it('parses targets and names the fix for bad ones', () => {
    expect(parseQualityTarget('accuracy=0.9')).toEqual({ metric: 'accuracy', value: 0.9 });
    expect(parseQualityTarget('r2=95%')).toEqual({ metric: 'r2', value: 0.95 });
    // The same words and checks as `run --target`, naming --quality.
    expect(() => parseQualityTarget('accuracy')).toThrow(/--quality "accuracy": write metric=value/);
    expect(() => parseQualityTarget('accuracy=1.2')).toThrow(/--quality "accuracy=1\.2": accuracy is at most 1/);
    expect(() => parseQualityTarget('loss=0.1')).toThrow(/unknown metric "loss"/);
  });

  it('gives the size the curve needs and the predicted time to train on it', () => {
    const model = modelOf(lawRun([1000, 2000, 4000, 8000], [1, 2]));
    // error 0.1 = 2·n^-0.5 + 0.05 at n = (2/0.05)^2 = 1600.
    const answer = qualityAnswer(curve, model, { metric: 'accuracy', value: 0.9 }, 1);
    expect(answer.size!.estimate).toBe(1600);
    expect(answer.size!.low!).toBeLessThan(1600);
    expect(answer.size!.high!).toBeGreaterThan(1600);
    expect(answer.wallMs!.estimate / (0.01 * 1600 ** 1.1)).toBeCloseTo(1, 1);
    expect(answer.wallMs!.low!).toBeLessThan(answer.wallMs!.estimate);
    const floor = qualityAnswer(curve, model, { metric: 'accuracy', value: 0.96 }, 1);
    expect(floor.size).toBeNull();
    expect(floor.note).toContain('levels off at accuracy 0.950');
  });

  it('adds quality to predictions when a curve is given', () => {
    const run = lawRun([1000, 2000, 4000, 8000], [1, 2]);
    const file = runPrediction(run, analyse(run), { sizes: [1600], workers: [1], quality: { metric: 'accuracy', value: 0.9 } }, [curve]);
    expect(file.predictions[0]!.quality!.estimate).toBeCloseTo(0.9, 10);
    expect(file.quality![0]!.size!.estimate).toBe(1600);
  });
});

describe('--backtest', () => {
  it('predicts held-out cells of an exact law almost exactly, inside their intervals', () => {
    const noise = (size: number, w: number) => 1 + 0.01 * Math.sin(size / 700 + w);
    const file = predict(lawRun([1000, 2000, 4000, 8000], [1, 2, 3, 4, 6], { noise }), { backtest: true });
    const b = file.backtest!;
    expect(b.rows.filter((r) => r.holdout === 'size' && r.metric === 'wallMs')).toHaveLength(5);
    expect(b.rows.filter((r) => r.holdout === 'width' && r.metric === 'wallMs')).toHaveLength(4);
    expect(b.size.medianAbsError!).toBeLessThan(0.03);
    expect(b.width.medianAbsError!).toBeLessThan(0.05);
    expect(b.summary.coverage).toBe(1);
    expect(b.notes).toEqual([]);
  });

  it('catches a law that bends: the held-out size is missed and the summary shows it', () => {
    // Time grows faster than a power law at the largest size (e.g. the data fell out of cache).
    const bend = (size: number) => (size >= 8000 ? 1.6 : 1);
    const b = predict(lawRun([1000, 2000, 4000, 8000], [1, 2], { noise: bend }), { backtest: true }).backtest!;
    expect(b.size.medianAbsError!).toBeGreaterThan(0.3);
    expect(b.rows.every((r) => r.holdout === 'size')).toBe(true);
    expect(b.notes.join(' ')).toContain('width hold-out needs 3 or more widths');
  });
});

describe('time to target', () => {
  // Until issue 14 puts timeToTargetMs in the results schema, trials carry it as an extra field.
  function withTimeToTarget(sizes: number[], widths: number[]): RunResult {
    const cells: CellSpec[] = [];
    for (const size of sizes) {
      for (const workers of widths) {
        const toTarget = 0.5 * size ** 0.8 * (workers / uslThroughput(USL, workers));
        cells.push({ size, workers, wallMs: REPS.map((r) => 0.01 * size ** 1.1 * r), trialOverrides: REPS.map((r) => ({ timeToTargetMs: toTarget * r }) as Partial<TrialResult>) });
      }
    }
    return makeRunResult(cells);
  }

  it('is predicted from its own size law where the run measured it, and backtested', () => {
    const run = withTimeToTarget([1000, 2000, 4000, 8000], [1, 2]);
    const file = predict(run, { sizes: [32_000], workers: [1, 4], backtest: true });
    const [w1, w4] = file.predictions;
    expect(w1!.timeToTargetMs!.estimate / (0.5 * 32_000 ** 0.8)).toBeCloseTo(1, 2);
    expect(w1!.timeToTargetMs!.low!).toBeLessThan(w1!.timeToTargetMs!.estimate);
    expect(w4!.timeToTargetMs!.estimate).toBeGreaterThan(0);
    expect(file.backtest!.rows.filter((r) => r.metric === 'timeToTargetMs')).toHaveLength(2);
  });

  it('is absent where the run did not measure it', () => {
    const [p] = predict(lawRun([1000, 2000], [1]), { sizes: [4000], workers: [1] }).predictions;
    expect(p!.timeToTargetMs).toBeNull();
  });
});

describe('bad input names the fix', () => {
  it('refuses a width the results have no law for (one width only)', () => {
    const oneWidth = lawRun([1000, 2000, 4000], [1]);
    expect(() => predict(oneWidth, { workers: [4] })).toThrow(UsageError);
    expect(() => predict(oneWidth, { workers: [4] })).toThrow(/one width only \(1\).*Re-run with 2 or more widths including 1 \(e\.g\. --workers 1,2,4\)/);
  });

  it('refuses widths beyond 8x the widest measured unless forced', () => {
    const run = lawRun([1000, 2000], [1, 2]);
    expect(() => predict(run, { workers: [17] })).toThrow(/8x are refused.*--force/);
    expect(predict(run, { workers: [17], force: true }).predictions[0]!.refused).toBe(true);
  });

  it('refuses --quality without learning curves, and unknown models', () => {
    const run = lawRun([1000, 2000], [1, 2]);
    expect(() => predict(run, { quality: { metric: 'accuracy', value: 0.9 } })).toThrow(/--quality needs learning-curve data.*--target/);
    expect(() => predict(run, { models: ['nope'] })).toThrow(/--model nope: not in the results; they have mlp-small/);
  });

  it('says what to measure when no model has 2 sizes', () => {
    expect(() => predict(lawRun([1000], [1, 2]), {})).toThrow(/measure 2 or more sizes/);
  });
});

describe('several results files', () => {
  it('pools repetitions of the same cell and adds new cells', () => {
    const a = lawRun([1000, 2000], [1]);
    const b = lawRun([2000, 4000], [1]);
    const merged = combineResults([
      { file: 'a.json', result: a },
      { file: 'b.json', result: b },
    ]);
    expect(merged.cells.map((c) => c.cell.size)).toEqual([1000, 2000, 4000]);
    expect(merged.cells.find((c) => c.cell.size === 2000)!.trials).toHaveLength(10);
    expect(modelOf(merged).sizes).toEqual([1000, 2000, 4000]);
  });

  it('refuses runs trained differently', () => {
    const a = lawRun([1000, 2000], [1]);
    const b = { ...lawRun([4000], [1]), plan: { ...a.plan, training: { ...a.plan.training, epochs: 3 } } };
    expect(() => combineResults([{ file: 'a.json', result: a }, { file: 'b.json', result: b }])).toThrow(/b\.json: trained with different settings.*same --epochs/);
  });
});
