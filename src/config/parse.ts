/** Parsing of flag values; every error names the flag and shows a valid example. */
import type { z } from 'zod';
import { UsageError, errorMessage } from './errors.js';

/**
 * A JSON value from an environment variable (the test hooks SCALE_BENCH_FAKE and SCALE_BENCH_FAULTS),
 * checked against `schema`; a malformed one is a usage error naming the variable, never ignored: a
 * hook that silently did nothing would let a test pass for the wrong reason. `hint` shows a valid value.
 */
export function parseJsonVariable<T>(variable: string, text: string | undefined, schema: z.ZodType<T>, hint = ''): T | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${variable} is not valid JSON (${errorMessage(error)}): ${text}${hint ? `. ${hint}` : ''}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
    throw new UsageError(`${variable}${where}: ${issue?.message ?? 'invalid'}${hint ? `. ${hint}` : ''}`);
  }
  return parsed.data;
}

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

const METRIC_WORDS: Record<string, 'accuracy' | 'r2'> = { accuracy: 'accuracy', acc: 'accuracy', r2: 'r2', 'r²': 'r2' };
const TARGET_EXAMPLE = 'e.g. --target accuracy=0.85 (classification) or --target r2=0.9 (regression)';

/** Whether a --target value names a quality target (metric=value) rather than a data file's column. */
export function looksLikeQualityTarget(text: string): boolean {
  return /^[^=<>]+(=|>=)/.test(text.trim());
}

/**
 * "accuracy=0.85", "r2>=0.9", "acc=85%" -> a held-out quality to reach. Both metrics are at most 1;
 * a target at or below 0 is what a model that learned nothing scores (R² of the mean) or less.
 */
export function parseQualityTarget(text: string, where = '--target'): { metric: 'accuracy' | 'r2'; value: number } {
  const match = /^\s*([^=<>\s]+)\s*(?:=|>=)\s*([^\s%]*)\s*(%?)\s*$/.exec(text);
  if (!match) throw new UsageError(`${where} "${text}": write metric=value, ${TARGET_EXAMPLE}`);
  const word = (match[1] ?? '').toLowerCase();
  const metric = METRIC_WORDS[word];
  if (!metric) throw new UsageError(`${where} "${text}": unknown metric "${match[1]}"; the metrics are accuracy and r2, ${TARGET_EXAMPLE}`);
  const raw = Number(match[2]);
  const value = match[3] === '%' ? raw / 100 : raw;
  if (match[2] === '' || !Number.isFinite(value)) throw new UsageError(`${where} "${text}": "${match[2]}${match[3]}" is not a number, ${TARGET_EXAMPLE}`);
  const name = metric === 'r2' ? 'R²' : 'accuracy';
  if (value > 1) throw new UsageError(`${where} "${text}": ${name} is at most 1, so ${value} can never be reached; give a value up to 1, e.g. ${metric}=0.9`);
  if (value <= 0) {
    const floor = metric === 'r2' ? 'the mean predictor scores R² 0' : 'accuracy 0 is reached before training';
    throw new UsageError(`${where} "${text}": ${floor}; give a target above 0, e.g. ${metric}=0.9`);
  }
  return { metric, value };
}

/** Several --target values (one per metric), or a config file's "targets". */
export function parseQualityTargets(texts: readonly string[], where = '--target'): Array<{ metric: 'accuracy' | 'r2'; value: number }> {
  const targets = texts.map((text) => parseQualityTarget(text, where));
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.metric)) throw new UsageError(`${where}: ${t.metric} is given twice; give one target per metric (each model uses the one of its task)`);
    seen.add(t.metric);
  }
  return targets;
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
