import { describe, expect, it } from 'vitest';
import { bootstrapRatioOfMedians } from '../src/stats/bootstrap.js';
import { normalCdf } from '../src/stats/distributions.js';
import { exactUDistribution, mannWhitneyU } from '../src/stats/mann-whitney.js';
import { seededRandom } from '../src/stats/random.js';

describe('exactUDistribution', () => {
  it('counts the null distribution of U', () => {
    // m = n = 2: the 6 orderings give U = 0,1,2,2,3,4.
    const dist = exactUDistribution(2, 2);
    expect(dist.map((p) => p * 6)).toEqual([1, 1, 2, 1, 1].map((c) => expect.closeTo(c, 12)));
    const big = exactUDistribution(10, 12);
    expect(big).toHaveLength(121);
    expect(big.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    // Symmetric around m·n/2.
    expect(big[10]).toBeCloseTo(big[110] ?? 0, 15);
  });
});

describe('mannWhitneyU', () => {
  it('[1,2,3] vs [4,5,6]: U = 0, exact two-sided p = 2/20 = 0.1', () => {
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6])!;
    expect(r).toMatchObject({ u: 0, uY: 9, n1: 3, n2: 3, method: 'exact', z: null, effectSize: 0 });
    expect(r.pValue).toBeCloseTo(0.1, 12);
  });

  it('[1..5] vs [6..10]: exact two-sided p = 2/252', () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])!;
    expect(r.pValue).toBeCloseTo(2 / 252, 12);
    expect(mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5])!.pValue).toBeCloseTo(2 / 252, 12);
  });

  it('one-sided alternatives', () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], { alternative: 'less' })!.pValue).toBeCloseTo(0.05, 12);
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], { alternative: 'greater' })!.pValue).toBeCloseTo(1, 12);
    // Interleaved samples: U = 3 (3>2, 5>2, 5>4). For m = n = 3 the counts of U = 0..9 are
    // 1 1 2 3 3 3 3 2 1 1 (of 20), so P(U <= 3) = 7/20 and two-sided p = 2 * 7/20.
    expect(mannWhitneyU([1, 3, 5], [2, 4, 6], { alternative: 'less' })!.pValue).toBeCloseTo(0.35, 12);
    expect(mannWhitneyU([1, 3, 5], [2, 4, 6])!.pValue).toBeCloseTo(0.7, 12);
    expect(exactUDistribution(3, 3).map((p) => Math.round(p * 20))).toEqual([1, 1, 2, 3, 3, 3, 3, 2, 1, 1]);
  });

  it('uses the normal approximation with tie correction when there are ties (hand-computed)', () => {
    // Pooled midranks: x = 1, 3, 3, 5.5 -> R = 12.5, U = 2.5; ties: one triple, one pair -> Σ(t³-t) = 30;
    // var = 16/12 * (9 - 30/56); z = (|2.5 - 8| - 0.5) / sd.
    const r = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5])!;
    const sd = Math.sqrt((16 / 12) * (9 - 30 / 56));
    expect(r.method).toBe('normal');
    expect(r.u).toBe(2.5);
    expect(r.z).toBeCloseTo(-5 / sd, 12);
    expect(r.pValue).toBeCloseTo(2 * (1 - normalCdf(5 / sd)), 12);
    expect(r.pValue).toBeCloseTo(0.1366, 3);
  });

  it('normal approximation is close to the exact p for moderate samples', () => {
    const random = seededRandom(7);
    const x = Array.from({ length: 20 }, () => random());
    const y = Array.from({ length: 20 }, () => random() + 0.3);
    const exact = mannWhitneyU(x, y)!;
    const approx = mannWhitneyU(x, y, { exactLimit: 10 })!;
    expect(exact.method).toBe('exact');
    expect(approx.method).toBe('normal');
    expect(Math.abs(exact.pValue - approx.pValue)).toBeLessThan(0.01);
  });

  it('all values tied gives p = 1; empty samples give null', () => {
    expect(mannWhitneyU([5, 5], [5, 5, 5])!.pValue).toBe(1);
    expect(mannWhitneyU([], [1, 2])).toBeNull();
  });
});

describe('bootstrapRatioOfMedians', () => {
  it('is exact for constant samples', () => {
    expect(bootstrapRatioOfMedians([2, 2, 2], [1, 1, 1])).toEqual({ value: 2, low: 2, high: 2, level: 0.95 });
  });

  it('brackets the ratio of medians and is reproducible with a seed', () => {
    const current = [130, 128, 135, 131, 129, 133];
    const baseline = [100, 102, 99, 101, 98, 103];
    const a = bootstrapRatioOfMedians(current, baseline, { seed: 3 })!;
    const b = bootstrapRatioOfMedians(current, baseline, { seed: 3 })!;
    expect(a).toEqual(b);
    expect(a.value).toBeCloseTo(130.5 / 100.5, 12);
    // The interval lies within the extreme ratios of the data and contains the point estimate.
    expect(a.low!).toBeGreaterThanOrEqual(128 / 103);
    expect(a.high!).toBeLessThanOrEqual(135 / 98);
    expect(a.low!).toBeLessThanOrEqual(a.value);
    expect(a.high!).toBeGreaterThanOrEqual(a.value);
    expect(a.low!).toBeGreaterThan(1.2);
  });

  it('returns null without a usable baseline', () => {
    expect(bootstrapRatioOfMedians([1, 2], [])).toBeNull();
    expect(bootstrapRatioOfMedians([1, 2], [0, 0, 0])).toBeNull();
  });
});
