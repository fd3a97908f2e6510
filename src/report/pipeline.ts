/** The stages after measurement, shared by `run` and `report`: analyse each run, render the chosen formats. */
import type { Artifact, ReportInput } from './types.js';
import type { RunResult } from '../results/schema.js';
import type { Comparison } from '../gate/schema.js';
import { analyse } from '../analyse/index.js';
import { reporters, type ReporterName } from './index.js';

export const REPORT_FORMATS = Object.keys(reporters) as ReporterName[];

export function buildReportInput(results: readonly RunResult[], comparison?: Comparison): ReportInput {
  return {
    runs: results.map((result) => ({ result, analysis: analyse(result) })),
    ...(comparison ? { comparison } : {}),
  };
}

export async function renderReports(input: ReportInput, formats: readonly ReporterName[]): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  for (const format of formats) {
    artifacts.push(...(await reporters[format].render(input)));
  }
  return artifacts;
}
