/**
 * `run --resume <run-id>`: rebuild the plan an interrupted run was following, from its saved results.
 * The run continues in the folder it was read from, whatever id the file carries (a copied folder
 * resumes in the copy), and the saved plan is validated exactly as flags are before anything runs.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchmarkPlan, RunResult } from '../results/schema.js';
import { InputError, UsageError } from '../config/errors.js';
import { RUN_ID_PATTERN } from '../config/schema.js';
import { readRunResult } from '../results/file.js';
import { validatePlan } from './validate.js';

export interface ResumedRun {
  plan: BenchmarkPlan;
  previous: RunResult;
  /** The results file the plan was read from (and that the run will rewrite). */
  file: string;
  /** Said once to the user: e.g. that the file carried another run id than its folder. */
  notes: string[];
}

/** The folder and results file `--resume <run-id>` names, checked to exist; nothing is read yet. */
export function resumeTarget(outDir: string, runId: string): { dir: string; file: string } {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new UsageError(`--resume: "${runId}" is not a run id. Run ids are folder names under ${outDir}/, e.g. 20261125-101500.123Z-ab12.`);
  }
  const dir = join(resolve(outDir), runId);
  const file = join(dir, 'results.json');
  if (!existsSync(file)) {
    throw new UsageError(`--resume: no results for run "${runId}" in ${join(outDir, runId)}/. Check the run id (ls ${outDir}) or pass the same --out as the interrupted run.`);
  }
  return { dir, file };
}

/** Reads and checks the saved plan; call it while holding the run folder (see results/run-folder.ts). */
export async function resumePlan(outDir: string, runId: string): Promise<ResumedRun> {
  const { file } = resumeTarget(outDir, runId);
  const previous = await readRunResult(file);
  if (!RUN_ID_PATTERN.test(previous.runId)) {
    throw new InputError(file, `field runId: ${JSON.stringify(previous.runId)} is not a run id (up to 100 letters, digits, ".", "-" or "_"). Was the file edited? Start a new run instead of resuming it.`);
  }
  // Every id in the file is checked as a flag would be, even the ones the run will not use as a path.
  validatePlan({ ...previous.plan, outDir: resolve(outDir) }, { kind: 'file', file });
  const notes =
    previous.plan.runId === runId
      ? []
      : [`${file} says it is run "${previous.plan.runId}"; it is resumed as "${runId}", the folder it was read from, and written back there`];
  return { plan: { ...previous.plan, runId, outDir: resolve(outDir) }, previous: { ...previous, runId }, file, notes };
}
