/** Reading saved RunResult files: validated with zod so a bad or foreign file gets a clear message, never a crash later. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { RESULT_SCHEMA_VERSION, runResultSchema, type RunResult } from './schema.js';
import { InputError, errorMessage } from '../config/errors.js';

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'does not match the results format';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `field ${path}: ${issue.message}`;
}

/** Validate parsed JSON as a RunResult; `file` names the source in every message. */
export function parseRunResult(value: unknown, file: string): RunResult {
  if (typeof value !== 'object' || value === null) {
    throw new InputError(file, 'is not a scale-bench results file (expected a JSON object). Pass the results.json that `scale-bench run` wrote.');
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version !== RESULT_SCHEMA_VERSION) {
    const found = version === undefined ? 'no schemaVersion' : `schemaVersion ${JSON.stringify(version)}`;
    throw new InputError(
      file,
      `has ${found}, but this scale-bench (results format ${RESULT_SCHEMA_VERSION}) reads only version ${RESULT_SCHEMA_VERSION}. Re-run the benchmark with this version, or use the scale-bench version that wrote it.`,
    );
  }
  const parsed = runResultSchema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(file, `is not a valid scale-bench results file: ${describeIssue(parsed.error)}. Was it edited by hand or truncated? Re-run, or restore it from the run's folder.`);
  }
  return parsed.data;
}

export async function readRunResult(file: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? 'no such file. Check the path (results live in reports/<run-id>/results.json).' : `cannot be read: ${errorMessage(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `is not valid JSON (${errorMessage(error)}). The file may be truncated; results are written atomically, so restore it or re-run.`);
  }
  return parseRunResult(json, file);
}

/** The bytes of a results file: what `run`, `merge` and baselines write. */
export function serialiseResult(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/**
 * Whether `path` is a results file scale-bench wrote, judged loosely (JSON naming the tool), whatever
 * its validity otherwise: enough to tell a run folder from any other folder.
 */
export function isScaleBenchResultsFile(path: string): boolean {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as { tool?: { name?: unknown } };
    return value.tool?.name === 'scale-bench';
  } catch {
    return false;
  }
}
