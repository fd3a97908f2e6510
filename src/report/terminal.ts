/**
 * The terminal as a reporter: what `run` and `report` print on stdout, rendered to bytes like every
 * other format; the CLI only writes them to the stream.
 */
import type { Artifact, ReportInput } from './types.js';
import { renderCellTable } from './table.js';
import { renderScalingSummary } from './summary.js';
import { renderTerminalChart } from './terminal-chart.js';
import { describeMachineSpeed } from './text.js';

export interface TerminalOptions {
  /** ANSI colours (the CLI decides from NO_COLOR, FORCE_COLOR and whether stdout is a terminal). */
  color: boolean;
  /**
   * 'run': the finished sweep (its tables, laws, chart and the machine that ran it);
   * 'report': saved runs re-read, each under its run id.
   */
  view: 'run' | 'report';
}

export function renderTerminal(input: ReportInput, options: TerminalOptions): string {
  const { color } = options;
  if (options.view === 'report') {
    return input.runs.map((run) => `${run.result.runId}\n${renderCellTable(run.analysis, { color })}\n\n${renderScalingSummary(run.analysis, { color })}\n\n`).join('');
  }
  const parts: string[] = [];
  for (const { result, analysis } of input.runs) {
    parts.push(`\n${renderCellTable(analysis, { color })}\n\n`, `${renderScalingSummary(analysis, { color })}\n\n`);
    const chart = renderTerminalChart(analysis, { color });
    if (chart) parts.push(`${chart}\n\n`);
    parts.push(`backend: ${result.environment.backend} (${result.environment.runner}), ${result.environment.cpuModel}, ${result.environment.cores} cores\n`);
    if (analysis.machineSpeed) parts.push(`machine speed: ${describeMachineSpeed(analysis.machineSpeed)}\n`);
  }
  return parts.join('');
}

export const terminal = {
  description: 'what `run` and `report` print: cell tables, fitted laws, a chart',
  render(input: ReportInput, options: TerminalOptions): Artifact[] {
    return [{ path: 'terminal.txt', mediaType: 'text/plain; charset=utf-8', bytes: new TextEncoder().encode(renderTerminal(input, options)) }];
  },
};
