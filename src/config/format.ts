/** Number formatting shared by every human-readable report. Never prints NaN or Infinity: missing is "n/a". */
export const MISSING = 'n/a';

function usable(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Three significant digits without ever switching to exponent notation (toPrecision(3) of 1660 is "1.66e+3"). */
function threeDigits(value: number): string {
  const rounded = Number(value.toPrecision(3));
  return Math.abs(rounded) >= 100 ? rounded.toFixed(0) : rounded.toPrecision(3);
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
  return mib >= 1024 ? `${(mib / 1024).toPrecision(3)} GiB` : `${mib.toPrecision(3)} MiB`;
}

export function formatPercent(value: number | null | undefined, digits = 0): string {
  return usable(value) ? `${(value * 100).toFixed(digits)}%` : MISSING;
}

export function formatNumber(value: number | null | undefined, digits = 2): string {
  return usable(value) ? value.toFixed(digits) : MISSING;
}
