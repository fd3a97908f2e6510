/**
 * The one family of number formats every human-readable output uses (terminal, Markdown, HTML, PNG
 * axes), so a value reads the same everywhere. Rules:
 * - missing, NaN and ±Infinity print "n/a", never "NaN";
 * - a value keeps its significant digits: nothing non-zero is ever printed as 0 (κ 0.000104 prints
 *   "0.000104", an MFU of 0.3% prints "0.3%");
 * - never JavaScript's exponent notation ("1e+21", "1.2e-7"): magnitudes no decimal can carry print as a
 *   power of ten, "1.8×10^308";
 * - memory is in binary units (KiB, MiB, GiB), as operating systems and RSS readings are.
 */
export const MISSING = 'n/a';

export function isFiniteNumber(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Beyond these magnitudes no plain decimal is readable (a diverged R² of -1.8e308 has 309 digits), and
 * toFixed / toPrecision / String switch to JavaScript's exponent notation ("1e+21", "1.2e-7").
 */
const PLAIN_MAX = 1e15;
const PLAIN_MIN = 1e-6;

/** "1.8×10^308", "-2.5×10^-9": how a terminal shows a magnitude no decimal can carry; never "1.8e+308". */
export function powerOfTen(value: number, significant = 2): string {
  const [mantissa = '0', exponent = '0'] = value.toExponential(Math.max(0, significant - 1)).split('e');
  return `${Number(mantissa)}×10^${Number(exponent)}`;
}

/**
 * `format(value)` for ordinary magnitudes; powerOfTen beyond them, so no formatter built on
 * toPrecision or String ever prints exponent notation.
 */
export function plainNumber(value: number, format: (value: number) => string, significant = 2): string {
  const abs = Math.abs(value);
  return value !== 0 && Number.isFinite(value) && (abs >= PLAIN_MAX || abs < PLAIN_MIN) ? powerOfTen(value, significant) : format(value);
}

/** toFixed(decimals), which is plain for small values ("0.000") but not from 1e21 on: powerOfTen there (from PLAIN_MAX). */
export function plainFixed(value: number, decimals: number): string {
  return Number.isFinite(value) && Math.abs(value) >= PLAIN_MAX ? powerOfTen(value, 3) : value.toFixed(decimals);
}

/** Below this magnitude toPrecision would need leading zeros it does not count: significant digits come from Intl instead. */
const TINY = 1e-3;

function stripTrailingZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * `digits` significant digits, trailing zeros dropped, thousands separators on large values:
 * 93,457.9 -> "93,500", 1.5 -> "1.5", 0.000104 -> "0.000104", 2.5e-9 -> "2.5×10^-9".
 */
export function formatSig(value: number | null | undefined, digits = 3): string {
  if (!isFiniteNumber(value)) return MISSING;
  if (value === 0) return '0';
  return plainNumber(value, (v) => new Intl.NumberFormat('en-US', { maximumSignificantDigits: digits }).format(v), digits);
}

/**
 * Fixed decimals (exponents, R², parameters), without "-0.00", and without rounding a non-zero value
 * to zero: formatFixed(0.004, 2) is "0.004", not "0.00".
 */
export function formatFixed(value: number | null | undefined, decimals: number, fallbackDigits = 2): string {
  if (!isFiniteNumber(value)) return MISSING;
  const text = plainFixed(value, decimals);
  if (/^-?0(\.0*)?$/.test(text)) return value === 0 ? text.replace(/^-/, '') : formatSig(value, fallbackDigits);
  return text;
}

/** Kept for the callers that name it so: fixed decimals, as formatFixed. */
export function formatNumber(value: number | null | undefined, digits = 2): string {
  return formatFixed(value, digits);
}

/** Three significant digits, trailing zeros kept (so table columns align), never exponent notation. */
function threeDigits(value: number): string {
  if (value !== 0 && Math.abs(value) < TINY) return formatSig(value, 3);
  return plainNumber(
    value,
    (v) => {
      const rounded = Number(v.toPrecision(3));
      return Math.abs(rounded) >= 100 ? rounded.toFixed(0) : rounded.toPrecision(3);
    },
    3,
  );
}

const COUNT_UNITS: ReadonlyArray<readonly [number, string]> = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/**
 * Counts, sizes and rates with a k/M/G suffix and up to 3 significant digits: 1000 -> "1k",
 * 45210 -> "45.2k", 1234567 -> "1.23M", 999999 -> "1M", 12.5 -> "12.5".
 */
export function formatCount(value: number | null | undefined): string {
  if (!isFiniteNumber(value)) return MISSING;
  const abs = Math.abs(value);
  // 0.9995 of a unit already rounds up to "1.00" of it.
  for (const [scale, suffix] of COUNT_UNITS) if (abs >= scale * 0.9995) return `${stripTrailingZeros(threeDigits(value / scale))}${suffix}`;
  // Whole numbers below a thousand are sizes or counts: "30", not "30.0".
  return Number.isInteger(value) ? String(value) : threeDigits(value);
}

/** Milliseconds with a unit that keeps 3 significant digits: "850 µs", "12.3 ms", "1.66 s", "2.50 min". */
export function formatMs(value: number | null | undefined): string {
  if (!isFiniteNumber(value)) return MISSING;
  const abs = Math.abs(value);
  if (abs >= 119_500) return `${threeDigits(value / 60_000)} min`;
  if (abs >= 999.5) return `${threeDigits(value / 1000)} s`;
  if (abs >= 0.9995 || value === 0) return `${threeDigits(value)} ms`;
  return `${threeDigits(value * 1000)} µs`;
}

const BYTE_UNITS: ReadonlyArray<readonly [number, string]> = [
  [2 ** 40, 'TiB'],
  [2 ** 30, 'GiB'],
  [2 ** 20, 'MiB'],
  [2 ** 10, 'KiB'],
];

/** Bytes in binary units with 3 significant digits: "512 B", "95.5 MiB", "1.20 GiB". */
export function formatBytes(value: number | null | undefined): string {
  if (!isFiniteNumber(value)) return MISSING;
  const abs = Math.abs(value);
  for (const [scale, unit] of BYTE_UNITS) if (abs >= scale * 0.9995) return `${threeDigits(value / scale)} ${unit}`;
  return `${Math.round(value)} B`;
}

/** 0.934 -> "93%"; a non-zero share that would round to "0%" keeps one significant digit: "0.3%". */
export function formatPercent(value: number | null | undefined, digits = 0): string {
  if (!isFiniteNumber(value)) return MISSING;
  return `${formatFixed(value * 100, digits, 1)}%`;
}

/** A ratio as a multiplier: 1.234 -> "1.23x". */
export function formatRatio(value: number | null | undefined): string {
  return isFiniteNumber(value) ? `${formatFixed(value, 2)}x` : MISSING;
}
