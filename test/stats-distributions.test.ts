import { describe, expect, it } from 'vitest';
import {
  binomialCdf,
  lnGamma,
  normalCdf,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTQuantile,
} from '../src/stats/distributions.js';

describe('studentTQuantile', () => {
  // Two-sided 95% / 99% critical values from standard t tables.
  const table: Array<[number, number, number]> = [
    [0.975, 1, 12.706],
    [0.975, 2, 4.303],
    [0.975, 3, 3.182],
    [0.975, 5, 2.571],
    [0.975, 10, 2.228],
    [0.975, 30, 2.042],
    [0.995, 5, 4.032],
    [0.995, 20, 2.845],
    [0.95, 20, 1.725],
    [0.9995, 1, 636.619],
    [0.975, 120, 1.98],
  ];
  it.each(table)('t(%f, %i) = %f to table precision', (p, df, expected) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(expected, 3);
  });

  it('is accurate to 1e-4 well beyond table precision', () => {
    // Reference values from R's qt().
    expect(Math.abs(studentTQuantile(0.975, 4) - 2.776445105)).toBeLessThan(1e-6);
    expect(Math.abs(studentTQuantile(0.975, 7) - 2.364624252)).toBeLessThan(1e-6);
    expect(Math.abs(studentTQuantile(0.975, 1000) - 1.962339081)).toBeLessThan(1e-6);
  });

  it('is symmetric and inverts the CDF, including non-integer df', () => {
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228, 3);
    expect(studentTQuantile(0.5, 3)).toBe(0);
    for (const df of [1, 2, 2.5, 4, 17.3]) {
      for (const p of [0.6, 0.9, 0.99, 0.9999]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 10);
      }
    }
  });

  it('rejects probabilities outside (0, 1) and non-positive df', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, 0)).toThrow(RangeError);
  });
});

describe('special functions', () => {
  it('lnGamma matches factorials and Γ(1/2) = √π', () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
  });

  it('regularized incomplete beta matches a binomial sum', () => {
    // I_{1/2}(2, 3) = P(Binomial(4, 1/2) >= 2) = 11/16.
    expect(regularizedIncompleteBeta(0.5, 2, 3)).toBeCloseTo(11 / 16, 12);
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });

  it('binomialCdf is exact for small n', () => {
    expect(binomialCdf(2, 10, 0.5)).toBeCloseTo(56 / 1024, 14);
    expect(binomialCdf(0, 5, 0.5)).toBeCloseTo(1 / 32, 14);
    expect(binomialCdf(-1, 5, 0.5)).toBe(0);
    expect(binomialCdf(5, 5, 0.5)).toBe(1);
    // Large n must not overflow: P(B <= 500) for B ~ Bin(1000, 1/2) is just over one half.
    expect(binomialCdf(500, 1000, 0.5)).toBeCloseTo(0.5126, 3);
  });

  it('normalCdf matches tabulated values, tails included', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 9);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 9);
    expect(normalCdf(-3)).toBeCloseTo(0.001349898, 9);
    // Relative precision in the far tail (R: pnorm(-6) = 9.865876e-10).
    expect(normalCdf(-6) / 9.865876e-10).toBeCloseTo(1, 5);
    expect(normalCdf(40)).toBe(1);
  });
});
