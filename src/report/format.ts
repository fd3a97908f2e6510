/** Number formatting shared by every human-readable report. Never prints NaN or Infinity: missing is "n/a". */
import type { Cell } from '../types.js';
import { modeVariant } from '../measure/data-parallel.js';
export const MISSING = 'n/a';

function usable(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** 1234567 -> "1.23M", 45210 -> "45.2k". */
export function formatCount(value: number | null | undefined): string {
  if (!usable(value)) return MISSING;
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return abs >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** Milliseconds with a unit that keeps 3 significant digits. */
export function formatMs(value: number | null | undefined): string {
  if (!usable(value)) return MISSING;
  if (Math.abs(value) >= 10_000) return `${(value / 1000).toPrecision(3)} s`;
  if (Math.abs(value) >= 1) return `${value.toPrecision(3)} ms`;
  return `${(value * 1000).toPrecision(3)} µs`;
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

/** What tells cells of one sweep apart beyond size and width: " data-parallel strong", " inference b=32 c=4". */
export function cellVariantLabel(cell: Cell): string {
  if (cell.mode === 'job-parallel') return '';
  return ` ${cell.mode}${modeVariant(cell).replace(/\|/g, ' ')}`;
}
