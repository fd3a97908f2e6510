/** Budgets: the grammar (valid and malformed), and evaluation against hand-computable analyses. */
import { describe, expect, it } from 'vitest';
import { BUDGET_GRAMMAR, evaluateBudget, parseBudget, parseBudgets } from '../src/gate/budgets.js';
import { DEFAULT_RESAMPLING } from '../src/gate/thresholds.js';
import { UsageError } from '../src/config/errors.js';
import { analyse } from '../src/analyse/index.js';
import { makeRunResult } from './helpers/run-result.js';

describe('parseBudget', () => {
  it('parses the forms of the grammar', () => {
    expect(parseBudget('mlp-deep.exponent<=1.1')).toEqual({
      expression: 'mlp-deep.exponent<=1.1',
      model: 'mlp-deep',
      dataset: null,
      metric: 'exponent',
      workers: null,
      size: null,
      op: '<=',
      limit: 1.1,
    });
    expect(parseBudget('efficiency@2>=0.8')).toMatchObject({ model: null, metric: 'efficiency', workers: 2, size: null, op: '>=', limit: 0.8 });
    expect(parseBudget(' mlp-small@moons.quality >= 85% ')).toMatchObject({ expression: 'mlp-small@moons.quality >= 85%', model: 'mlp-small', dataset: 'moons', metric: 'quality', limit: 0.85 });
    expect(parseBudget('rss@n=16k<=512MB')).toMatchObject({ metric: 'rss', size: 16000, workers: null, limit: 512e6 });
    expect(parseBudget('rss<=1GiB').limit).toBe(2 ** 30);
    expect(parseBudget('wallMs@4000<2s')).toMatchObject({ metric: 'wallMs', size: 4000, op: '<', limit: 2000 });
    expect(parseBudget('linear.wallMs@n=1k,w=2<=50')).toMatchObject({ size: 1000, workers: 2, limit: 50 });
    expect(parseBudget('speedup@w=4>1.5')).toMatchObject({ metric: 'speedup', workers: 4, op: '>', limit: 1.5 });
    expect(parseBudget('usl.peak>=3')).toMatchObject({ metric: 'uslPeak', model: null, limit: 3 });
    expect(parseBudget('mlp-deep.usl.peak>=3')).toMatchObject({ metric: 'uslPeak', model: 'mlp-deep' });
    expect(parseBudget('samplesPerSec@n=4k>=10k')).toMatchObject({ metric: 'samplesPerSec', size: 4000, limit: 10_000 });
    expect(parseBudget('exponent@2<=1.2')).toMatchObject({ metric: 'exponent', workers: 2 });
    expect(parseBudget('custom:my.model.exponent<1')).toMatchObject({ model: 'custom:my.model', metric: 'exponent' });
    expect(parseBudget('karpFlatt@2<=5%').limit).toBeCloseTo(0.05, 12);
  });

  it('rejects malformed budgets with a UsageError naming the budget and showing the grammar', () => {
    const cases: Array<[string, RegExp]> = [
      ['exponent', /no comparison operator/],
      ['mlp-deep.exponent<=abc', /left side|right side/],
      ['latency<=10', /known metric/],
      ['efficiency>=0.8', /needs a pool width, e.g. efficiency@2/],
      ['rss<=5parsecs', /unit "parsecs" is not allowed for rss/],
      ['exponent<=1.1%%', /right side|unit/],
      ['efficiency@0>=0.5', /not a valid pool width/],
      ['wallMs@x=3<=5', /unknown selector "x=3"/],
      ['exponent<=1.1GB', /unit "GB" is not allowed for exponent \(give a plain number\)/],
      ['', /empty/],
    ];
    for (const [text, why] of cases) {
      let error: unknown;
      try {
        parseBudget(text);
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(UsageError);
      const message = (error as Error).message;
      expect(message, text).toContain(`--assert "${text.trim()}"`);
      expect(message, text).toMatch(why);
      expect(message, text).toContain('budget grammar: [model[@dataset].]metric[@selector]<op>number[unit]');
      expect((error as UsageError).exitCode).toBe(2);
    }
  });

  it('names the source when budgets come from a file', () => {
    expect(() => parseBudgets(['exponent<=1', 'nope'], 'ci.json: assert')).toThrow(/^ci\.json: assert "nope"/);
    expect(BUDGET_GRAMMAR).toMatch(/efficiency@W/);
  });
});

describe('evaluateBudget', () => {
  // mlp-small: time exactly proportional to n (exponent 1); throughput 1000 at w=1 and 1600 at w=2
  // (speedup 1.6, efficiency 0.8). mlp-deep: time grows as n^1.5.
  const result = makeRunResult([
    { model: 'mlp-small', size: 1000, workers: 1, wallMs: [100, 100, 100] },
    { model: 'mlp-small', size: 2000, workers: 1, wallMs: [200, 200, 200], samplesPerSec: [1000, 1000, 1000] },
    { model: 'mlp-small', size: 2000, workers: 2, samplesPerSec: [1600, 1600, 1600], quality: 0.8 },
    { model: 'mlp-deep', size: 1000, workers: 1, wallMs: [100, 100, 100], peakRssBytes: [300 * 2 ** 20] },
    { model: 'mlp-deep', size: 4000, workers: 1, wallMs: [800, 800, 800], peakRssBytes: [600 * 2 ** 20], quality: 0.95 },
  ]);
  const analysis = analyse(result);
  const check = (text: string) => evaluateBudget(parseBudget(text), analysis, { result, ...DEFAULT_RESAMPLING });

  it('passes and fails exponent budgets with the measured value in the message', () => {
    const ok = check('mlp-small.exponent<=1.1');
    expect(ok.passed).toBe(true);
    expect(ok.measured).toBeCloseTo(1, 10);
    expect(ok.message).toContain('mlp-small.exponent<=1.1 passed: exponent 1 ');
    const bad = check('mlp-deep.exponent<=1.1');
    expect(bad.passed).toBe(false);
    expect(bad.measured).toBeCloseTo(1.5, 10);
    // Three identical repetitions: the medians' interval is the single value at its true 75% coverage.
    expect(bad.message).toMatch(/^mlp-deep\.exponent<=1\.1 failed: exponent 1\.5 \(on mlp-deep\|classification\|w=1\|job-parallel\|wallMs; 75% interval 1\.5 … 1\.5\) exceeds the limit 1\.1\./);
  });

  it('takes the worst subject when no model is named', () => {
    const worst = check('exponent<=1.2');
    expect(worst.passed).toBe(false);
    expect(worst.measured).toBeCloseTo(1.5, 10);
    expect(worst.message).toContain('worst of 2');
    expect(check('exponent>=0.9').measured).toBeCloseTo(1, 10);
  });

  it('checks efficiency and speedup at a width', () => {
    const eff = check('efficiency@2>=0.8');
    expect(eff.passed).toBe(true);
    expect(eff.measured).toBeCloseTo(0.8, 12);
    const strict = check('efficiency@2>=85%');
    expect(strict.passed).toBe(false);
    expect(strict.message).toContain('efficiency 0.8 (on mlp-small|classification|n=2000|job-parallel @ w=2; 95% interval 0.8 … 0.8) is below the limit 0.85');
    expect(check('speedup@2>1.5').passed).toBe(true);
    expect(check('speedup@2>1.6').passed).toBe(false); // strict inequality at the exact value
  });

  it('checks per-cell metrics with size and width selectors', () => {
    expect(check('mlp-deep.wallMs@n=4k<=800ms').passed).toBe(true);
    expect(check('mlp-deep.wallMs@4000<800').passed).toBe(false);
    // The w=2 cell's wall time follows from its throughput: 4000 samples at 1600/s = 2500 ms.
    expect(check('wallMs<=3s').passed).toBe(true);
    const slowest = check('wallMs<=2s');
    expect(slowest.measured).toBeCloseTo(2500, 9);
    expect(slowest.message).toContain('mlp-small|classification|n=2000|w=2|job-parallel');
    const rss = check('mlp-deep.rss<=500MiB');
    expect(rss.passed).toBe(false);
    expect(rss.measured).toBe(600 * 2 ** 20);
    expect(rss.message).toContain('600 MiB');
    expect(check('quality>=0.8').passed).toBe(true);
    expect(check('quality@w=2>0.8').passed).toBe(false);
    expect(check('mlp-small.samplesPerSec@n=2000,w=2>=1.6k').passed).toBe(true);
  });

  it('fails a budget that matches nothing, listing what the run has', () => {
    const r = check('mlp-huge.exponent<=1');
    expect(r.passed).toBe(false);
    expect(r.measured).toBeNull();
    expect(r.message).toContain('no measurement matches');
    expect(r.message).toContain('models mlp-small, mlp-deep');
    expect(check('efficiency@8>=0.5').passed).toBe(false);
    expect(check('usl.peak>=2').message).toContain('no measurement matches'); // fewer than 4 widths: no USL
  });
});
