/**
 * The gate's second instrument for the machine: each cell's CPU share (process CPU ms per wall ms of its timed
 * phase). Load from other programs stretches wall time and leaves CPU time alone; slower code stretches both.
 */
import { describe, expect, it } from 'vitest';
import { compare } from '../src/gate/compare.js';
import { cellCpuShare, cpuShareChanges, CPU_SHARE_BAND } from '../src/gate/cpu-share.js';
import { makeRunResult } from './helpers/run-result.js';

const NOISE = [1, 1.01, 0.99, 1.005, 0.995, 1.002];

/**
 * One cell at w=2 on 2 cores, six repetitions. `wall` scales its wall time, `cpu` its CPU time; canary
 * readings as given (a short canary that missed the load reads as before).
 */
function run(wall: number, cpu: number, canaryMs = 10) {
  const wallMs = NOISE.map((f) => 200 * f * wall);
  return makeRunResult([
    { model: 'mlp-deep', size: 2000, workers: 1, canaryMs: 10, wallMs: NOISE.map((f) => 190 * f) },
    { model: 'mlp-deep', size: 2000, workers: 2, canaryMs, wallMs, trialOverrides: NOISE.map((f) => ({ cpuMs: 2 * 200 * f * cpu })) },
  ]);
}

const wallAt2 = (c: ReturnType<typeof compare>) => c.metrics.find((m) => m.metric === 'wallMs' && m.subject.includes('w=2'))!;

describe('the CPU share of a cell', () => {
  it('is the median CPU ms per wall ms of its ok repetitions, and its change is baseline / current − 1', () => {
    const base = run(1, 1);
    // Hand-computed: every repetition has cpu = 2 · wall, so the share is 2; twice the wall time at the same CPU time gives 1.
    expect(cellCpuShare(base.cells[1])).toBeCloseTo(2, 12);
    const loaded = run(2, 1);
    expect(cellCpuShare(loaded.cells[1])).toBeCloseTo(1, 12);
    expect(cpuShareChanges(base, loaded).get(loaded.cells[1]!.cell.id)).toBeCloseTo(1, 12);
    // Results without CPU times (cpuMs 0) have no share, and no change.
    const none = makeRunResult([{ size: 1000, trialOverrides: NOISE.map(() => ({ cpuMs: 0 })) }]);
    expect(cellCpuShare(none.cells[0])).toBeUndefined();
    expect(cpuShareChanges(none, none).size).toBe(0);
  });

  it('a cell 2x slower on a busy core, with a canary that read as before: inconclusive, naming the CPU share, never regressed', () => {
    const c = compare(run(1, 1), run(2, 1));
    const m = wallAt2(c);
    expect(m.rawVerdict).toBe('regressed');
    expect(m.verdict).toBe('inconclusive');
    expect(m.note).toMatch(/^the machine's speed changed by \+100% \(CPU share: the cell's process CPU time per wall second, against the baseline's\)/);
    expect(c.regressions).toBe(0);
    expect(c.passed).toBe(true);
  });

  it('slower code takes CPU time too: a 1.2x slowdown with 1.2x the CPU time is a regression, whatever the canary read', () => {
    for (const canary of [10, 11]) {
      const c = compare(run(1, 1), run(1.2, 1.2, canary));
      expect(wallAt2(c).verdict).toBe('regressed');
      expect(c.passed).toBe(false);
    }
  });

  it('a share that moved within its band is noise: a 1.2x slowdown with 1.15x the CPU time still regresses', () => {
    expect(1.2 / 1.15 - 1).toBeLessThan(CPU_SHARE_BAND);
    expect(wallAt2(compare(run(1, 1), run(1.2, 1.15))).verdict).toBe('regressed');
  });

  it('a 2x slowdown of the code on a machine that was also busy (CPU 2x, wall 3x) is still a regression once divided by the load', () => {
    const m = wallAt2(compare(run(1, 1), run(3, 2)));
    expect(m.verdict).toBe('regressed');
  });
});
