/**
 * Axes and colours the charts share, computed in Node so the PNG and the HTML draw the same ticks:
 * round values on log axes (1k, 2k, 4k; 1 ms, 10 ms, 100 ms) and "nice" steps on linear ones, with
 * labels in the project's number formats; and a sequential palette keyed by the value that varies.
 */
import { formatBytes, formatCount, formatMs, formatPercent, formatSig } from '../../config/format.js';

export interface Tick {
  value: number;
  label: string;
}

export type AxisUnit = 'count' | 'ms' | 's' | 'bytes' | 'mib' | 'ratio' | 'percent' | 'number' | 'rate';

/** "1.00 ms" -> "1 ms", "10.0 ms" -> "10 ms", "2.50 s" -> "2.5 s": tick labels without padding zeros. */
function trimZeros(text: string): string {
  return text.replace(/(\d)\.0+(?=\D|$)/, '$1').replace(/(\.\d*?[1-9])0+(?=\D|$)/, '$1');
}

export function tickLabel(value: number, unit: AxisUnit): string {
  switch (unit) {
    case 'count':
      return formatCount(value);
    case 'rate':
      return formatCount(value);
    case 'ms':
      return trimZeros(formatMs(value));
    case 's':
      return trimZeros(formatMs(value * 1000));
    case 'bytes':
      return trimZeros(formatBytes(value));
    case 'mib':
      return trimZeros(formatBytes(value * 2 ** 20));
    case 'ratio':
      return `${formatSig(value, 3)}x`;
    case 'percent':
      return formatPercent(value / 100);
    case 'number':
      return formatSig(value, 3);
  }
}

/** A step of 1, 2 or 5 times a power of ten near `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** Round ticks covering [min, max] on a linear axis, about `count` of them; `integer` keeps whole numbers only. */
export function linearTicks(min: number, max: number, unit: AxisUnit, count = 5, integer = false): { min: number; max: number; ticks: Tick[] } {
  if (!(max > min)) {
    const pad = Math.abs(min) * 0.1 || 1;
    return linearTicks(min - pad, max + pad, unit, count, integer);
  }
  let step = niceStep((max - min) / count);
  if (integer) step = Math.max(1, Math.round(step));
  const low = Math.floor(min / step) * step;
  const high = Math.ceil(max / step) * step;
  const ticks: Tick[] = [];
  for (let v = low; v <= high + step * 1e-9; v += step) {
    const value = Number(v.toPrecision(12));
    ticks.push({ value, label: tickLabel(value, unit) });
  }
  return { min: low, max: high, ticks };
}

/**
 * Round ticks on a log axis: the given values when they are few (the sizes measured: 1k, 2k, 4k), else
 * powers of ten, filled with 2 and 5 times them when the range spans less than three decades.
 */
export function logTicks(min: number, max: number, unit: AxisUnit, measured: readonly number[] = []): { min: number; max: number; ticks: Tick[] } {
  const distinct = [...new Set(measured.filter((v) => v > 0))].sort((a, b) => a - b);
  if (distinct.length >= 2 && distinct.length <= 8) {
    return { min: distinct[0]! / 1.25, max: distinct[distinct.length - 1]! * 1.25, ticks: distinct.map((value) => ({ value, label: tickLabel(value, unit) })) };
  }
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const multipliers = hi - lo <= 2 ? [1, 2, 5] : [1];
  const values: number[] = [];
  for (let e = lo; e <= hi; e++) for (const m of multipliers) values.push(Number((m * 10 ** e).toPrecision(6)));
  // Keep the ticks inside the data plus one on each side, so the axis starts and ends on a round value.
  const below = values.filter((v) => v <= min).pop() ?? values[0]!;
  const above = values.find((v) => v >= max) ?? values[values.length - 1]!;
  const ticks = values.filter((v) => v >= below && v <= above).map((value) => ({ value, label: tickLabel(value, unit) }));
  return { min: below, max: above, ticks };
}

/**
 * Viridis from dark purple to green (the pale yellow end is left out: it vanishes on white). Perceptually
 * ordered, so a darker line is always a smaller value of the parameter that varies, in every panel.
 */
const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b'];

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Colour at t in [0, 1] along the palette. */
export function sequentialColor(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const a = hexToRgb(VIRIDIS[i]!);
  const b = hexToRgb(VIRIDIS[i + 1]!);
  const f = x - i;
  const mix = a.map((c, k) => Math.round(c + (b[k]! - c) * f));
  return `#${mix.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** One colour per distinct value, evenly spaced along the palette in the values' order. */
export function paletteFor(values: readonly number[]): Map<number, string> {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  return new Map(distinct.map((v, i) => [v, sequentialColor(distinct.length === 1 ? 0.4 : i / (distinct.length - 1))]));
}

/** A colour with an alpha, for bands and point fills. */
export function withAlpha(hex: string, alpha: number): string {
  return `${hex}${Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0')}`;
}

export const REFERENCE_COLOR = '#7f7f7f';
