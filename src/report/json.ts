/**
 * results.json (the RunResult exactly as measured, the file baselines and merges read) and
 * analysis.json (the fitted laws, versioned separately so consumers can detect changes).
 * With several runs the first is the primary; with a comparison, comparison.json too.
 */
import type { Analysis } from '../analyse/schema.js';
import type { Artifact, ReportInput } from './types.js';
import type { Comparison } from '../gate/schema.js';
import { SYNTHETIC_NOTE, isSynthetic } from './text.js';

/** Version of analysis.json and comparison.json. Bump on any incompatible change to Analysis or Comparison. */
export const ANALYSIS_SCHEMA_VERSION = 1 as const;

export interface AnalysisFile {
  schemaVersion: typeof ANALYSIS_SCHEMA_VERSION;
  /** Present only when the fake runner produced the numbers (results.json says so in environment.runner). */
  synthetic?: string;
  analysis: Analysis;
}

export interface ComparisonFile {
  schemaVersion: typeof ANALYSIS_SCHEMA_VERSION;
  comparison: Comparison;
}

/**
 * JSON with non-finite numbers as null. JSON.stringify already writes NaN as null; doing it
 * here explicitly keeps that a decision rather than an accident, and catches -0.
 */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' ? (Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : null) : v), 2)}\n`;
}

function artifact(path: string, value: unknown): Artifact {
  return { path, mediaType: 'application/json', bytes: new TextEncoder().encode(toJson(value)) };
}

export const json = {
  description: 'results.json (raw, versioned RunResult), analysis.json (fitted laws) and comparison.json when comparing',
  render(input: ReportInput): Artifact[] {
    const primary = input.runs[0];
    if (!primary) return [];
    const out = [
      artifact('results.json', primary.result),
      artifact('analysis.json', {
        schemaVersion: ANALYSIS_SCHEMA_VERSION,
        ...(isSynthetic(primary.result) ? { synthetic: SYNTHETIC_NOTE } : {}),
        analysis: primary.analysis,
      } satisfies AnalysisFile),
    ];
    if (input.comparison) {
      out.push(artifact('comparison.json', { schemaVersion: ANALYSIS_SCHEMA_VERSION, comparison: input.comparison } satisfies ComparisonFile));
    }
    return out;
  },
};
