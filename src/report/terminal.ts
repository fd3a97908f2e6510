/**
 * The terminal as a reporter: what `run` and `report` print on stdout, rendered to bytes like every
 * other format; the CLI only writes them to the stream.
 *
 * The first screen answers the question: the Findings table and at most five sentences, the cells in
 * one pivot table, the warnings one line per kind. `--details` adds every cell's metrics, every fitted
 * law, the full warning list and a chart; the report files hold all of it too.
 */
import { createColors } from 'picocolors';
import type { AnalysisWarning } from '../analyse/schema.js';
import type { Artifact, ReportInput } from './types.js';
import { buildFindings, type FindingSentence, type Findings, type Tone } from './findings/index.js';
import { clean, compactTable, pivotRowCount, renderCellPivot, renderCellTable } from './table.js';
import { renderScalingSummary } from './summary.js';
import { renderTerminalChart } from './terminal-chart.js';
import { groupWarnings, warningGroupLine } from './warnings.js';
import { overlayLines } from './overlay.js';
import { describeMachineSpeed, runLabels } from './text.js';
import { qualityFindings } from './quality-text.js';
import { terminalSafeData } from '../config/terminal-text.js';

type Colors = ReturnType<typeof createColors>;

export interface TerminalOptions {
  /** ANSI colours (the CLI decides from NO_COLOR, FORCE_COLOR and whether stdout is a terminal). */
  color: boolean;
  /**
   * 'run': the finished sweep, with the machine that ran it;
   * 'report': saved runs re-read, each under its run id.
   */
  view: 'run' | 'report';
  /** Everything: every cell's metrics, every fitted law, every warning, a chart. */
  details?: boolean;
}

/** Above this many rows the pivot moves behind --details, so a big sweep's first screen stays one screen. */
export const PIVOT_MAX_ROWS = 40;

const MARKS: Record<Tone, string> = { bad: '✗', warn: '!', info: '·', good: '✓' };

function sentenceLine(s: FindingSentence, colors: Colors): string {
  const paint: Record<Tone, (text: string) => string> = { bad: colors.red, warn: colors.yellow, info: (t) => t, good: colors.green };
  return `  ${paint[s.tone](MARKS[s.tone])} ${clean(s.text)}`;
}

/** A long header on two lines ("best\nspeedup"), so the table stays narrow; the rows stay one line each. */
function wrapHeader(title: string): string {
  if (title.length <= 8 || !title.includes(' ')) return title;
  const middle = title.length / 2;
  const spaces = [...title.matchAll(/ /g)].map((m) => m.index!);
  const at = spaces.reduce((a, b) => (Math.abs(b - middle) < Math.abs(a - middle) ? b : a));
  return `${title.slice(0, at)}\n${title.slice(at + 1)}`;
}

export function renderFindingsText(findings: Findings, opts: { color: boolean; all?: boolean }): string {
  const colors = createColors(opts.color);
  const lines = [colors.bold(`Findings: ${clean(findings.title)}`)];
  for (const label of findings.labels) lines.push(colors.yellow(`  ${clean(label)}`));
  if (findings.rows.length > 0) {
    const table = compactTable(
      findings.columns.map((c) => wrapHeader(c.title)),
      findings.columns.map((c) => (['model', 'data', 'mode'].includes(c.id) ? 'left' : 'right')),
      opts.color,
    );
    for (const row of findings.rows) table.push(row.map(clean));
    lines.push(table.toString());
  } else {
    lines.push('  no cells were analysed');
  }
  const sentences = opts.all ? [...findings.sentences, ...findings.moreSentences] : findings.sentences;
  lines.push(...sentences.map((s) => sentenceLine(s, colors)));
  return lines.join('\n');
}

