/** `run --resume <run-id>`: rebuild the plan an interrupted run was following, from its saved results. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchmarkPlan, RunResult } from '../results/schema.js';
import { UsageError } from '../config/errors.js';
import { readRunResult } from '../results/file.js';

export async function resumePlan(outDir: string, runId: string): Promise<{ plan: BenchmarkPlan; previous: RunResult }> {
  if (!/^[\w.-]+$/.test(runId)) {
    throw new UsageError(`--resume: "${runId}" is not a run id. Run ids are folder names under ${outDir}/, e.g. 20261125-101500.123Z-ab12.`);
  }
  const file = join(resolve(outDir), runId, 'results.json');
  if (!existsSync(file)) {
    throw new UsageError(`--resume: no results for run "${runId}" in ${join(outDir, runId)}/. Check the run id (ls ${outDir}) or pass the same --out as the interrupted run.`);
  }
  const previous = await readRunResult(file);
  return { plan: { ...previous.plan, outDir: resolve(outDir) }, previous };
}
