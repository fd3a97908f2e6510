import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatFixed, formatMs, formatNumber, formatPercent, formatRatio, formatSig, MISSING } from '../src/config/format.js';

describe('number formatting (every format)', () => {
  it('never uses exponent notation', () => {
    expect(formatMs(1660)).toBe('1.66 s');
    expect(formatMs(999.7)).toBe('1.00 s');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(246.4)).toBe('246 ms');
    expect(formatMs(2.21)).toBe('2.21 ms');
    expect(formatMs(0.85)).toBe('850 µs');
    expect(formatCount(999_999)).toBe('1M');
    expect(formatCount(45_210)).toBe('45.2k');
    expect(formatCount(1_000)).toBe('1k');
    expect(formatCount(32_000)).toBe('32k');
    expect(formatCount(1_500)).toBe('1.5k');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(12.5)).toBe('12.5');
    expect(formatCount(30)).toBe('30');
    expect(formatCount(3.4e9)).toBe('3.4G');
    expect(formatMs(150_000)).toBe('2.50 min');
    for (const text of [formatMs(1660), formatCount(999_999), formatCount(1e12)]) expect(text).not.toMatch(/e[+-]/);
  });

  it('keeps significant digits: nothing non-zero prints as zero', () => {
    expect(formatSig(0.000104)).toBe('0.000104');
    expect(formatSig(0.0001)).toBe('0.0001');
    expect(formatSig(93_457.9)).toBe('93,500');
    expect(formatSig(0.0123)).toBe('0.0123');
    expect(formatSig(0)).toBe('0');
    expect(formatFixed(0.004, 2)).toBe('0.004');
    expect(formatFixed(1.0234, 2)).toBe('1.02');
    expect(formatFixed(-0.0000001, 2)).toBe('-1×10^-7');
    expect(formatNumber(0.0002, 2)).toBe('0.0002');
    expect(formatPercent(0.003)).toBe('0.3%');
    expect(formatPercent(0.934)).toBe('93%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatRatio(1.874)).toBe('1.87x');
  });

  it('prints memory in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.00 KiB');
    expect(formatBytes(100 * 2 ** 20)).toBe('100 MiB');
    expect(formatBytes(95.5 * 2 ** 20)).toBe('95.5 MiB');
    expect(formatBytes(1.2 * 2 ** 30)).toBe('1.20 GiB');
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