export function renderWarningGroups(warnings: readonly AnalysisWarning[], opts: { color: boolean }): string {
  const colors = createColors(opts.color);
  if (warnings.length === 0) return '';
  const groups = groupWarnings(warnings);
  return [colors.bold(colors.yellow(`Warnings (${warnings.length}, ${groups.length} kind${groups.length === 1 ? '' : 's'})`)), ...groups.map((g) => `  ${clean(warningGroupLine(g))}`)].join('\n');
}

export function renderWarningList(warnings: readonly AnalysisWarning[], opts: { color: boolean }): string {
  const colors = createColors(opts.color);
  if (warnings.length === 0) return '';
  return [colors.bold(colors.yellow(`Warnings (${warnings.length})`)), ...warnings.map((w) => `  ${colors.yellow(w.code)}: ${clean(w.message)}`)].join('\n');
}

function renderRun(run: ReportInput['runs'][number], input: ReportInput, options: TerminalOptions): string[] {
  const { color } = options;
  const colors = createColors(color);
  const { result, analysis } = run;
  const primary = run === input.runs[0];
  const findings = buildFindings({ result, analysis, ...(primary && input.comparison ? { comparison: input.comparison } : {}) });
  const parts = [renderFindingsText(findings, { color, all: options.details === true })];
  if (options.details) {
    parts.push(renderCellTable(analysis, { color }), renderScalingSummary(analysis, { color }));
    const chart = renderTerminalChart(analysis, { color });
    if (chart) parts.push(chart);
    parts.push(renderWarningList(analysis.warnings, { color }));
  } else {
    // Ideal quality, time to target, statistical efficiency, learning curves (--details has them with the laws).
    const quality = qualityFindings(analysis);
    if (quality.length > 0) parts.push([colors.bold('Quality'), ...quality.map((q) => `  ${clean(q.subject)}: ${clean(q.text)}`)].join('\n'));
    const rows = pivotRowCount(analysis);
    parts.push(rows <= PIVOT_MAX_ROWS ? renderCellPivot(analysis, { color }) : colors.dim(`Cells: ${rows} rows, listed with --details and in cells.csv.`));
    parts.push(renderWarningGroups(analysis.warnings, { color }));
  }
  const speed = analysis.machineSpeed ? `machine speed: ${describeMachineSpeed(analysis.machineSpeed)}` : '';
  if (options.view === 'run') {
    const env = result.environment;
    parts.push([`backend: ${env.backend} (${env.runner}), ${clean(env.cpuModel)}, ${env.cores} cores`, speed].filter((line) => line !== '').join('\n'));
  } else if (options.details) {
    parts.push(speed);
  }
  return parts.filter((p) => p !== '');
}

export function renderTerminal(unsafeInput: ReportInput, options: TerminalOptions): string {
  // Names and messages come from user files; the terminal gets them without control characters.
  const input = terminalSafeData(unsafeInput);
  const colors = createColors(options.color);
  const labels = runLabels(input.runs);
  const blocks: string[] = [];
  input.runs.forEach((run, i) => {
    const parts = renderRun(run, input, options);
    if (options.view === 'report' || input.runs.length > 1) parts.unshift(colors.bold(clean(labels[i]!)));
    blocks.push(parts.join('\n\n'));
  });
  const overlay = overlayLines(input).map(clean);
  if (overlay.length > 0) blocks.push([colors.bold('Side by side (current / baseline, per cell)'), ...overlay.map((l) => `  ${l}`)].join('\n'));
  if (!options.details) blocks.push(colors.dim('More: --details (every cell, law and warning), or the report files: report.html, summary.md, cells.csv.'));
  return `\n${blocks.join('\n\n')}\n`;
}

export const terminal = {
  description: 'what `run` and `report` print: the Findings, the cells by width, grouped warnings (--details: everything)',
  render(input: ReportInput, options: TerminalOptions): Artifact[] {
    return [{ path: 'terminal.txt', mediaType: 'text/plain; charset=utf-8', bytes: new TextEncoder().encode(renderTerminal(input, options)) }];
  },
};
