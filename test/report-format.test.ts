import { describe, expect, it } from 'vitest';
import { describeSizeScaling, describeUsl, describeWidthPoint, describeWidthScaling, fmtBytes, fmtChange, fmtFixed, fmtMs, fmtNumber, fmtPercent, fmtPower, lawSentences, mdEscape, runLabels } from '../src/report/text.js';
import { HOSTILE_MODEL, makeFixture } from './helpers/analysis-fixture.js';

describe('number formatting', () => {
  it('prints n/a, never NaN, Infinity or undefined', () => {
    for (const f of [fmtNumber, fmtMs, fmtBytes, fmtPercent, (x: number | null | undefined) => fmtFixed(x, 2)]) {
      for (const bad of [null, undefined, NaN, Infinity, -Infinity]) expect(f(bad)).toBe('n/a');
    }
    expect(fmtPower('n', null)).toBe('n/a');
    expect(fmtPower('n', { value: NaN, low: null, high: null, level: 0.95 })).toBe('n/a');
  });

  it('rounds to 3 significant digits with separators', () => {
    expect(fmtNumber(50_000)).toBe('50,000');
    expect(fmtNumber(93_457.9)).toBe('93,500');
    expect(fmtNumber(0.0012345)).toBe('0.00123');
    expect(fmtNumber(0)).toBe('0');
    expect(fmtNumber(4000, 21)).toBe('4,000');
  });

  it('picks a readable time unit', () => {
    expect(fmtMs(32)).toBe('32.0 ms');
    expect(fmtMs(1070.4)).toBe('1.07 s');
    expect(fmtMs(150_000)).toBe('2.50 min');
  });

  it('formats bytes, percentages and signed changes', () => {
    // One family of formats: binary units in every report, as in the terminal.
    expect(fmtBytes(184.7615e6)).toBe('176 MiB');
    expect(fmtBytes(2.5e9)).toBe('2.33 GiB');
    expect(fmtPercent(0.9346)).toBe('93%');
    expect(fmtPercent(0.05136, 1)).toBe('5.1%');
    expect(fmtFixed(-0.00001, 2)).toBe('-0.00001');
    expect(fmtFixed(-0, 2)).toBe('0.00');
    expect(fmtChange({ metric: 'wallMs', change: 0.3 })).toBe('+30.0%');
    expect(fmtChange({ metric: 'wallMs', change: -0.2 })).toBe('-20.0%');
    expect(fmtChange({ metric: 'quality', change: -0.04 })).toBe('-0.0400');
  });
});

describe('laws in words', () => {
  const { analysis } = makeFixture();

  it('states the size exponent with its half-width', () => {
    expect(fmtPower('n', { value: 1.0213, low: 0.9913, high: 1.0513, level: 0.95 })).toBe('n^1.02 ± 0.03');
    const s = analysis.sizeScaling.find((x) => x.model === 'mlp-small' && x.workers === 1 && x.metric === 'wallMs')!;
    expect(describeSizeScaling(s)).toBe('time grows as n^1.02 ± 0.03 (closest class O(n), R² 0.998)');
  });

  it('says when an exponent has no interval or no fit', () => {
    const two = analysis.sizeScaling.find((x) => x.model === HOSTILE_MODEL && x.workers === 3 && x.metric === 'wallMs')!;
    expect(describeSizeScaling(two)).toContain('n^1.21 (');
    expect(describeSizeScaling(two)).toContain('no interval from 2 sizes');
    expect(describeSizeScaling({ ...two, exponent: null, points: [{ size: 1000, value: 1 }] })).toBe(
      'time: not enough sizes to fit a law (1 measured, 2 needed)',
    );
  });

  it('states speedup and efficiency per width: S(2) = 2/1.07 = 1.869, E = 93.5%', () => {
    const w = analysis.widthScaling.find((x) => x.model === 'mlp-small' && x.size === 1000)!;
    expect(describeWidthPoint(w.points[1]!)).toBe('2 workers: 1.87x, 93% efficient');
    // S(3) = 3/1.18 = 2.542, E = 84.7%; 3 > 2 cores.
    expect(describeWidthPoint(w.points[2]!)).toBe('3 workers: 2.54x, 85% efficient, oversubscribed');
    expect(describeWidthPoint({ workers: 2, throughput: 1234, speedup: null, efficiency: null, karpFlatt: null, oversubscribed: false })).toBe(
      '2 workers: 1,230 samples/s (no 1-worker baseline)',
    );
  });

  it('gives the USL peak, or the reason there is none', () => {
    const fitted = analysis.widthScaling.find((x) => x.model === 'mlp-small' && x.size === 4000)!;
    // sqrt(0.97 / 0.02) = 6.964
    expect(describeUsl(fitted)).toContain('throughput peaks at 7.0 workers');
    expect(describeUsl(fitted)).toContain('σ 0.03, κ 0.02, limited by coherency');
    // Parameters keep 3 significant digits: a small κ never prints as 0.000.
    const tiny = { ...fitted, usl: { ...(fitted.usl as Exclude<typeof fitted.usl, { unavailable: string }>), kappa: 0.000104 } };
    expect(describeUsl(tiny)).toContain('κ 0.000104');
    const unfitted = analysis.widthScaling.find((x) => x.model === 'mlp-small' && x.size === 1000)!;
    expect(describeUsl(unfitted)).toBe('USL: not enough widths: 3 < 4');
    expect(describeWidthScaling(unfitted)).toBe(
      '2 workers: 1.87x, 93% efficient; 3 workers: 2.54x, 85% efficient, oversubscribed; USL: not enough widths: 3 < 4',
    );
  });

  it('covers every sweep and keeps names out of the wording', () => {
    const laws = lawSentences(analysis);
    expect(laws.filter((l) => l.kind === 'size')).toHaveLength(analysis.sizeScaling.length);
    expect(laws.filter((l) => l.kind === 'width')).toHaveLength(analysis.widthScaling.length);
    expect(laws.filter((l) => l.kind === 'complexity')).toHaveLength(3);
    for (const l of laws) {
      expect(l.text).not.toContain('evil');
      expect(l.text).not.toMatch(/NaN|undefined|Infinity/);
    }
    // One dataset and one mode: no need to repeat them in every line.
    expect(laws[0]!.context).toBe('1 worker');
  });
});

describe('mdEscape', () => {
  it('neutralises HTML and Markdown table syntax', () => {
    expect(mdEscape('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(mdEscape('a|b')).toBe('a\\|b');
    expect(mdEscape('*x* _y_ [z](u) `c` ~s~ $m$')).toBe('\\*x\\* \\_y\\_ \\[z\\](u) \\`c\\` \\~s\\~ \\$m\\$');
    expect(mdEscape('line\nbreak')).toBe('line break');
    expect(mdEscape('a & b')).toBe('a &amp; b');
  });
});

describe('runLabels', () => {
  it('uses run ids on one machine and hostnames across machines', () => {
    const a = makeFixture({ runId: 'r1' });
    const b = makeFixture({ runId: 'r2' });
    expect(runLabels([a, b])).toEqual(['r1', 'r2']);
    const c = makeFixture({ runId: 'r3', machineId: 'other', hostname: 'bench-2' });
    expect(runLabels([a, c])).toEqual(['bench-1', 'bench-2']);
    const d = makeFixture({ runId: 'r4', machineId: 'third', hostname: 'bench-1' });
    expect(runLabels([a, d])).toEqual(['bench-1 #1', 'bench-1 #2']);
  });
});
