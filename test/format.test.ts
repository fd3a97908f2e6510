import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatMs, formatNumber, formatPercent, MISSING } from '../src/config/format.js';

describe('terminal number formatting', () => {
  it('never uses exponent notation', () => {
    expect(formatMs(1660)).toBe('1.66 s');
    expect(formatMs(999.7)).toBe('1.00 s');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(246.4)).toBe('246 ms');
    expect(formatMs(2.21)).toBe('2.21 ms');
    expect(formatMs(0.85)).toBe('850 µs');
    expect(formatCount(999_999)).toBe('1.00M');
    expect(formatCount(45_210)).toBe('45.2k');
    expect(formatCount(1_000)).toBe('1.00k');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(12.5)).toBe('12.5');
    expect(formatCount(30)).toBe('30');
    expect(formatCount(3.4e9)).toBe('3.40G');
    for (const text of [formatMs(1660), formatCount(999_999), formatCount(1e12)]) expect(text).not.toMatch(/e[+-]/);
  });

  it('prints missing or non-finite values as n/a', () => {
    for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(formatMs(value)).toBe(MISSING);
      expect(formatCount(value)).toBe(MISSING);
      expect(formatBytes(value)).toBe(MISSING);
      expect(formatPercent(value)).toBe(MISSING);
      expect(formatNumber(value)).toBe(MISSING);
    }
  });
});
