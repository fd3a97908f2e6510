/**
 * Analysis (+ Comparison) -> Findings, the data every format leads with. The three lists below are the
 * extension points: a new column, sentence rule or label is one entry (see ./types.ts).
 */
import { MISSING } from '../../config/format.js';
import { isSynthetic, SYNTHETIC_NOTE } from '../text.js';
import { findingsGroups } from './groups.js';
import {
  dataColumn,
  improvesColumn,
  memoryColumn,
  mfuColumn,
  modeColumn,
  modelColumn,
  qualityColumn,
  speedupColumn,
  stopsPayingColumn,
  timeColumn,
} from './columns.js';
import {
  comparisonRule,
  exchangeRule,
  failedCellsRule,
  inferenceRule,
  linearTimeRule,
  memoryGrowthRule,
  noiseRule,
  overheadRule,
  qualityRule,
  timeGrowthRule,
  uslMissingRule,
  widthLimitRule,
} from './sentences.js';
import type { Findings, FindingsColumn, FindingsContext, FindingsLabel, FindingsRule } from './types.js';

export type { FindingSentence, Findings, FindingsColumn, FindingsContext, FindingsGroup, FindingsLabel, FindingsRule, Tone } from './types.js';
export { findingsGroups } from './groups.js';

/** At most this many sentences lead the output; the rest are in the details and the report files. */
export const MAX_SENTENCES = 5;

export const FINDINGS_COLUMNS: FindingsColumn[] = [
  modelColumn,
  dataColumn,
  modeColumn,
  timeColumn,
  memoryColumn,
  speedupColumn,
  stopsPayingColumn,
  mfuColumn,
  qualityColumn,
  improvesColumn,
];

export const FINDINGS_RULES: FindingsRule[] = [
  comparisonRule,
  failedCellsRule,
  timeGrowthRule,
  overheadRule,
  widthLimitRule,
  qualityRule,
  exchangeRule,
  inferenceRule,
  memoryGrowthRule,
  noiseRule,
  uslMissingRule,
  linearTimeRule,
];

export const FINDINGS_LABELS: FindingsLabel[] = [
  // A fake-runner run says so first, in every format that leads with the Findings.
  (ctx) => (isSynthetic(ctx.result) ? SYNTHETIC_NOTE : null),
  (ctx) => (ctx.result.complete ? null : 'Incomplete run: some cells did not finish every repetition; the laws use what did.'),
];

export function buildFindings(ctx: FindingsContext): Findings {
  const groups = findingsGroups(ctx.analysis);
  const table = FINDINGS_COLUMNS.map((column) => ({ column, cells: groups.map((g) => column.cell(g, ctx, groups)) }));
  const shown = table.filter(({ column, cells }) => !column.hideWhenEmpty || cells.some((text) => text !== '' && text !== MISSING));
  const ranked = FINDINGS_RULES.flatMap((rule) => rule(groups, ctx))
    .map((sentence, order) => ({ sentence, order }))
    .sort((a, b) => b.sentence.severity - a.sentence.severity || a.order - b.order)
    .map(({ sentence }) => sentence);
  const env = ctx.analysis.environment;
  return {
    title: `${ctx.analysis.runId}: ${ctx.analysis.backend}, ${env.cores} cores`,
    labels: FINDINGS_LABELS.flatMap((label) => label(ctx) ?? []),
    columns: shown.map(({ column }) => ({ id: column.id, title: column.title })),
    rows: groups.map((_, i) => shown.map(({ cells }) => cells[i]!)),
    sentences: ranked.slice(0, MAX_SENTENCES),
    moreSentences: ranked.slice(MAX_SENTENCES),
  };
}
