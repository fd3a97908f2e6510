/**
 * The canary and the confirm step, with the fake runner simulating a loaded machine (FakeMachineLoad):
 * a slower machine is not a regression, slower code still is, and a regression must survive a re-run.
 */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/results/schema.js';
import { compare } from '../src/gate/compare.js';
import { canaryShift, localCanary } from '../src/gate/canary.js';
import { cellsToConfirm } from '../src/gate/confirm.js';
import { machineSpeed } from '../src/analyse/canary.js';
import { buildPlan } from '../src/plan/build.js';
import { runPlan, type RunHooks } from '../src/measure/scheduler.js';
import { FakeRunner, type FakeRunnerOptions } from '../src/measure/fake-runner.js';
import { parseRunResult } from '../src/results/file.js';
import { makeRunResult } from './helpers/run-result.js';

async function fakeRun(fake: FakeRunnerOptions = {}, hooks: RunHooks = {}, seed = 42): Promise<RunResult> {
  const plan = buildPlan({ models: ['mlp-small', 'mlp-deep'], sizes: [1000, 2000, 4000], workers: [1, 2], repeats: 6, seed, warmup: 0 }, 2);
  return runPlan(plan, new FakeRunner(fake), hooks);
}

/** The same result as an older scale-bench would have saved it: no canary at all. */
function withoutCanary(result: RunResult): RunResult {
  const { canary: _canary, ...rest } = result;
  return { ...rest, cells: result.cells.map(({ canaryMs: _ms, ...cell }) => cell) };
}

const regressions = (c: ReturnType<typeof compare>) => c.metrics.filter((m) => m.gated && m.verdict === 'regressed');

describe('canary readings', () => {
  it('are saved per cell and as a time series, and old results without them still parse', async () => {
    const result = await fakeRun();
    expect(result.canary?.workload).toEqual({ size: 128, matmuls: 64, intervalMs: 0 });
    expect(result.canary?.readings).toHaveLength(12);
    for (const cell of result.cells) expect(cell.canaryMs).toBeGreaterThan(0);
    expect(result.canary!.readings.every((r) => r.perWorkerMs.length === r.workers && r.phase === 'sweep')).toBe(true);
    expect(parseRunResult(JSON.parse(JSON.stringify(result)), 'results.json')).toEqual(result);
    const old = withoutCanary(result);
    expect(parseRunResult(JSON.parse(JSON.stringify(old)), 'old.json')).toEqual(old);
  });

  it("summarise the machine's speed: fastest, median and slowest per width, and the cells run on a slowed machine", () => {
    const run = makeRunResult([
      { size: 1000, canaryMs: 10 },
      { size: 2000, canaryMs: 10.5 },
      { size: 4000, canaryMs: 15 },
      { size: 1000, workers: 2, canaryMs: 12 },
      { size: 2000, workers: 2, canaryMs: 12 },
    ]);
    expect(machineSpeed(run)).toEqual({
      workload: { size: 128, matmuls: 64, intervalMs: 0 },
      readings: 5,
      byWidth: [
        { workers: 1, readings: 3, minMs: 10, medianMs: 10.5, maxMs: 15 },
        { workers: 2, readings: 2, minMs: 12, medianMs: 12, maxMs: 12 },
      ],
      cells: 5,
      slowedCells: 1, // 15 ms is 50% over the fastest 10 ms; 10.5 is within 10%
      slowBand: 0.1,
      maxSlowdown: 0.5,
    });
    expect(machineSpeed(makeRunResult([{}]))).toBeNull();
  });

  it('a cell\u2019s canary is the median of its reading and its neighbours\u2019 at the same width', () => {
    const run = makeRunResult([
      { size: 1000, canaryMs: 10 },
      { size: 1000, workers: 2, canaryMs: 50 },
      { size: 2000, canaryMs: 40 },
      { size: 4000, canaryMs: 12 },
      { size: 8000, canaryMs: 11 },
    ]);
    const ids = run.cells.map((c) => c.cell.id);
    expect([...localCanary(run)].sort()).toEqual(
      [
        [ids[0]!, 25], // median of 10 and 40
        [ids[1]!, 50], // alone at width 2
        [ids[2]!, 12], // median of 10, 40, 12: the spike is smoothed away
        [ids[3]!, 12], // median of 40, 12, 11
        [ids[4]!, 11.5],
      ].sort(),
    );
  });
});

