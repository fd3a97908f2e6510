/**
 * The reporters, keyed by the name the CLI accepts (`--report json,html`), like vitest's
 * reporters/index.ts. Each returns bytes; src/write.ts writes them.
 */
import type { Artifact, ReportInput } from './types.js';
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

/**
 * Runs the named reporters in order and concatenates their artifacts. Two reporters claiming
 * the same path is a programming error, reported rather than letting one silently overwrite the other.
 */
export async function renderReports(names: readonly ReporterName[], input: ReportInput): Promise<Artifact[]> {
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
