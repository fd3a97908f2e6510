import { describe, expect, it } from 'vitest';
import { median, medianConfidenceInterval, quantile, summarise } from '../src/stats/descriptive.js';

describe('quantile (type 7, linear interpolation)', () => {
  it('interpolates between order statistics like R and numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
  });
});

describe('summarise', () => {
  it('computes every statistic of a sample with an outlier', () => {
    const s = summarise([3, 1, 100, 2, 4])!;
    expect(s.n).toBe(5);
    expect(s.median).toBe(3);
    expect(s.mean).toBe(22);
    // Deviations from 22: -21 -20 -19 -18 78; squares sum 7610; / 4.
    expect(s.stdDev).toBeCloseTo(Math.sqrt(7610 / 4), 10);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.iqr).toBe(2); // Q1 = 2, Q3 = 4
    expect(s.mad).toBe(1); // deviations 2 1 0 1 97
    expect(s.outliers).toBe(1); // only 100 is beyond 3 * 1.4826 * 1 of the median
    expect(s.relativeSpread).toBeCloseTo(2 / 3, 12);
    // n = 5 cannot reach 95%: [min, max] with its true coverage 1 - 2/32.
    expect(s.medianCi).toEqual({ value: 3, low: 1, high: 100, level: 0.9375 });
  });

  it('uses order statistics for the median interval when the level is reachable', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    // n = 10: [x(2), x(9)] covers 1 - 2 * 11/1024 = 97.9% >= 95%, [x(3), x(8)] only 89%.
    expect(medianConfidenceInterval(values, 0.95)).toEqual({ value: 5.5, low: 2, high: 9, level: 0.95 });
    // At 80%, [x(3), x(8)] (89%) is enough and [x(4), x(7)] (65.6%) is not.
    expect(medianConfidenceInterval(values, 0.8)).toEqual({ value: 5.5, low: 3, high: 8, level: 0.8 });
  });

  it('handles one sample: zero spread and no interval', () => {
    const s = summarise([42])!;
    expect(s).toMatchObject({ n: 1, median: 42, mean: 42, stdDev: 0, iqr: 0, mad: 0, outliers: 0, relativeSpread: 0 });
    expect(s.medianCi).toEqual({ value: 42, low: null, high: null, level: 0.95 });
  });

  it('handles all-equal samples without dividing by zero', () => {
    const s = summarise([7, 7, 7, 7, 7, 7])!;
    expect(s).toMatchObject({ median: 7, stdDev: 0, iqr: 0, mad: 0, outliers: 0, relativeSpread: 0 });
    expect(s.medianCi).toEqual({ value: 7, low: 7, high: 7, level: 0.95 });
  });

  it('gives relative spread 0 for a zero median', () => {
    expect(summarise([0, 0, 0, 1, -1])!.relativeSpread).toBe(0);
  });

  it('returns null for no finite values, and drops non-finite ones', () => {
    expect(summarise([])).toBeNull();
    expect(summarise([Number.NaN, Number.POSITIVE_INFINITY])).toBeNull();
    expect(summarise([1, Number.NaN, 3])).toMatchObject({ n: 2, median: 2 });
  });
});
