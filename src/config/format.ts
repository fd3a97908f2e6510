/** Number formatting shared by every human-readable report. Never prints NaN or Infinity: missing is "n/a". */
export const MISSING = 'n/a';

function usable(value: number | null | undefined): value is number {
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

/** Three significant digits without ever switching to exponent notation (toPrecision(3) of 1660 is "1.66e+3"). */
function threeDigits(value: number): string {
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
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** 1234567 -> "1.23M", 45210 -> "45.2k", 999999 -> "1.00M". */
export function formatCount(value: number | null | undefined): string {
  if (!usable(value)) return MISSING;
  const abs = Math.abs(value);
  // 0.9995 of a unit already rounds up to "1.00" of it.
  for (const [scale, suffix] of COUNT_UNITS) if (abs >= scale * 0.9995) return `${threeDigits(value / scale)}${suffix}`;
  // Whole numbers below a thousand are sizes or counts: "30", not "30.0".
  return Number.isInteger(value) ? String(value) : threeDigits(value);
}

/** Milliseconds with a unit that keeps 3 significant digits: "850 µs", "12.3 ms", "1.66 s". */
export function formatMs(value: number | null | undefined): string {
  if (!usable(value)) return MISSING;
  const abs = Math.abs(value);
  if (abs >= 999.5) return `${threeDigits(value / 1000)} s`;
  if (abs >= 0.9995) return `${threeDigits(value)} ms`;
  return `${threeDigits(value * 1000)} µs`;
}

export function formatBytes(value: number | null | undefined): string {
  if (!usable(value)) return MISSING;
  const mib = value / 2 ** 20;
  return mib >= 1024 ? `${threeDigits(mib / 1024)} GiB` : `${threeDigits(mib)} MiB`;
}

export function formatPercent(value: number | null | undefined, digits = 0): string {
  return usable(value) ? `${plainFixed(value * 100, digits)}%` : MISSING;
}

export function formatNumber(value: number | null | undefined, digits = 2): string {
  return usable(value) ? plainFixed(value, digits) : MISSING;
}
