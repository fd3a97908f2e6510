/**
 * The reporters, keyed by the name the CLI accepts (`--report json,html`), like vitest's
 * reporters/index.ts, and the one function the CLI renders reports with. Each reporter returns
 * bytes; src/results/write.ts writes them.
 */
import { UsageError } from '../config/errors.js';
import type { Comparison } from '../gate/schema.js';
import type { RunResult } from '../results/schema.js';
import type { Artifact, ReportInput } from './types.js';
import { analyse } from '../analyse/index.js';
import { compare } from '../gate/compare.js';
import { csv } from './csv.js';
import { html } from './html.js';
import { json } from './json.js';
import { markdown } from './markdown.js';
import { png } from './png.js';

export interface Reporter {
  /** One line for --help. */
  description: string;
  render(input: ReportInput): Artifact[] | Promise<Artifact[]>;
}

export const reporters = { json, csv, markdown, png, html } satisfies Record<string, Reporter>;

export type ReporterName = keyof typeof reporters;

export const REPORTER_NAMES = Object.keys(reporters) as ReporterName[];

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(reporters, name);
}

/** Checks report format names from a flag or a file (`where` names it); a name given twice counts once. */
export function checkReportFormats(names: readonly string[], where: string): ReporterName[] {
  for (const name of names) {
    if (!isReporterName(name)) throw new UsageError(`${where}: unknown report format "${name}". Choose from: ${REPORTER_NAMES.join(', ')}`);
  }
  return [...new Set(names)] as ReporterName[];
}

/**
 * Analyses each run (the first is the primary; more overlay their curves), with the baseline comparison
 * if any. Without one, each later run is compared with the first, for the side-by-side view.
 */
export function buildReportInput(results: readonly RunResult[], comparison?: Comparison): ReportInput {
  const runs = results.map((result) => ({ result, analysis: analyse(result) }));
  const first = runs[0];
  const overlays =
    comparison || !first
      ? []
      : runs.slice(1).map((run) => compare(first.result, run.result, { baselineAnalysis: first.analysis, currentAnalysis: run.analysis }));
  return { runs, ...(comparison ? { comparison } : {}), ...(overlays.length > 0 ? { overlays } : {}) };
}

/**
 * Runs the named reporters in order and concatenates their artifacts. Two reporters claiming
 * the same path is a programming error, reported rather than letting one silently overwrite the other.
 */
export async function renderReports(input: ReportInput, names: readonly ReporterName[]): Promise<Artifact[]> {
  const out: Artifact[] = [];
  const owner = new Map<string, ReporterName>();
  for (const name of names) {
    for (const a of await reporters[name].render(input)) {
      const prev = owner.get(a.path);
      if (prev) throw new Error(`reporters "${prev}" and "${name}" both produce ${a.path}`);
      owner.set(a.path, name);
      out.push(a);
    }
  }
  return out;
}