describe('the gate and the canary', () => {
  it('a machine 1.5x slower for the whole current run: 0 regressions, and the message names the speed change', async () => {
    const base = await fakeRun();
    const loaded = await fakeRun({ machine: { factor: 1.5 } });
    const c = compare(base, loaded);
    expect(regressions(c)).toEqual([]);
    expect(c.passed).toBe(true);
    const walls = c.metrics.filter((m) => m.metric === 'wallMs');
    expect(walls).toHaveLength(12);
    for (const m of walls) {
      expect(m.change).toBeCloseTo(0.5, 1);
      expect(m.verdict).toBe('inconclusive');
      expect(m.rawVerdict).toBe('regressed');
      expect(m.note).toBe("the machine's speed changed by +50% (canary)");
      expect(m.canaryChange).toBeCloseTo(0.5, 1);
    }
    expect(c.canary).toMatchObject({ basis: 'paired', cells: 12, movedCells: 12, normalised: false, affectedVerdicts: 12 });
    expect(c.canary!.medianChange).toBeCloseTo(0.5, 1);
    expect(c.warnings.find((w) => w.startsWith("the machine's speed changed between the runs by +50% (canary"))).toBeDefined();
    // Without the canary (an older baseline and run) the same numbers are twelve regressions.
    expect(regressions(compare(withoutCanary(base), withoutCanary(loaded)))).toHaveLength(12);
  });

  it('a real 2x slowdown of mlp-deep on that slower machine is still regressed; mlp-small is not', async () => {
    const c = compare(await fakeRun(), await fakeRun({ machine: { factor: 1.5 }, slowdown: { 'mlp-deep': 2 } }));
    const walls = regressions(c).filter((m) => m.metric === 'wallMs');
    expect(walls).toHaveLength(6);
    expect(walls.every((m) => m.subject.startsWith('mlp-deep|'))).toBe(true);
    for (const m of walls) expect(m.change).toBeCloseTo(2, 1); // 3x raw: 2x code on a 1.5x machine
  });

  it('--normalise canary divides times by the machine\u2019s slowdown and says so', async () => {
    const c = compare(await fakeRun(), await fakeRun({ machine: { factor: 1.5 }, slowdown: { 'mlp-deep': 2 } }), { normalise: 'canary' });
    expect(c.canary?.normalised).toBe(true);
    for (const m of c.metrics.filter((x) => x.metric === 'wallMs')) {
      expect(m.change).toBeCloseTo(m.subject.startsWith('mlp-deep|') ? 1 : 0, 1);
      expect(m.verdict).toBe(m.subject.startsWith('mlp-deep|') ? 'regressed' : 'unchanged');
      expect(m.note).toMatch(/^judged on times divided by the machine's slowdown: its speed changed by \+50% \(canary\); raw (regressed|inconclusive|unchanged), \+\d+\.\d%/);
    }
  });

  it('load on the 2-worker cells only (a busy core) does not pass for a drop in parallel efficiency', async () => {
    const base = await fakeRun();
    const loaded = await fakeRun({ machine: { factor: 1.6, cells: ['|w=2|'] } });
    const eff = compare(base, loaded).metrics.filter((m) => m.metric === 'efficiency@2');
    expect(eff).toHaveLength(6);
    for (const m of eff) {
      expect(m.change).toBeCloseTo(1 / 1.6 - 1, 1);
      expect(m.verdict).toBe('inconclusive');
      expect(m.note).toMatch(/the machine's speed changed by \+60% \(canary\)/);
    }
    expect(regressions(compare(withoutCanary(base), withoutCanary(loaded))).some((m) => m.metric === 'efficiency@2')).toBe(true);
  });

  it('a machine whose speed varied widely within the run: a time change inside that spread is inconclusive (results without CPU times)', () => {
    const noise = [1, 1.01, 0.99, 1.005, 0.995, 1.002];
    const sizes = [1000, 2000, 3000, 4000, 5000, 6000];
    // Without CPU times the cells cannot say how much of the machine they got, so the canary's spread stands in.
    const run = (slowIndex: number, canaries: number[]) =>
      makeRunResult(
        sizes.map((size, i) => ({ size, canaryMs: canaries[i]!, wallMs: noise.map((f) => size * 0.1 * f * (i === slowIndex ? 1.4 : 1)), trialOverrides: noise.map(() => ({ cpuMs: 0 })) })),
      );
    const base = run(-1, [10, 10, 10, 10, 10, 10]);
    // The cell at 2000 ran 40% slower while its own (smoothed) canary read as before; other readings were 3x slower.
    const wild = compare(base, run(1, [10, 10, 10, 30, 30, 10]));
    const m = wild.metrics.find((x) => x.metric === 'wallMs' && x.subject.includes('n=2000'))!;
    expect(m.canaryChange ?? 0).toBe(0);
    expect(m.verdict).toBe('inconclusive');
    expect(m.rawVerdict).toBe('regressed');
    expect(m.note).toMatch(/^the machine's speed varied by 150% within the runs \(canary, middle half of its readings\)/);
    expect(wild.canary?.spread).toBeCloseTo(1.5, 12); // q75 25 / q25 10
    // A steady machine: the same 40% is a regression.
    const steady = compare(base, run(1, [10, 10, 10, 10, 10, 10]));
    expect(steady.metrics.find((x) => x.metric === 'wallMs' && x.subject.includes('n=2000'))!.verdict).toBe('regressed');
  });

  it('a load the canary cannot see is not excused by it', async () => {
    const c = compare(await fakeRun(), await fakeRun({ machine: { factor: 1.5, canarySees: 0 } }));
    expect(regressions(c).filter((m) => m.metric === 'wallMs')).toHaveLength(12);
  });

  it('an older baseline without readings: only drift within the current run is used, and a warning says so', async () => {
    // Load during the mlp-deep half of the current run: three cells in a row at each width.
    const c = compare(withoutCanary(await fakeRun()), await fakeRun({ machine: { factor: 1.5, cells: ['mlp-deep|'] } }));
    expect(c.canary?.basis).toBe('within');
    expect(c.warnings.some((w) => w.startsWith('the baseline has no canary readings'))).toBe(true);
    const burst = c.metrics.filter((m) => m.metric === 'wallMs' && m.subject.startsWith('mlp-deep|'));
    expect(burst).toHaveLength(6);
    for (const m of burst) {
      expect(m.verdict).toBe('inconclusive');
      expect(m.note).toMatch(/^the machine's speed changed by \+(4[5-9]|5[0-5])% \(canary\)$/);
    }
    expect(regressions(c)).toEqual([]);
  });

  it('canaries of different kernels are not compared with each other', async () => {
    const base = await fakeRun();
    const other = await fakeRun({ machine: { factor: 1.5 } });
    other.environment = { ...other.environment, kernelPatches: ['BatchMatMul:transpose-first'] };
    expect(canaryShift(base, other).shift?.basis).toBe('within');
    expect(canaryShift(base, other).warning).toMatch(/different backends, backend versions or kernels/);
  });
});

describe('confirm before failing', () => {
  it('a regression from a burst of load the canary missed does not survive the re-run', async () => {
    const base = await fakeRun();
    const burst: FakeRunnerOptions = { machine: { factor: 1.5, cells: ['mlp-deep|classification|n=2000'], canarySees: 0, inConfirm: 'gone' } };
    // Without the confirm step: two regressions.
    expect(regressions(compare(base, await fakeRun(burst))).filter((m) => m.metric === 'wallMs')).toHaveLength(2);
    let selected: string[] = [];
    const current = await fakeRun(burst, { confirm: { select: (r) => (selected = cellsToConfirm(compare(base, r), r)) } });
    // The two cells, and the other model's cells at that size: the time-vs-parameters fits through them regressed too.
    expect(selected).toEqual(expect.arrayContaining(['mlp-deep|classification|n=2000|w=1|job-parallel', 'mlp-deep|classification|n=2000|w=2|job-parallel']));
    const rerun = current.cells.filter((cell) => cell.confirmation);
    expect(rerun.map((cell) => cell.cell.id).sort()).toEqual([...selected].sort());
    for (const cell of rerun) {
      expect(cell.confirmation!.trials).toHaveLength(6);
      expect(cell.confirmation!.canaryBeforeMs).toBeGreaterThan(0);
      expect(cell.confirmation!.canaryAfterMs).toBeGreaterThan(0);
    }
    expect(current.canary!.readings.filter((r) => r.phase === 'confirm')).toHaveLength(2 * selected.length);
    const c = compare(base, current);
    expect(regressions(c)).toEqual([]);
    expect(c.confirm!.checked).toBeGreaterThanOrEqual(2);
    expect(c.confirm!.confirmed).toBe(0);
    const m = c.metrics.find((x) => x.metric === 'wallMs' && x.subject === selected[0])!;
    expect(m).toMatchObject({ verdict: 'inconclusive', rawVerdict: 'regressed' });
    expect(m.change).toBeCloseTo(0.5, 1); // the first measurement...
    expect(Math.abs(m.confirmation!.change)).toBeLessThan(0.05); // ...and the re-run, both in the comparison
    expect(m.confirmation!.verdict).toBe('unchanged');
    expect(m.note).toMatch(/^not confirmed: the re-run after the sweep measured [+-]\d+\.\d% \(unchanged\)$/);
  });

  it('a re-run on a machine slower than the baseline\'s cannot confirm a regression', async () => {
    const base = await fakeRun();
    // A 2.5x load the canary missed during the sweep, still there for the re-runs, where the canary sees a fifth of it
    // (+30%): divided by that, the re-run still looks like a regression, but it ran on a slower machine.
    const load: FakeRunnerOptions = { machine: { factor: 2.5, cells: ['mlp-deep|classification|n=2000'], canarySees: 0, confirmCanarySees: 0.2 } };
    const current = await fakeRun(load, { confirm: { select: (r) => cellsToConfirm(compare(base, r), r) } });
    const c = compare(base, current);
    expect(regressions(c)).toEqual([]);
    const m = c.metrics.find((x) => x.metric === 'wallMs' && x.subject === 'mlp-deep|classification|n=2000|w=1|job-parallel')!;
    expect(m.verdict).toBe('inconclusive');
    expect(m.confirmation!.verdict).toBe('regressed'); // the re-run was slow too...
    expect(m.confirmation!.canaryChange).toBeCloseTo(0.3, 1); // ...on a machine the canary saw 30% slower
    expect(m.note).toMatch(/^not confirmed: the re-run ran on a machine (2[5-9]|3[0-5])% slower than the baseline's \(canary, or the cells' own CPU share\), which cannot confirm a slowdown; the re-run after the sweep measured \+\d+\.\d% \(regressed/);
  });

  it('a real slowdown is confirmed and still fails, with both measurements', async () => {
    const base = await fakeRun();
    const current = await fakeRun({ slowdown: { 'mlp-deep': 2 } }, { confirm: { select: (r) => cellsToConfirm(compare(base, r), r) } });
    const c = compare(base, current);
    expect(c.passed).toBe(false);
    expect(c.confirm!.checked).toBe(c.confirm!.confirmed);
    const walls = regressions(c).filter((m) => m.metric === 'wallMs');
    expect(walls).toHaveLength(6);
    for (const m of walls) {
      expect(m.confirmation?.verdict).toBe('regressed');
      expect(m.confirmation!.change).toBeGreaterThan(0.9);
      expect(m.confirmation!.change).toBeLessThan(1.1);
      expect(m.note).toMatch(/^confirmed: the re-run after the sweep measured \+\d+\.\d% \(regressed\)$/);
    }
  });

  it('does not re-run for peak memory: the whole process only grows during a run, so a re-run at its end reads higher', () => {
    const run = makeRunResult([{ size: 1000 }, { size: 2000 }]);
    const metrics = [
      { metric: 'peakRssBytes', subject: run.cells[0]!.cell.id, gated: true, verdict: 'regressed' },
      { metric: 'wallMs', subject: run.cells[1]!.cell.id, gated: true, verdict: 'regressed' },
    ] as never;
    expect(cellsToConfirm({ metrics }, run)).toEqual([run.cells[1]!.cell.id]);
  });

  it('re-runs every cell behind a regressed law: efficiency needs its width and width 1', () => {
    const run = makeRunResult([
      { size: 1000, workers: 1 },
      { size: 1000, workers: 2 },
      { size: 1000, workers: 3 },
      { size: 2000, workers: 2 },
    ]);
    const ids = cellsToConfirm({ metrics: [{ metric: 'efficiency@2', subject: 'mlp-small|classification|n=1000|job-parallel', gated: true, verdict: 'regressed' } as never] }, run);
    expect(ids).toEqual(['mlp-small|classification|n=1000|w=1|job-parallel', 'mlp-small|classification|n=1000|w=2|job-parallel']);
  });
});

describe('simulated rates (fake runner, seeded)', () => {
  const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const LOADS: FakeRunnerOptions['machine'][] = [
    { factor: 1.6 }, // the whole run slower
    { factor: 1.8, cells: ['|w=2|'] }, // a busy core: only the 2-worker cells
    { factor: 2, cells: ['mlp-deep|'] }, // load during half the run
    { factor: 1.5, cells: ['n=2000'], canarySees: 0, inConfirm: 'gone' }, // bursts the canary missed
    { factor: 1.3 },
  ];
  // Fewer bootstrap resamples than the default 2000 keep 40 comparisons to seconds; the verdicts here are far from the edges.
  const FAST = { resamples: 300 };
  const confirmAgainst = (base: RunResult): RunHooks => ({ confirm: { select: (r) => cellsToConfirm(compare(base, r, FAST), r) } });

  it('10 same-code pairs on a loaded machine (5% noise): 0 regressions', async () => {
    let regressed = 0;
    for (const seed of SEEDS) {
      const base = await fakeRun({ noise: 0.05 }, {}, seed);
      const current = await fakeRun({ noise: 0.05, machine: LOADS[seed % LOADS.length] }, confirmAgainst(base), seed + 100);
      regressed += compare(base, current, FAST).regressions;
    }
    expect(regressed).toBe(0);
  });

  it('a 1.2x and a 2x slowdown on a quiet machine (5% noise) fail the gate in 10 of 10 tries each', async () => {
    for (const factor of [1.2, 2]) {
      let caught = 0;
      for (const seed of SEEDS) {
        const base = await fakeRun({ noise: 0.05 }, {}, seed);
        const current = await fakeRun({ noise: 0.05, slowdown: { 'mlp-small': factor, 'mlp-deep': factor } }, confirmAgainst(base), seed + 100);
        if (!compare(base, current, FAST).passed) caught++;
      }
      expect(caught, `${factor}x`).toBe(SEEDS.length);
    }
  });
});
