/**
 * compare() on the committed fake-runner fixtures in fixtures/baselines/ (see generate.mjs there):
 * each file is the same sweep with the one change its name says, so each verdict is known in advance.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Comparison } from '../src/gate/schema.js';
import type { RunResult } from '../src/results/schema.js';
import { compare } from '../src/gate/compare.js';
import { readRunResult } from '../src/results/file.js';
import { nonFiniteNumbers } from './helpers/run-result.js';

const dir = fileURLToPath(new URL('../fixtures/baselines/', import.meta.url));
const load = (name: string): Promise<RunResult> => readRunResult(`${dir}${name}.json`);

async function against(name: string, baseline = 'baseline'): Promise<Comparison> {
  return compare(await load(baseline), await load(name));
}

const gatedRegressions = (c: Comparison) => c.metrics.filter((m) => m.gated && m.verdict === 'regressed');

describe('fixtures/baselines', () => {
  it('baseline vs itself and vs a re-run with other noise: unchanged, passed', async () => {
    for (const name of ['baseline', 'rerun-seed-7']) {
      const c = await against(name);
      expect(c.gateMode, name).toBe('raw');
      expect(c.metrics.filter((m) => m.verdict === 'regressed' || m.verdict === 'improved'), name).toEqual([]);
      expect(c.passed, name).toBe(true);
      expect(nonFiniteNumbers(c), name).toEqual([]);
    }
  });

  it('the 4-width sweeps have USL fits, so the USL peak is compared', async () => {
    const c = await against('rerun-seed-7');
    const peaks = c.metrics.filter((m) => m.metric === 'uslPeak');
    expect(peaks.length).toBeGreaterThan(0);
    expect(peaks.every((m) => m.verdict === 'unchanged')).toBe(true);
  });

  it('mlp-deep-2x-slower: every mlp-deep cell regressed on raw time, and time-vs-parameters got steeper', async () => {
    const c = await against('mlp-deep-2x-slower');
    const regressed = c.metrics.filter((m) => m.verdict === 'regressed');
    const walls = regressed.filter((m) => m.metric === 'wallMs');
    expect(walls).toHaveLength(12); // 3 sizes x 4 widths
    expect(walls.every((m) => m.subject.startsWith('mlp-deep|'))).toBe(true);
    // Widths 3 and 4 exceed the fixtures' 2 cores: their times measure contention, shown but not gated.
    expect(walls.filter((m) => m.gated).map((m) => m.subject.split('|')[3]).sort()).toEqual(['w=1', 'w=1', 'w=1', 'w=2', 'w=2', 'w=2']);
    // Two models: exponent log(2 x 70/7) / log(207108/6532) = 0.866 against log(10) / log(31.7) = 0.666.
    const params = regressed.filter((m) => m.metric === 'paramsExponent');
    expect(params).toHaveLength(12); // 3 sizes x 4 widths
    expect(params.filter((m) => m.gated)).toHaveLength(6);
    for (const m of params) {
      expect(m.baseline).toBeCloseTo(Math.log(10) / Math.log(207108 / 6532), 1);
      expect(m.current).toBeCloseTo(Math.log(20) / Math.log(207108 / 6532), 1);
      expect(m.test).toBe('interval-overlap+band');
    }
    expect(regressed).toHaveLength(24);
    expect(gatedRegressions(c)).toHaveLength(12);
    expect(c.passed).toBe(false);
    // Half the 24 cells at 2x: geometric mean sqrt(2).
    expect(c.geometricMeanRatio).toBeCloseTo(Math.SQRT2, 6);
  });

  it('mlp-deep-5pct-slower: inside the 10% noise band, passed', async () => {
    const c = await against('mlp-deep-5pct-slower');
    expect(gatedRegressions(c)).toEqual([]);
    expect(c.passed).toBe(true);
    expect(c.geometricMeanRatio).toBeCloseTo(Math.sqrt(1.05), 6);
  });

  it('mlp-deep-2x-slower-other-machine: shape gate, raw times shown but not gated', async () => {
    const c = await against('mlp-deep-2x-slower-other-machine');
    expect(c.sameMachine).toBe(false);
    expect(c.gateMode).toBe('shape');
    expect(c.metrics.filter((m) => m.metric === 'wallMs' && m.verdict === 'regressed' && !m.gated)).toHaveLength(12);
    expect(gatedRegressions(c)).toEqual([]);
    expect(c.passed).toBe(true);
  });

  it('contention-sigma-0.3-other-machine: efficiency dropped, gated across machines', async () => {
    const c = await against('contention-sigma-0.3-other-machine');
    expect(c.gateMode).toBe('shape');
    const eff2 = c.metrics.filter((m) => m.metric === 'efficiency@2');
    expect(eff2).toHaveLength(6);
    expect(eff2.every((m) => m.verdict === 'regressed' && m.gated)).toBe(true);
    expect(c.passed).toBe(false);
  });

  it('mlp-small-quality-drop-0.1: quality regressed by 0.1 in every mlp-small cell', async () => {
    const c = await against('mlp-small-quality-drop-0.1');
    const q = gatedRegressions(c);
    expect(q).toHaveLength(12);
    expect(q.every((m) => m.metric === 'quality' && m.subject.startsWith('mlp-small|') && Math.abs(m.change + 0.1) < 1e-9)).toBe(true);
  });

  it('3 repetitions: the warning says the test cannot fire, the 2x slowdown still fails', async () => {
    const c = await against('mlp-deep-2x-slower-3-repeats', 'baseline-3-repeats');
    expect(c.warnings.some((w) => /too few repetitions: with 3 vs 3 .* 0\.1, so at alpha 0\.05 that test can never fire/.test(w))).toBe(true);
    expect(gatedRegressions(c).filter((m) => m.metric === 'wallMs')).toHaveLength(6); // widths 1 and 2; 3 and 4 exceed the 2 cores
    expect(c.passed).toBe(false);
  });

  it('never puts NaN or Infinity into a comparison', async () => {
    const names = ['baseline', 'rerun-seed-7', 'mlp-deep-2x-slower', 'mlp-deep-5pct-slower', 'mlp-deep-2x-slower-other-machine', 'contention-sigma-0.3-other-machine', 'mlp-small-quality-drop-0.1'];
    for (const name of names) expect(nonFiniteNumbers(await against(name)), name).toEqual([]);
    expect(nonFiniteNumbers(await against('mlp-deep-2x-slower-3-repeats', 'baseline-3-repeats'))).toEqual([]);
  });
});
