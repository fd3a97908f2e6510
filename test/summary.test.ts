import { describe, expect, it } from 'vitest';
import { analyse } from '../src/analyse/index.js';
import { renderScalingSummary } from '../src/report/summary.js';
import { renderWarningGroups, renderWarningList } from '../src/report/terminal.js';
import { makeFixture } from './helpers/analysis-fixture.js';
import { makeRunResult, type CellSpec } from './helpers/run-result.js';

const ESC = '\u001b';
const five = (v: number): number[] => [v, v, v, v, v];
const BIG_MODEL = { trainFlopsPerSample: 6e6, params: 1e6 };

/**
 * t = 5n at w = 1 over 4 sizes; at n = 8000 widths 1, 2, 4 with speedups 1.88 and 3 on 2 cores.
 * Accuracy 0.9 everywhere except w = 2 (0.85), which is faster than the slowest cell (w = 4) and so flagged.
 */
function sweepRun(extra: CellSpec[] = [], environment = {}) {
  const sizes: CellSpec[] = [1000, 2000, 4000, 8000].map((size) => ({ size, wallMs: five(5 * size), modelInfo: BIG_MODEL }));
  const widths: CellSpec[] = [
    { size: 8000, workers: 2, samplesPerSec: five(376), modelInfo: BIG_MODEL, quality: 0.85 },
    { size: 8000, workers: 4, samplesPerSec: five(600), modelInfo: BIG_MODEL },
  ];
  return makeRunResult([...sizes, ...widths, ...extra], { environment });
}

describe('renderScalingSummary', () => {
  const text = renderScalingSummary(analyse(sweepRun()), { color: false });

  it('states the data-size law with its interval, R² and Big-O class', () => {
    expect(text).toContain('time grows as n^1.00 [1.00, 1.00] (R² 1.000, best fit O(n))');
    expect(text).toContain('process peak RSS grows as n^0.00');
  });

  it('states speedup, efficiency and Karp-Flatt per width, and why there is no USL', () => {
    expect(text).toContain('w=2: 1.88x, 94% efficient, Karp-Flatt 0.06');
    expect(text).toContain('w=4: 3.00x, 75% efficient, Karp-Flatt 0.11 (oversubscribed)');
    expect(text).toContain('USL n/a: not enough widths: 3 < 4');
  });

  it('states GFLOP/s and MFU, quality per cell, and the warnings', () => {
    // 6 MFLOP per sample at 200 samples/s = 1.2 GFLOP/s (12% of 10 GFLOP/s); w=2: 2.256 of 2 x 10
    // (11.3%); w=4: 3.6 of 2 x 10 (18%, two cores, not four).
    expect(text).toContain('compute: 1.2–3.6 GFLOP/s, MFU 11.3%–18.0% (best at n=8k, w=4)');
    expect(text).toContain('quality (accuracy after 1 epoch, 32-250 steps by size): n=1k: w=1 0.900;');
    expect(text).toContain('n=8k: w=1 0.900, w=2 0.850 (worse than slowest), w=4 0.900');
    const warnings = analyse(sweepRun()).warnings;
    const list = renderWarningList(warnings, { color: false });
    expect(list).toContain('quality-tradeoff:');
    expect(list).toMatch(/Warnings \(\d+\)/);
    expect(list).toContain("oversubscribed: w=4 exceeds the machine's 2 logical cores");
    // Grouped: one line per kind, with its count.
    const grouped = renderWarningGroups(warnings, { color: false }).split('\n');
    expect(grouped).toHaveLength(1 + new Set(warnings.map((w) => w.code)).size);
    expect(grouped.some((line) => line.startsWith('  oversubscribed (1): '))).toBe(true);
  });

  it('names the USL peak when the sweep has enough widths', () => {
    const N = [1, 2, 4, 6, 8, 10];
    const X = [1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557];
    const run = makeRunResult(N.map((workers, i) => ({ workers, samplesPerSec: five((X[i] ?? 0) * 1000) })), { environment: { cores: 16 } });
    const usl = renderScalingSummary(analyse(run), { color: false });
    expect(usl).toMatch(/USL: peak at w=7\.0, 3\.57k samples\/s \(coherency-limited; σ 0\.02, κ 0\.02/);
  });

  it('says "n/a (no calibration)" for MFU without a peak, never NaN or Infinity', () => {
    const uncalibrated = renderScalingSummary(analyse(sweepRun([], { peakFlopsPerSec: undefined })), { color: false });
    expect(uncalibrated).toContain('MFU n/a (no calibration)');
    expect(renderWarningList(analyse(sweepRun([], { peakFlopsPerSec: undefined })).warnings, { color: false })).toContain('no-calibration');
    const uniform = renderScalingSummary(analyse(makeRunResult([{ size: 1000 }, { size: 2000 }])), { color: false });
    expect(uniform).toContain('quality (accuracy after 1 epoch, 32-63 steps by size): 0.900 in every cell');
  });

  it('prints no NaN, Infinity or undefined for edge cases, and tables the model-complexity law', () => {
    const failed: CellSpec = { model: 'other', size: 1000, trialOverrides: [0, 1, 2, 3, 4, 5].map(() => ({ state: 'errored' as const })) };
    const lonely: CellSpec = { model: 'lonely', size: 8000, wallMs: [7] };
    const small: CellSpec = { model: 'tiny', size: 1000, wallMs: five(1000), modelInfo: { params: 10, trainFlopsPerSample: 60 } };
    const edge = analyse(sweepRun([failed, lonely, small]));
    const out = renderScalingSummary(edge, { color: false });
    expect(out).not.toMatch(/NaN|Infinity|undefined|null/);
    expect(renderWarningList(edge.warnings, { color: false })).toContain('failed-cell');
    // The largest size with 2 or more models at width 1; 'tiny' (60 FLOPs x 1000 samples/s) is not in it.
    expect(out).toMatch(/Model complexity \(n=8k, w=1 on classification\)/);
    expect(out).toContain('time per sample grows as params^');
    expect(out).toContain('tiny on classification\n  compute: 0.00006 GFLOP/s');
    expect(renderScalingSummary(analyse(makeRunResult([])), { color: false })).toContain('no cells were analysed');
  });

  it('colours only when asked, and never passes terminal escapes from names through', () => {
    expect(text).not.toContain(ESC);
    expect(renderScalingSummary(analyse(sweepRun()), { color: true })).toContain(`${ESC}[`);
    const sneaky = renderScalingSummary(analyse(makeRunResult([{ model: `bad${ESC}[31mname` }])), { color: false });
    expect(sneaky).not.toContain(ESC);
    expect(sneaky).toContain('bad?[31mname');
  });

  it('renders the hand-built reporter fixture (hostile names, failed cell, USL fit) without n/a leaks', () => {
    const { analysis } = makeFixture();
    const out = renderScalingSummary(analysis, { color: false });
    expect(out).not.toMatch(/NaN|Infinity|undefined/);
    expect(out).toContain('time grows as n^1.02 [0.99, 1.05] (R² 0.998, best fit O(n))');
    expect(out).toContain('USL: peak at w=7.0');
    expect(out).toContain('w=2: 1.87x, 93% efficient, Karp-Flatt 0.07');
  });
});
