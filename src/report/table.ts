/**
 * Terminal tables of the cells, one line per row (no rule between rows):
 * - the pivot the first screen shows (./pivot.ts): rows model × size, one column per pool width;
 * - the full per-cell tables behind --details, grouped by model and data set.
 */
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import type { Analysis } from '../analyse/schema.js';
import { formatBytes, formatCount, formatFixed, formatMs, formatPercent, formatSig, MISSING } from '../config/format.js';
import { cellVariantLabel } from '../modes/index.js';
import { terminalSafeLine } from '../config/terminal-text.js';
import { findingsGroups } from './findings/index.js';
import { cellPivot, PIVOT_NOTE, pivotTitle } from './pivot.js';

/** Names come from user files: keep control characters (terminal escapes) out of the output. */
export const clean = terminalSafeLine;

/** cli-table3 options for a compact table: no rule between rows, coloured header and border when asked. */
export function compactTable(head: string[], colAligns: Array<'left' | 'right'>, color: boolean): Table.Table {
  return new Table({
    head,
    colAligns,
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [], compact: true },
  });
}
import { qualityCompact, timeToTargetCell } from './quality-text.js';

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}

/** Rows in the pivot: model × size (× mode variant). */
export function pivotRowCount(analysis: Analysis): number {
  return findingsGroups(analysis).reduce((sum, g) => sum + g.sizes.length, 0);
}

/** Every cell in one table (see ./pivot.ts): rows model × size, one column per pool width. */
export function renderCellPivot(analysis: Analysis, opts: { color: boolean }): string {
  const colors = createColors(opts.color);
  const pivot = cellPivot(analysis);
  const table = compactTable(pivot.header, ['left', ...pivot.header.slice(1).map(() => 'right' as const)], opts.color);
  for (const row of pivot.rows) {
    table.push([clean(row.label), formatCount(row.size), ...row.cells.map((c) => (c.state === 'failed' || c.state === 'partial' ? colors.red(c.text) : c.text))]);
  }
  return `${colors.bold(`Cells: ${pivotTitle(pivot)}`)} ${colors.dim(`(${PIVOT_NOTE})`)}\n${table.toString()}`;
}

/** Every metric of every cell, one compact table per model and data set (behind --details). */
export function renderCellTable(analysis: Analysis, opts: { color: boolean }): string {
  const colors = createColors(opts.color);
  const sections: string[] = [];
  for (const [group, cells] of groupBy(analysis.cells, (cell) => `${cell.cell.model} on ${cell.cell.dataset} (${cell.cell.mode})`)) {
    // Runs trained to a target add the time to get there (MLPerf score, epochs) after the quality.
    const toTarget = cells.some((cell) => cell.timeToTarget);
    const table = compactTable(
      ['size', 'workers', 'time (median ±IQR/2)', 'samples/s', 'GFLOP/s', 'quality (budget)', ...(toTarget ? ['to target'] : []), 'cell mem', 'process RSS', 'CPU', 'ok'],
      ['right', 'right', 'right', 'right', 'right', 'right', ...(toTarget ? (['right'] as const) : []), 'right', 'right', 'right', 'right'],
      opts.color,
    );
    const throughputs = cells.map((cell) => cell.samplesPerSec?.median).filter((value): value is number => value !== undefined);
    const best = Math.max(...throughputs);
    const worst = Math.min(...throughputs);
    for (const cell of cells) {
      const rate = cell.samplesPerSec?.median;
      let rateText = formatCount(rate);
      if (rate !== undefined && throughputs.length > 1 && best !== worst) {
        if (rate === best) rateText = colors.green(rateText);
        else if (rate === worst) rateText = colors.red(rateText);
      }
      const cpuUtilisation = cell.cpuMs && cell.wallMs && cell.wallMs.median > 0 ? cell.cpuMs.median / cell.wallMs.median : null;
      const ok = `${cell.okTrials}/${cell.totalTrials}`;
      table.push([
        formatCount(cell.cell.size),
        `${cell.cell.workers}${cellVariantLabel(cell.cell)}`,
        cell.wallMs ? `${formatMs(cell.wallMs.median)} ±${formatPercent(cell.wallMs.relativeSpread / 2)}` : MISSING,
        rateText,
        formatSig(cell.gflops, 3),
        cell.undertrained ? `${qualityCompact(cell)} ${colors.red('undertrained')}` : qualityCompact(cell),
        ...(toTarget ? [timeToTargetCell(cell.timeToTarget)] : []),
        formatBytes(cell.cellMemoryBytes?.median),
        formatBytes(cell.peakRssBytes?.median),
        cpuUtilisation === null ? MISSING : `${formatFixed(cpuUtilisation, 1)} cores`,
        cell.okTrials === cell.totalTrials ? ok : colors.red(ok),
      ]);
    }
    sections.push(`${colors.bold(clean(group))}\n${table.toString()}`);
  }
  return sections.join('\n\n');
}
