/** The gate's inputs and outputs without spawning the CLI: thresholds, gate config, baselines, the terminal table. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gateOptionsFromConfig, parseThresholds, resolveGateSettings } from '../src/gate/settings.js';
import { DEFAULT_THRESHOLDS } from '../src/gate/thresholds.js';
import { compare } from '../src/gate/compare.js';
import { parseBudget } from '../src/gate/budgets.js';
import { baselinePath, loadBaseline, saveBaseline } from '../src/gate/baselines.js';
import { renderComparisonTable, describeGate } from '../src/report/comparison-table.js';
import { UsageError } from '../src/config/errors.js';
import { makeRunResult } from './helpers/run-result.js';

describe('parseThresholds', () => {
  it('a bare value sets times and memory; metric=value sets one metric; repeats merge', () => {
    expect(parseThresholds('5%')).toEqual({ wallMs: 0.05, peakRssBytes: 0.05 });
    expect(parseThresholds('0.2')).toEqual({ wallMs: 0.2, peakRssBytes: 0.2 });
    expect(parseThresholds('wallMs=5%,rss=20%,quality=0.01')).toEqual({ wallMs: 0.05, peakRssBytes: 0.2, quality: 0.01 });
    expect(parseThresholds('usl.peak=30%', parseThresholds('exponent=0.15'))).toEqual({ exponent: 0.15, uslPeak: 0.3 });
    expect(parseThresholds('time=150%').wallMs).toBeCloseTo(1.5, 12);
  });

  it('rejects what would be a mistake, naming the flag', () => {
    expect(() => parseThresholds('10')).toThrow(/--threshold: "10" would be a 1000% noise band; write 10% for 10 percent/);
    expect(() => parseThresholds('speed=5%')).toThrow(/--threshold: unknown metric "speed"/);
    expect(() => parseThresholds('quality=2')).toThrow(/not a threshold for quality/);
    expect(() => parseThresholds('-5%')).toThrow(UsageError);
    expect(() => parseThresholds('wallMs=')).toThrow(UsageError);
  });

  it('the exponent band is absolute (0.1 = 1.0 -> 1.1), and the canary band relative', () => {
    expect(parseThresholds('exponent=0.2,canary=15%')).toEqual({ exponent: 0.2, canary: 0.15 });
    expect(parseThresholds('exponent=1.5')).toEqual({ exponent: 1.5 });
    expect(() => parseThresholds('exponent=10%')).toThrow(/the exponent band is an absolute difference of the exponent \(0\.1 means 1\.0 -> 1\.1\), not a percentage; write e\.g\. exponent=0\.1/);
    expect(() => parseThresholds('exponent=11')).toThrow(/give a number from 0 to 10/);
  });
});

describe('gate config', () => {
  it('parses budgets and thresholds, naming the file in errors', () => {
    const opts = gateOptionsFromConfig({ assert: ['efficiency@2>=0.8'], threshold: { wallMs: '5%', quality: 0.01 }, alpha: 0.01, gate: 'shape' }, 'ci.json');
    expect(opts.assert?.map((b) => b.expression)).toEqual(['efficiency@2>=0.8']);
    expect(opts.threshold).toEqual({ wallMs: 0.05, quality: 0.01 });
    expect(opts.alpha).toBe(0.01);
    expect(opts.gate).toBe('shape');
    expect(gateOptionsFromConfig({ threshold: '20%' }, 'ci.json').threshold).toEqual({ wallMs: 0.2, peakRssBytes: 0.2 });
    expect(() => gateOptionsFromConfig({ assert: ['bogus'] }, 'ci.json')).toThrow(/^ci\.json: assert "bogus"/);
    expect(() => gateOptionsFromConfig({ threshold: { nope: 1 } }, 'ci.json')).toThrow(/^ci\.json: threshold: unknown metric "nope"/);
  });

  it('flags add budgets to the file and override its settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-gatecfg-'));
    const file = join(dir, 'gate.json');
    writeFileSync(file, JSON.stringify({ assert: ['exponent<=1.2'], threshold: { wallMs: '5%', rss: '30%' }, alpha: 0.01 }));
    const settings = await resolveGateSettings({ gateConfig: file, assert: [parseBudget('efficiency@2>=0.5')], threshold: { wallMs: 0.2 } });
    expect(settings.budgets.map((b) => b.expression)).toEqual(['exponent<=1.2', 'efficiency@2>=0.5']);
    expect(settings.compareOptions.thresholds).toEqual({ ...DEFAULT_THRESHOLDS, wallMs: 0.2, peakRssBytes: 0.3 });
    expect(settings.compareOptions.alpha).toBe(0.01);
    expect(settings.compareOptions.gate).toBe('auto');
    expect(settings.compareOptions.normalise).toBe('none');
    expect(settings.confirm).toBe(true);
    writeFileSync(file, JSON.stringify({ normalise: 'canary', confirm: false }));
    const fromFile = await resolveGateSettings({ gateConfig: file });
    expect(fromFile.compareOptions.normalise).toBe('canary');
    expect(fromFile.confirm).toBe(false);
    expect((await resolveGateSettings({ gateConfig: file, normalise: 'none', confirm: true })).confirm).toBe(true);
    writeFileSync(file, '{"alpha": 0.9}');
    await expect(resolveGateSettings({ gateConfig: file })).rejects.toThrow(/gate\.json: is not a gate config: alpha/);
    await expect(resolveGateSettings({ gateConfig: join(dir, 'none.json') })).rejects.toThrow(/none\.json: no such file/);
  });
});

describe('baselines', () => {
  it('maps names under <out>/baselines and paths as given', () => {
    expect(baselinePath('main', '/r')).toBe(resolve('/r/baselines/main.json'));
    expect(baselinePath('release-1.2', 'reports')).toBe(resolve('reports/baselines/release-1.2.json'));
    expect(baselinePath('ci/base.json', '/r')).toBe(resolve('ci/base.json'));
    expect(baselinePath('base.json', '/r')).toBe(resolve('base.json'));
    expect(() => baselinePath('..', '/r', '--save-baseline', false)).toThrow(/"\.\." is not a valid baseline name/);
    expect(() => baselinePath('.hidden', '/r')).toThrow(/not a valid baseline name/);
    expect(() => baselinePath('a b', '/r', '--save-baseline')).toThrow(/^--save-baseline: "a b" is not a valid baseline name/);
    expect(() => baselinePath(' ', '/r')).toThrow(/give a baseline name/);
  });

  it('saves and loads a run, and says how to create a missing one', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-baseline-'));
    const result = makeRunResult([{ wallMs: [1, 2, 3] }]);
    const path = await saveBaseline('main', out, result);
    expect(path).toBe(join(out, 'baselines', 'main.json'));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(result);
    expect((await loadBaseline('main', out)).result).toEqual(result);
    // A run folder stands for its results.json.
    await saveBaseline(join(out, 'run1', 'results.json'), out, result);
    expect((await loadBaseline(join(out, 'run1'), out)).result.runId).toBe(result.runId);
    await expect(loadBaseline('nightly', out)).rejects.toThrow(/--baseline nightly: no baseline at .*nightly\.json\. Create it with `scale-bench run --save-baseline nightly`/);
    await expect(saveBaseline(join(out, 'run1') + '/', out, result)).rejects.toThrow(/is a folder/);
    expect(existsSync(join(out, 'baselines', 'nightly.json'))).toBe(false);
  });
});

describe('renderComparisonTable', () => {
  const base = makeRunResult([
    { model: 'a', wallMs: [99, 100, 101, 102, 98, 100.5] },
    { model: 'b', wallMs: [99, 100, 101, 102, 98, 100.5] },
  ]);
  const slow = makeRunResult([
    { model: 'a', wallMs: [198, 200, 202, 204, 196, 201] },
    { model: 'b', wallMs: [99, 100, 101, 102, 98, 100.5] },
  ]);

  it('lists what changed, counts the rest, and ends with the verdict and the reasons', () => {
    const c = compare(base, slow, { budgets: [parseBudget('b.wallMs<=50')] });
    const text = renderComparisonTable(c, { color: false });
    expect(text).toContain('gate: raw: same machine fingerprint');
    expect(text).toMatch(/regressed .*wallMs .*a\|classification\|n=1000\|w=1\|job-parallel .*\+100\.0%/);
    expect(text).toMatch(/\d+ of \d+ comparisons unchanged \(not listed; --all lists them\)/);
    expect(text).toContain(`geometric mean of wall-time ratios (current / baseline) over 2 cells: ${Math.SQRT2.toFixed(3)}x (+41.4%)`);
    expect(text).toContain('FAILED: 1 regression, 0 improvements, 1 of 1 budgets failed');
    expect(text).toContain('✗ regressed wallMs of a|classification|n=1000|w=1|job-parallel: +100.0%');
    expect(text).toContain('✗ budget b.wallMs<=50 failed');
    expect(text).not.toMatch(/\u001b\[/);
    expect(renderComparisonTable(c, { color: true })).toMatch(/\u001b\[31m/);
    const all = renderComparisonTable(c, { color: false, all: true });
    expect(all).toMatch(/unchanged .*wallMs .*b\|classification/);
  });

  it('names the gate that applied', () => {
    const other = compare(base, makeRunResult([{ model: 'a' }], { environment: { machineId: 'x' } }));
    expect(describeGate(other)).toMatch(/^shape: the runs came from different machines/);
    expect(renderComparisonTable(compare(base, base), { color: false })).toMatch(/PASSED: 0 regressions, 0 improvements$/);
  });
});
