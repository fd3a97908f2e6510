/** The stages after measurement, shared by `run` and `report`: analyse each run, render the chosen formats. */
import type { Artifact, ReportInput, RunResult, Comparison } from './types.js';
import { analyse } from './analyse.js';
import { reporters, type ReporterName } from './report/index.js';

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
