/**
 * Terminal tables of the cells, one line per row (no rule between rows):
 * - the pivot the first screen shows: rows model × size, one column per pool width;
 * - the full per-cell tables behind --details, grouped by model and data set.
 */
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import type { Analysis, CellAnalysis } from '../analyse/schema.js';
import { formatBytes, formatCount, formatFixed, formatMs, formatPercent, formatSig, MISSING } from '../config/format.js';
import { cellVariantLabel } from '../modes/index.js';
import { findingsGroups } from './findings/index.js';

type Colors = ReturnType<typeof createColors>;

/** Names come from user files: keep control characters (terminal escapes) out of the output. */
export function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** cli-table3 options for a compact table: no rule between rows, coloured header and border when asked. */
export function compactTable(head: string[], colAligns: Array<'left' | 'right'>, color: boolean): Table.Table {
  return new Table({
    head,
    colAligns,
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [], compact: true },
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}

/** "31.5 ms ±1%" (median and IQR/2 relative to it), "failed (0/5)", or "31.5 ms ±1% (3/5 ok)". */
function timeWithSpread(cell: CellAnalysis, colors: Colors, spread: boolean): string {
  const summary = cell.wallMs;
  if (!summary) return colors.red(`failed (0/${cell.totalTrials})`);
  const text = `${formatMs(summary.median)}${spread ? ` ±${formatPercent(summary.relativeSpread / 2)}` : ''}`;
  return cell.okTrials < cell.totalTrials ? `${text} ${colors.red(`(${cell.okTrials}/${cell.totalTrials} ok)`)}` : text;
}

function quality(cell: CellAnalysis | undefined): string {
  if (!cell?.quality) return MISSING;
  return `${cell.quality.metric === 'r2' ? 'R²' : 'acc'} ${formatFixed(cell.quality.value, 3)}`;
}

/** Widths beyond this many columns drop the spread so the pivot stays readable on wide machines (it stays in --details). */
const SPREAD_MAX_WIDTHS = 4;

export interface PivotOptions {
  color: boolean;
}

/** Rows in the pivot: model × size (× mode variant). */
export function pivotRowCount(analysis: Analysis): number {
  return findingsGroups(analysis).reduce((sum, g) => sum + g.sizes.length, 0);
}

/**
 * Every cell in one table: rows model × size, one column per pool width (median wall time ±IQR/2),
 * then held-out quality and peak RSS at the narrowest width.
 */
export function renderCellPivot(analysis: Analysis, opts: PivotOptions): string {
  const colors = createColors(opts.color);
  const groups = findingsGroups(analysis);
  const widths = [...new Set(analysis.cells.map((c) => c.cell.workers))].sort((a, b) => a - b);
  const spread = widths.length <= SPREAD_MAX_WIDTHS;
  const table = compactTable(
    ['model', 'n', ...widths.map((w) => `w=${w}`), 'quality', 'peak RSS'],
    ['left', 'right', ...widths.map(() => 'right' as const), 'right', 'right'],
    opts.color,
  );
  for (const g of groups) {
    for (const size of g.sizes) {
      const atSize = g.cells.filter((c) => c.cell.size === size);
      const narrowest = atSize.reduce<CellAnalysis | undefined>((a, c) => (a && a.cell.workers <= c.cell.workers ? a : c), undefined);
      table.push([
        clean(g.label),
        formatCount(size),
        ...widths.map((w) => {
          const cell = atSize.find((c) => c.cell.workers === w);
          return cell ? timeWithSpread(cell, colors, spread) : '';
        }),
        quality(narrowest),
        formatBytes(narrowest?.peakRssBytes?.median),
      ]);
    }
  }
  const what = spread ? 'median wall time ±IQR/2' : 'median wall time';
  return `${colors.bold(`Cells: ${what} by pool width w`)} ${colors.dim('(quality and peak RSS at the narrowest width)')}\n${table.toString()}`;
}

/** Every metric of every cell, one compact table per model and data set (behind --details). */
export function renderCellTable(analysis: Analysis, opts: { color: boolean }): string {
  const colors = createColors(opts.color);
  const sections: string[] = [];
  for (const [group, cells] of groupBy(analysis.cells, (cell) => `${cell.cell.model} on ${cell.cell.dataset} (${cell.cell.mode})`)) {
    const table = compactTable(
      ['size', 'workers', 'time (median ±IQR/2)', 'samples/s', 'GFLOP/s', 'quality', 'peak RSS', 'CPU', 'ok'],
      ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
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
        quality(cell),
        formatBytes(cell.peakRssBytes?.median),
        cpuUtilisation === null ? MISSING : `${formatFixed(cpuUtilisation, 1)} cores`,
        cell.okTrials === cell.totalTrials ? ok : colors.red(ok),
      ]);
    }
    sections.push(`${colors.bold(clean(group))}\n${table.toString()}`);
  }
  return sections.join('\n\n');
}
