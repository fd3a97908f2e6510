/**
 * The Findings: one row per model × data set (× mode), at most five sentences, worst news first, from
 * hand-built analyses whose every number is known (test/helpers/analysis-fixture.ts) and from small
 * runs built to show one finding each.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../src/analyse/index.js';
import { buildFindings, FINDINGS_COLUMNS, FINDINGS_RULES, MAX_SENTENCES } from '../src/report/findings/index.js';
import { stopVerdict, findingsGroups } from '../src/report/findings/groups.js';
import { HOSTILE_MODEL, makeComparison, makeFixture } from './helpers/analysis-fixture.js';
import { makeRunResult, type CellSpec } from './helpers/run-result.js';

const five = (v: number): number[] => [v, v, v, v, v];

function column(findings: ReturnType<typeof buildFindings>, id: string, row: number): string {
  const index = findings.columns.findIndex((c) => c.id === id);
  expect(index).toBeGreaterThanOrEqual(0);
  return findings.rows[row]![index]!;
}

/** Throughput per size and width, in samples/s (wall times follow from it). */
function throughputRun(table: Record<number, Record<number, number>>, extra: CellSpec[] = [], cores = 2) {
  const specs: CellSpec[] = Object.entries(table).flatMap(([size, byWidth]) =>
    Object.entries(byWidth).map(([workers, rate]) => ({ size: Number(size), workers: Number(workers), samplesPerSec: five(rate) })),
  );
  return makeRunResult([...specs, ...extra], { environment: { cores } });
}

