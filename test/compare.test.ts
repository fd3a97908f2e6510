/**
 * compare(): the two-sample decision against hand-computed values, and whole comparisons of runs made
 * with the deterministic fake runner (same machine, other machine, slowdowns, contention, quality).
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/results/schema.js';
import { compare } from '../src/gate/compare.js';
import { decideSamples, smallestMannWhitneyP, type SampleDecisionOptions } from '../src/gate/decide.js';
import { describeMetric } from '../src/report/comparison-table.js';
import { parseBudget } from '../src/gate/budgets.js';
import { buildPlan } from '../src/plan/build.js';
import { runPlan } from '../src/measure/scheduler.js';
import { FakeRunner, type FakeRunnerOptions } from '../src/measure/fake-runner.js';
import { makeRunResult, nonFiniteNumbers } from './helpers/run-result.js';

const OPTS: SampleDecisionOptions = { threshold: 0.1, alpha: 0.05, level: 0.95, resamples: 2000, seed: 1, higherIsWorse: true };
/** Six distinct values (no ties), so the Mann-Whitney test is exact; median 100.25. */
const BASE6 = [99, 100, 101, 102, 98, 100.5];

describe('smallestMannWhitneyP', () => {
  it('is 2 / C(m+n, m)', () => {
    expect(smallestMannWhitneyP(3, 3)).toBeCloseTo(0.1, 12); // 2/20: can never reach 0.05
    expect(smallestMannWhitneyP(3, 4)).toBeCloseTo(2 / 35, 12);
    expect(smallestMannWhitneyP(4, 4)).toBeCloseTo(2 / 70, 12);
    expect(smallestMannWhitneyP(6, 6)).toBeCloseTo(2 / 924, 12);
    expect(smallestMannWhitneyP(1, 1)).toBe(1);
    expect(smallestMannWhitneyP(0, 5)).toBe(1);
  });
});

