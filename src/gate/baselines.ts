/**
 * Named baselines: `--save-baseline main` stores the run's RunResult as <out>/baselines/main.json and
 * `--baseline main` reads it back. Anything that looks like a path (a separator, or a .json ending) is
 * used as a path instead, so a baseline restored from a CI cache or artifact can live anywhere.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunResult } from '../results/schema.js';
import { UsageError } from '../config/errors.js';
import { readRunResult } from '../results/file.js';
import { writeFileAtomic } from '../results/write.js';

/** Folder under the output folder (default reports/) where named baselines live. */
export const BASELINES_DIR = 'baselines';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function isPathLike(text: string): boolean {
  return text.includes('/') || text.includes('\\') || text.toLowerCase().endsWith('.json');
}

/**
 * Where a baseline name or path lives. An existing file or folder is used as a path. A name must be letters, digits, '.', '_' or '-' (it becomes a
 * file name); a run folder stands for the results.json inside it.
 */
export function baselinePath(nameOrPath: string, outDir: string, flag = '--baseline', reading = true): string {
  const text = nameOrPath.trim();
  if (text === '') throw new UsageError(`${flag}: give a baseline name (e.g. ${flag} main) or a results.json path.`);
  // When writing, a stray file called "main" in the working folder must not be overwritten.
  if (isPathLike(text) || (reading && existsSync(text))) {
    const path = resolve(text);
    return existsSync(path) && statSync(path).isDirectory() ? join(path, 'results.json') : path;
  }
  if (!NAME_RE.test(text)) {
    throw new UsageError(`${flag}: "${text}" is not a valid baseline name. Use letters, digits, '.', '_' and '-' (e.g. main, release-1.2), or pass a path to a results.json.`);
  }
  return resolve(outDir, BASELINES_DIR, `${text}.json`);
}

/** Reads a baseline; a missing one is an input error that says how to create it. */
export async function loadBaseline(nameOrPath: string, outDir: string, flag = '--baseline'): Promise<{ path: string; result: RunResult }> {
  const path = baselinePath(nameOrPath, outDir, flag);
  if (!existsSync(path)) {
    const hint = isPathLike(nameOrPath)
      ? 'Check the path, or restore the file first (e.g. from actions/cache or a build artifact).'
      : `Create it with \`scale-bench run --save-baseline ${nameOrPath.trim()}\` (e.g. on your main branch), restore ${join(outDir, BASELINES_DIR)} from your CI cache, or pass a results.json path.`;
    throw new UsageError(`${flag} ${nameOrPath}: no baseline at ${path}. ${hint}`);
  }
  return { path, result: await readRunResult(path) };
}

/** Writes `result` as a named baseline (or to a path), atomically; returns the path written. */
export async function saveBaseline(nameOrPath: string, outDir: string, result: RunResult): Promise<string> {
  const raw = resolve(nameOrPath.trim());
  if (isPathLike(nameOrPath) && existsSync(raw) && statSync(raw).isDirectory()) {
    throw new UsageError(`--save-baseline ${nameOrPath}: ${raw} is a folder. Give a name (e.g. main) or a file path ending in .json.`);
  }
  const path = baselinePath(nameOrPath, outDir, '--save-baseline', false);
  await writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