describe('Findings table', () => {
  const fixture = makeFixture();
  const findings = buildFindings(fixture);

  it('has one row per model × data set and the columns the first screen needs', () => {
    expect(findings.rows).toHaveLength(2);
    expect(findings.columns.map((c) => c.id)).toEqual(['model', 'data', 'time', 'memory', 'speedup', 'stops-paying', 'mfu', 'quality', 'improves']);
    expect(column(findings, 'model', 0)).toBe('mlp-small');
    expect(column(findings, 'model', 1)).toBe(HOSTILE_MODEL);
  });

  it('states the size law with its interval and class: mlp-small t ∝ n^1.02 ± 0.03, O(n)', () => {
    expect(column(findings, 'time', 0)).toBe('1.02 ±0.03 O(n)');
    // Memory: a hand-set ±0.05 interval on the fitted exponent.
    expect(column(findings, 'memory', 0)).toMatch(/^0\.\d\d ±0\.05$/);
  });

  it('finds the best speedup, 4/1.33 = 3.01x at w=4 n=4k, and the USL peak sqrt(0.97/0.02) = 6.96', () => {
    expect(column(findings, 'speedup', 0)).toBe('3.01x w=4 n=4k');
    expect(column(findings, 'stops-paying', 0)).toBe('USL peak w≈7.0');
    // The hostile model has no USL fit and keeps 83% efficiency at the 2 cores.
    expect(column(findings, 'stops-paying', 1)).toBe('at 2 cores');
  });

  it('states MFU as a range and quality at the largest size with its trend', () => {
    expect(column(findings, 'mfu', 0)).toMatch(/^\d+–\d+%$/);
    // 0.89 + 0.01 log2(4) = 0.91 at n=4k, up 0.01 from 2k.
    expect(column(findings, 'quality', 0)).toBe('acc 0.910');
    expect(column(findings, 'improves', 0)).toBe('yes (+0.010)');
  });

  it('keeps names raw in the data (each format escapes them) and never prints NaN', () => {
    for (const row of findings.rows) for (const cell of row) expect(cell).not.toMatch(/NaN|Infinity|undefined/);
    expect(findings.sentences.map((s) => s.text).join(' ')).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('leaves out columns with nothing to show (MFU without calibration)', () => {
    const run = throughputRun({ 1000: { 1: 100, 2: 190 }, 2000: { 1: 100, 2: 190 } }, [], 2);
    const uncalibrated = analyse({ ...run, environment: { ...run.environment, peakFlopsPerSec: undefined } });
    const f = buildFindings({ result: run, analysis: uncalibrated });
    expect(f.columns.map((c) => c.id)).not.toContain('mfu');
  });
});

describe('Findings sentences', () => {
  it('puts the worst news first and keeps at most five', () => {
    const fixture = makeFixture();
    const current = makeFixture({ runId: 'run-b', slowdown: 1.3 });
    const findings = buildFindings({ ...current, comparison: makeComparison(fixture, current) });
    expect(findings.sentences.length).toBeLessThanOrEqual(MAX_SENTENCES);
    const severities = findings.sentences.map((s) => s.severity);
    expect(severities).toEqual([...severities].sort((a, b) => b - a));
    // The gate's regression leads, then the failed budget, then the failed cell, then the rest.
    expect(findings.sentences[0]!.text).toMatch(/^1 regression against baseline 2025-11-25T10-00-00Z-abc1234: wall time of mlp-small n=4k w=1 \+30\.0% \(95% CI \+21\.0% to \+39\.0%\)/);
    expect(findings.sentences[1]!.text).toBe('1 budget failed: no width-2 measurement for cnn-small.');
    expect(findings.sentences[2]!.text).toMatch(/^1 of 19 cells failed every repetition \(.* n=4k w=3\)/);
    expect(findings.sentences.concat(findings.moreSentences).some((s) => /faster configuration reached worse quality/.test(s.text))).toBe(true);
  });

  it('says when small cells are overhead-bound: a second worker gives 1.27x at n=4k but 1.91x at 32k', () => {
    const run = throughputRun({ 4000: { 1: 1000, 2: 1270 }, 8000: { 1: 1000, 2: 1600 }, 32000: { 1: 1000, 2: 1910 } });
    const f = buildFindings({ result: run, analysis: analyse(run) });
    expect(f.sentences.map((s) => s.text)).toContain('mlp-small: a second worker gives 1.27x at n=4k but 1.91x at 32k: small cells are overhead-bound.');
  });

  it('names the width where efficiency drops under 50%', () => {
    const run = throughputRun({ 1000: { 1: 1000, 2: 1200, 4: 1300 }, 2000: { 1: 1000, 2: 1200, 4: 1300 } }, [], 8);
    const analysis = analyse(run);
    expect(stopVerdict(findingsGroups(analysis)[0]!, 8)).toMatchObject({ kind: 'efficiency', workers: 4 });
    const f = buildFindings({ result: run, analysis });
    expect(f.sentences.map((s) => s.text)).toContain('mlp-small: workers stop paying at w=4 (efficiency 33% at n=2k).');
  });

  it('says core-bound when widths past the cores add nothing, once for all models', () => {
    const rates = { 1: 1000, 2: 1880, 3: 1770 };
    const models = ['a', 'b', 'c'];
    const specs: CellSpec[] = models.flatMap((model) =>
      [1000, 2000].flatMap((size) => Object.entries(rates).map(([w, rate]) => ({ model, size, workers: Number(w), samplesPerSec: five(rate) }))),
    );
    const run = makeRunResult(specs, { environment: { cores: 2 } });
    const f = buildFindings({ result: run, analysis: analyse(run) });
    const core = f.sentences.filter((s) => /scale up to the 2 cores and no further/.test(s.text));
    expect(core).toHaveLength(1);
    expect(core[0]!.text).toBe('All 3 models scale up to the 2 cores and no further: a gets 1.88x at w=2 and 1.77x at w=3 (n=2k).');
  });

  it('warns when time grows faster than linear, with what 10x the data costs', () => {
    const specs: CellSpec[] = [1000, 2000, 4000, 8000].map((size) => ({ size, wallMs: five(10 * (size / 1000) ** 1.5) }));
    const run = makeRunResult(specs);
    const f = buildFindings({ result: run, analysis: analyse(run) });
    expect(f.sentences[0]!.text).toBe('mlp-small: time grows faster than linear (n^1.50): 10x the data costs 32x the time.');
    expect(f.sentences[0]!.tone).toBe('bad');
  });

  it('puts noise first when a quarter or more of the cells are noisy: the laws rest on them', () => {
    const noisy = [100, 60, 140, 80, 120];
    const specs: CellSpec[] = [1000, 2000, 4000].map((size) => ({ size, wallMs: noisy.map((v) => (v * size) / 1000) }));
    const run = makeRunResult([...specs, { size: 8000, wallMs: five(800) }]);
    const f = buildFindings({ result: run, analysis: analyse(run) });
    expect(f.sentences[0]).toMatchObject({ tone: 'bad', text: '3 of 4 cells are noisy (wide spread between repetitions), so the laws above are rough: rerun on a quiet machine or add --repeats.' });
    const few = makeRunResult([...[1000, 2000, 4000, 8000].map((size) => ({ size, wallMs: five(size / 10) })), { size: 16000, wallMs: noisy.map((v) => v * 16) }]);
    const g = buildFindings({ result: few, analysis: analyse(few) });
    expect(g.sentences.find((x) => x.text.startsWith('1 of 5 cells are noisy'))?.tone).toBe('warn');
  });

  it('says what share of a data-parallel step the gradient exchange takes at the widest pool: 3 / (3 + 7) = 30%', () => {
    const step = (exchangeMs: number, computeMs: number) => Array.from({ length: 5 }, () => ({ steps: 10, exchangeMs: exchangeMs * 10, computeMs: computeMs * 10 }));
    const run = makeRunResult([
      { mode: 'data-parallel', size: 4000, workers: 1, wallMs: five(100), trialOverrides: step(0.1, 9.9) },
      { mode: 'data-parallel', size: 4000, workers: 2, wallMs: five(80), trialOverrides: step(3, 7) },
    ]);
    const f = buildFindings({ result: run, analysis: analyse(run) });
    expect(f.sentences).toContainEqual({ severity: 48, tone: 'warn', text: 'mlp-small: exchanging gradients takes 30% of a step at w=2 (n=4k).' });
  });

  it('every rule and column is registered once', () => {
    expect(new Set(FINDINGS_RULES).size).toBe(FINDINGS_RULES.length);
    expect(new Set(FINDINGS_COLUMNS.map((c) => c.id)).size).toBe(FINDINGS_COLUMNS.length);
  });
});