describe('decideSamples', () => {
  it('flags a 2x slowdown with 6 vs 6 as regressed by the exact Mann-Whitney test', () => {
    const d = decideSamples(BASE6, BASE6.map((x) => x * 2), OPTS)!;
    expect(d.verdict).toBe('regressed');
    expect(d.test).toBe('mann-whitney-exact');
    expect(d.pValue).toBeCloseTo(2 / 924, 10); // complete separation
    expect(d.change).toBeCloseTo(1, 12); // medians 200.5 / 100.25
    expect(d.changeCi!.low!).toBeGreaterThan(0.9);
    expect(d.changeCi!.high!).toBeLessThan(1.1);
  });

  it('calls a halving an improvement', () => {
    const d = decideSamples(BASE6, BASE6.map((x) => x * 0.5), OPTS)!;
    expect(d.verdict).toBe('improved');
    expect(d.change).toBeCloseTo(-0.5, 12);
  });

  it('a significant 5% slowdown inside a 10% noise band is unchanged', () => {
    const d = decideSamples(BASE6, BASE6.map((x) => x * 1.05), OPTS)!;
    expect(d.pValue).toBeLessThan(0.05);
    expect(d.change).toBeCloseTo(0.05, 12);
    expect(d.verdict).toBe('unchanged');
    // ...and the same change with a 2% band is a regression.
    expect(decideSamples(BASE6, BASE6.map((x) => x * 1.05), { ...OPTS, threshold: 0.02 })!.verdict).toBe('regressed');
  });

  it('is inconclusive when significant and past the band at the median but the interval reaches into it', () => {
    const base = [100, 90, 110, 95, 105, 100, 97, 103];
    const cur = [121, 104, 126, 109, 115, 118, 112, 124];
    const d = decideSamples(base, cur, OPTS)!;
    expect(d.pValue).toBeLessThan(0.05);
    expect(d.change).toBeCloseTo(116.5 / 100 - 1, 12);
    expect(d.changeCi!.low!).toBeLessThan(0.1);
    expect(d.verdict).toBe('inconclusive');
  });

  it('falls back to the bootstrap interval when 3 vs 3 cannot reach alpha; that interval is [min/max, max/min]', () => {
    const d = decideSamples([100, 102, 98], [200, 204, 196], OPTS)!;
    expect(d.testCanFire).toBe(false);
    expect(d.test).toBe('bootstrap-ratio');
    expect(d.pValue).toBeNull();
    expect(d.changeCi!.low!).toBeCloseTo(196 / 102 - 1, 12);
    expect(d.changeCi!.high!).toBeCloseTo(204 / 98 - 1, 12);
    expect(d.verdict).toBe('regressed');
  });

  it('3 vs 3 with overlapping samples is unchanged even at a 20% median change', () => {
    const d = decideSamples([100, 110, 90], [120, 105, 125], OPTS)!;
    expect(d.change).toBeCloseTo(0.2, 12);
    expect(d.changeCi!.low!).toBeCloseTo(105 / 110 - 1, 12);
    expect(d.verdict).toBe('unchanged');
  });

  it('a single repetition is inconclusive, and an empty or zero baseline gives no decision', () => {
    expect(decideSamples([100], [200], OPTS)!.verdict).toBe('inconclusive');
    expect(decideSamples([], [200], OPTS)).toBeNull();
    expect(decideSamples([0, 0], [1, 1], OPTS)).toBeNull();
  });

  it('identical samples are unchanged', () => {
    const d = decideSamples(BASE6, BASE6, OPTS)!;
    expect(d.verdict).toBe('unchanged');
    expect(d.change).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// Whole comparisons of fake-runner results
// ---------------------------------------------------------------------------

interface FakeRun {
  models?: string[];
  repeats?: number;
  seed?: number;
  workers?: number[];
  sizes?: number[];
  fake?: FakeRunnerOptions;
}

/** A run of the deterministic fake runner, in memory. */
async function fakeRun(opts: FakeRun = {}): Promise<RunResult> {
  const plan = buildPlan(
    {
      models: opts.models ?? ['mlp-small', 'mlp-deep'],
      sizes: opts.sizes ?? [1000, 2000, 4000],
      workers: opts.workers ?? [1, 2],
      repeats: opts.repeats ?? 6,
      seed: opts.seed ?? 42,
      warmup: 0,
    },
    2,
  );
  return runPlan(plan, new FakeRunner(opts.fake ?? {}));
}

/** The same result as if another machine had run it. */
function onOtherMachine(result: RunResult, cores = result.environment.cores): RunResult {
  const machineId = 'other-machine-0001';
  return {
    ...result,
    environment: { ...result.environment, machineId, cpuModel: 'Other CPU', hostname: 'elsewhere', cores },
    cells: result.cells.map((c) => ({ ...c, machineId })),
  };
}

const byMetric = (metric: string) => (m: { metric: string }) => m.metric === metric;

describe('compare (fake runner)', () => {
  it('an identical re-run is unchanged everywhere and passes', async () => {
    const base = await fakeRun();
    const again = await fakeRun();
    const c = compare(base, again);
    expect(c.gateMode).toBe('raw');
    expect(c.sameMachine).toBe(true);
    expect(c.metrics.length).toBeGreaterThan(0);
    expect(c.metrics.every((m) => m.verdict === 'unchanged')).toBe(true);
    expect(c.passed).toBe(true);
    expect(c.regressions).toBe(0);
    expect(c.geometricMeanRatio).toBeCloseTo(1, 12);
    expect(nonFiniteNumbers(c)).toEqual([]);
  });

  it('a re-run with different noise (another seed) raises no false alarm', async () => {
    const c = compare(await fakeRun(), await fakeRun({ seed: 7 }));
    expect(c.metrics.filter((m) => m.verdict === 'regressed' || m.verdict === 'improved')).toEqual([]);
    expect(c.passed).toBe(true);
    expect(c.geometricMeanRatio!).toBeGreaterThan(0.97);
    expect(c.geometricMeanRatio!).toBeLessThan(1.03);
  });

  it('a 2x slower mlp-deep on the same machine regresses every mlp-deep cell, and the message names cell and change', async () => {
    const base = await fakeRun();
    const slow = await fakeRun({ fake: { slowdown: { 'mlp-deep': 2 } } });
    const c = compare(base, slow);
    const walls = c.metrics.filter(byMetric('wallMs'));
    const deep = walls.filter((m) => m.subject.startsWith('mlp-deep|'));
    expect(deep).toHaveLength(6);
    for (const m of deep) {
      expect(m.verdict).toBe('regressed');
      expect(m.gated).toBe(true);
      expect(m.change).toBeCloseTo(1, 6); // same seed: same noise, exactly 2x
      expect(m.test).toBe('mann-whitney-exact');
    }
    for (const m of walls.filter((w) => w.subject.startsWith('mlp-small|'))) expect(m.verdict).toBe('unchanged');
    expect(c.passed).toBe(false);
    expect(c.regressions).toBeGreaterThanOrEqual(6);
    // 6 of 12 cells at 2x: geometric mean 2^(6/12).
    expect(c.geometricMeanRatio).toBeCloseTo(Math.SQRT2, 6);
    const line = describeMetric(deep[0]!);
    expect(line).toContain('mlp-deep|classification|n=1000|w=1|job-parallel');
    expect(line).toContain('+100.0%');
    expect(line).toMatch(/^regressed wallMs/);
  });

  it('the same 2x slowdown from another machine is not gated on raw time (gateMode shape)', async () => {
    const base = await fakeRun();
    const slow = onOtherMachine(await fakeRun({ fake: { slowdown: { 'mlp-deep': 2 } } }));
    const c = compare(base, slow);
    expect(c.sameMachine).toBe(false);
    expect(c.gateMode).toBe('shape');
    const deep = c.metrics.filter((m) => m.metric === 'wallMs' && m.subject.startsWith('mlp-deep|'));
    expect(deep.every((m) => m.verdict === 'regressed' && !m.gated)).toBe(true);
    expect(c.metrics.filter((m) => m.metric === 'peakRssBytes').every((m) => !m.gated)).toBe(true);
    // Exponents vs size and efficiency are unchanged by a constant factor, so the gate passes.
    expect(c.metrics.filter((m) => m.gated && m.verdict === 'regressed')).toEqual([]);
    expect(c.passed).toBe(true);
    expect(c.warnings.join('\n')).toMatch(/different machines.*not gated/);
    // --gate raw forces the raw gate anyway.
    const forced = compare(base, slow, { gate: 'raw' });
    expect(forced.gateMode).toBe('raw');
    expect(forced.passed).toBe(false);
  });

  it('a dropped parallel efficiency on another machine is gated', async () => {
    const base = await fakeRun();
    const contended = onOtherMachine(await fakeRun({ fake: { sigma: 0.3 } }));
    const c = compare(base, contended);
    expect(c.gateMode).toBe('shape');
    const eff = c.metrics.filter(byMetric('efficiency@2'));
    expect(eff).toHaveLength(6); // 2 models x 3 sizes
    for (const m of eff) {
      // E(2) = 1 / (1 + sigma + 2 kappa): 1/1.06 -> 1/1.31, about -19%, before noise.
      expect(m.change).toBeGreaterThan(1.06 / 1.31 - 1 - 0.05);
      expect(m.change).toBeLessThan(1.06 / 1.31 - 1 + 0.05);
      expect(m.verdict).toBe('regressed');
      expect(m.gated).toBe(true);
      expect(m.test).toBe('bootstrap-efficiency-ratio');
      expect(m.changeCi!.level).toBe(0.95);
      expect(m.changeCi!.high!).toBeLessThan(-0.1);
    }
    expect(c.passed).toBe(false);
  });

  it('a grown time-vs-size exponent on another machine is gated', () => {
    const sizes = [1000, 2000, 4000, 8000];
    const noise = [1, 1.01, 0.99, 1.005, 0.995, 1.002];
    const cells = (exponent: number) =>
      sizes.map((size) => ({ model: 'mlp-small', size, wallMs: noise.map((f) => 0.1 * size ** exponent * f) }));
    const base = makeRunResult(cells(1));
    const worse = makeRunResult(cells(1.3), { environment: { machineId: 'elsewhere' } });
    const c = compare(base, worse);
    expect(c.gateMode).toBe('shape');
    const exp = c.metrics.find((m) => m.metric === 'exponent')!;
    expect(exp.baseline).toBeCloseTo(1, 2);
    expect(exp.current).toBeCloseTo(1.3, 2);
    expect(exp.change).toBeCloseTo(0.3, 2);
    expect(exp.verdict).toBe('regressed');
    expect(exp.gated).toBe(true);
    expect(exp.test).toBe('interval-overlap+band');
    expect(c.passed).toBe(false);
    // The raw times of the big sizes regressed too, but another machine's times are not gated.
    expect(c.metrics.filter((m) => m.metric === 'wallMs' && m.verdict === 'regressed').every((m) => !m.gated)).toBe(true);
  });

  it('a 5% slowdown with the default 10% threshold is unchanged, and regressed with --threshold 2%', async () => {
    const base = await fakeRun();
    const slower = await fakeRun({ fake: { slowdown: { 'mlp-deep': 1.05 } } });
    const c = compare(base, slower);
    expect(c.metrics.filter((m) => m.verdict !== 'unchanged')).toEqual([]);
    expect(c.passed).toBe(true);
    const strict = compare(base, slower, { thresholds: { wallMs: 0.02 } });
    expect(strict.metrics.filter((m) => m.metric === 'wallMs' && m.verdict === 'regressed')).toHaveLength(6);
  });

  it('3 vs 3 repetitions gives the "too few repetitions" warning, and still catches a 2x slowdown', async () => {
    const base = await fakeRun({ repeats: 3 });
    const slow = await fakeRun({ repeats: 3, fake: { slowdown: { 'mlp-deep': 2 } } });
    const c = compare(base, slow);
    const warning = c.warnings.find((w) => w.startsWith('too few repetitions'));
    expect(warning).toBeDefined();
    expect(warning).toContain('3 vs 3');
    expect(warning).toContain('0.1');
    expect(warning).toContain('can never fire');
    const deep = c.metrics.filter((m) => m.metric === 'wallMs' && m.subject.startsWith('mlp-deep|'));
    expect(deep.every((m) => m.verdict === 'regressed' && m.test === 'bootstrap-ratio')).toBe(true);
    // 6 vs 6: no such warning.
    expect(compare(await fakeRun(), await fakeRun()).warnings.some((w) => w.includes('repetitions'))).toBe(false);
  });

  it('a quality drop is gated on any machine', async () => {
    const base = await fakeRun();
    const worse = onOtherMachine(await fakeRun({ fake: { qualityDrop: { 'mlp-small': 0.1 } } }));
    const c = compare(base, worse);
    const q = c.metrics.filter((m) => m.metric === 'quality' && m.subject.startsWith('mlp-small|'));
    expect(q).toHaveLength(6);
    for (const m of q) {
      expect(m.change).toBeCloseTo(-0.1, 12); // absolute: 0.9 -> 0.8
      expect(m.verdict).toBe('regressed');
      expect(m.gated).toBe(true);
    }
    expect(c.passed).toBe(false);
    // A drop inside the quality threshold is not.
    expect(compare(base, onOtherMachine(await fakeRun({ fake: { qualityDrop: { 'mlp-small': 0.01 } } }))).passed).toBe(true);
  });

  it('more memory on the same machine regresses peakRssBytes', () => {
    const base = makeRunResult([{ peakRssBytes: [100e6, 101e6, 99e6, 100.5e6, 99.5e6, 100.2e6], wallMs: [10, 11, 9, 10.5, 9.5, 10.2] }]);
    const fat = makeRunResult([{ peakRssBytes: [130e6, 131e6, 129e6, 130.5e6, 129.5e6, 130.2e6], wallMs: [10, 11, 9, 10.5, 9.5, 10.2] }]);
    const c = compare(base, fat);
    const rss = c.metrics.find((m) => m.metric === 'peakRssBytes')!;
    expect(rss.verdict).toBe('regressed');
    expect(rss.change).toBeCloseTo(130.1e6 / 100.1e6 - 1, 6);
    expect(c.metrics.find((m) => m.metric === 'wallMs')!.verdict).toBe('unchanged');
    expect(c.passed).toBe(false);
  });

  it('budgets fail the comparison even without a regression', async () => {
    const base = await fakeRun();
    const c = compare(base, base, { budgets: [parseBudget('efficiency@2>=0.99'), parseBudget('mlp-deep.exponent<=1.1')] });
    expect(c.regressions).toBe(0);
    expect(c.budgets.map((b) => b.passed)).toEqual([false, true]);
    expect(c.passed).toBe(false);
  });

  it('warns about cells only on one side and compares the rest', async () => {
    const base = await fakeRun({ sizes: [1000, 2000] });
    const cur = await fakeRun({ sizes: [2000, 4000] });
    const c = compare(base, cur);
    expect(c.warnings.some((w) => w.includes('missing from the current run'))).toBe(true);
    expect(c.warnings.some((w) => w.includes('new (not in the baseline)'))).toBe(true);
    expect(c.metrics.filter(byMetric('wallMs')).every((m) => m.subject.includes('n=2000'))).toBe(true);
  });

  it('warns about cells that failed on either side instead of comparing them', async () => {
    const failing = { failCells: ['mlp-deep|classification|n=2000|w=2'] };
    const broken = await fakeRun({ fake: failing });
    const fine = await fakeRun();
    const now = compare(fine, broken);
    expect(now.warnings.some((w) => w.startsWith('mlp-deep|classification|n=2000|w=2|job-parallel: no repetition finished in the current run (6 did in the baseline): fake failure'))).toBe(true);
    expect(now.warnings.some((w) => w.includes(`the current run ${broken.runId} is incomplete`))).toBe(true);
    expect(now.metrics.some((m) => m.subject === 'mlp-deep|classification|n=2000|w=2|job-parallel')).toBe(false);
    const before = compare(broken, fine);
    expect(before.warnings.some((w) => w.startsWith('1 cell has no finished repetition in the baseline'))).toBe(true);
    expect(nonFiniteNumbers(now)).toEqual([]);
  });

  it('does not gate efficiency above the smaller core count when the machines differ in cores', async () => {
    const base = await fakeRun({ workers: [1, 2, 3] });
    const c = compare(base, onOtherMachine(await fakeRun({ workers: [1, 2, 3] }), 8));
    expect(c.metrics.filter(byMetric('efficiency@3')).every((m) => !m.gated)).toBe(true);
    expect(c.metrics.filter(byMetric('efficiency@2')).every((m) => m.gated)).toBe(true);
    expect(c.warnings.some((w) => w.includes('different core counts'))).toBe(true);
  });

  it('says when nothing could be compared', () => {
    const c = compare(makeRunResult([{ model: 'linear' }]), makeRunResult([{ model: 'logistic' }]));
    expect(c.metrics).toEqual([]);
    expect(c.geometricMeanRatio).toBeNull();
    expect(c.warnings.some((w) => w.includes('nothing was compared'))).toBe(true);
  });
});

describe('compare: exponents fitted through 2 sizes', () => {
  it('take their interval from the medians, so noise does not gate them', () => {
    const base = makeRunResult([
      { size: 1000, wallMs: [90, 100, 110, 95, 105, 100] },
      { size: 4000, wallMs: [360, 400, 440, 380, 420, 400] },
    ]);
    const cur = makeRunResult(
      [
        { size: 1000, wallMs: [90, 100, 110, 95, 105, 100] },
        { size: 4000, wallMs: [423, 470, 517, 446, 494, 470] },
      ],
      { environment: { machineId: 'elsewhere' } },
    );
    const exp = compare(base, cur).metrics.find((m) => m.metric === 'exponent')!;
    expect(exp.baseline).toBeCloseTo(1, 12);
    expect(exp.current).toBeCloseTo(Math.log(4.7) / Math.log(4), 12); // +0.116, past the 0.1 band...
    expect(exp.change).toBeCloseTo(Math.log(4.7) / Math.log(4) - 1, 12);
    // ...but the intervals overlap: the baseline's is [log(360/110), log(440/90)] / log 4 = [0.855, 1.145].
    expect(exp.verdict).toBe('inconclusive');
    expect(exp.test).toBe('interval-overlap+band');
  });
});
