/** Parsing of flag values; every error names the flag and shows a valid example. */
import { UsageError } from './errors.js';

const SUFFIXES: Record<string, number> = { k: 1e3, m: 1e6 };

/** "64", "4k", "1.5m" -> number. */
export function parseCount(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  if (!match) {
    throw new UsageError(`${flag}: "${text}" is not a count. Use whole numbers, optionally with k or m, e.g. ${flag} 1k,4k,16k`);
  }
  const value = Number(match[1]) * (SUFFIXES[(match[2] ?? '').toLowerCase()] ?? 1);
  if (!Number.isInteger(value)) {
    throw new UsageError(`${flag}: "${text}" is not a whole number, e.g. ${flag} 1500 or 1.5k`);
  }
  return value;
}

export function parseList(text: string, flag: string): string[] {
  const items = text.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  if (items.length === 0) throw new UsageError(`${flag}: expected a comma-separated list, got "${text}"`);
  return items;
}

export function parseCountList(text: string, flag: string): number[] {
  return parseList(text, flag).map((item) => parseCount(item, flag));
}

export function parseInteger(text: string, flag: string, min: number, max: number): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag}: "${text}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function parseNumber(text: string, flag: string, min: number, max: number, exclusive = false): number {
  const value = Number(text.trim());
  const inRange = exclusive ? value > min && value < max : value >= min && value <= max;
  if (text.trim() === '' || !Number.isFinite(value) || !inRange) {
    const range = exclusive ? `between ${min} and ${max} (exclusive)` : `from ${min} to ${max}`;
    throw new UsageError(`${flag}: "${text}" must be a number ${range}`);
  }
  return value;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** "10m", "90s", "1.5h", "500ms" -> milliseconds (a bare number is seconds). */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h)?\s*$/i.exec(text);
  const value = match ? Number(match[1]) * (DURATION_UNITS[(match[2] ?? 's').toLowerCase()] ?? 1000) : NaN;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new UsageError(`${flag}: "${text}" is not a duration. Use a number with ms, s, m or h, e.g. ${flag} 10m or ${flag} 90s`);
  }
  return value;
}
