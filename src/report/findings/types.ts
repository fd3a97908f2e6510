/**
 * The Findings: the answer a run gives, computed once as data and rendered by every format (terminal,
 * summary.md, report.html). A table with one row per model × data set (× mode), and a few plain
 * sentences, worst news first.
 *
 * Extension points (each is a list in ./index.ts; adding to the Findings is one entry there):
 * - a column: a FindingsColumn (e.g. quality-to-target, a learning-curve slope);
 * - a sentence: a FindingsRule returning candidate sentences with a severity (e.g. a backtest line,
 *   a canary or speed-drift line, confirmed regressions);
 * - a label: a FindingsLabel, a line every format shows above the table (e.g. "synthetic numbers").
 * Texts are plain and raw (names unescaped): each format escapes them its own way.
 */
import type { Analysis, CellAnalysis, SizeScaling, WidthScaling } from '../../analyse/schema.js';
import type { Comparison } from '../../gate/schema.js';
import type { Mode, RunResult } from '../../results/schema.js';

/** What the Findings are computed from: one run, its analysis and, when gated, the comparison with a baseline. */
export interface FindingsContext {
  result: RunResult;
  analysis: Analysis;
  comparison?: Comparison;
}

/** One row of the table: a model on a data set in one mode variant, with its cells and fitted laws. */
export interface FindingsGroup {
  key: string;
  model: string;
  dataset: string;
  mode: Mode;
  /** The mode's variant as it appears in analysis keys ("|strong", "|b=32|c=4"), '' for job-parallel. */
  variant: string;
  /** The shortest name that tells this group from the others: "mlp-small", "mlp-small on images", "mlp-small (data-parallel strong)". */
  label: string;
  cells: CellAnalysis[];
  sizes: number[];
  widths: number[];
  /** Time-vs-size law at the narrowest width that has one. */
  timeLaw: SizeScaling | null;
  /** Peak-memory-vs-size law at the same width. */
  memoryLaw: SizeScaling | null;
  /** Throughput-vs-width sweeps with 2 or more widths, by size. */
  widthLaws: WidthScaling[];
}

export interface FindingsColumn {
  id: string;
  /** Header, plain text. */
  title: string;
  /** The cell's plain text ("n/a" when it does not apply); `all` is every row, for columns that depend on the others. */
  cell(group: FindingsGroup, ctx: FindingsContext, all: readonly FindingsGroup[]): string;
  /** Leave the column out when no row has a value (every cell "n/a" or empty). */
  hideWhenEmpty?: boolean;
}

/** How bad the news is: sentences are printed worst first. */
export type Tone = 'bad' | 'warn' | 'info' | 'good';

export interface FindingSentence {
  /** Higher is worse news; ties keep the order of the rules. */
  severity: number;
  tone: Tone;
  /** One plain sentence; names raw. */
  text: string;
}

export type FindingsRule = (groups: readonly FindingsGroup[], ctx: FindingsContext) => FindingSentence[];

export type FindingsLabel = (ctx: FindingsContext) => string | null;

export interface Findings {
  /** "snap: wasm, 2 cores". */
  title: string;
  /** Lines shown above the table in every format (incomplete run, synthetic numbers, ...). */
  labels: string[];
  columns: Array<{ id: string; title: string }>;
  /** One row per group, one plain string per column. */
  rows: string[][];
  /** At most MAX_SENTENCES, worst news first. */
  sentences: FindingSentence[];
  /** Sentences that did not make the cut (the details and the report files list them). */
  moreSentences: FindingSentence[];
}
