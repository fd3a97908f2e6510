/**
 * Every cell in one table, as data: rows model × size (× mode variant), one column per pool width
 * (median wall time ±IQR/2), then held-out quality and peak RSS at the narrowest width. The terminal,
 * summary.md and report.html's per-model sections render it.
 */
import type { Analysis, CellAnalysis } from '../analyse/schema.js';
import { formatBytes, formatMs, formatPercent } from '../config/format.js';
import { findingsGroups } from './findings/index.js';
import { memoryMetric } from './text.js';
import { qualityText, timeToTargetCell } from './quality-text.js';

export interface PivotCell {
  text: string;
  /** No ok repetition (failed) or some lost (partial). */
  state: 'ok' | 'partial' | 'failed' | 'absent';
}

export interface PivotRow {
  /** Group key (model × data set × mode variant) and its label, raw. */
  group: string;
  label: string;
  model: string;
  size: number;
  cells: PivotCell[];
}

export interface Pivot {
  widths: number[];
  /** Whether the width columns carry the spread (dropped past SPREAD_MAX_WIDTHS columns). */
  spread: boolean;
  /** The run trained to a target quality: the width columns hold the time to it. */
  toTarget: boolean;
  header: string[];
  rows: PivotRow[];
}

/** Widths beyond this many columns drop the spread so the table stays readable on wide machines (--details keeps it). */
const SPREAD_MAX_WIDTHS = 4;

function timeText(cell: CellAnalysis, spread: boolean): PivotCell {
  const summary = cell.wallMs;
  if (!summary) return { text: `failed (0/${cell.totalTrials})`, state: 'failed' };
  const text = `${formatMs(summary.median)}${spread ? ` ±${formatPercent(summary.relativeSpread / 2)}` : ''}`;
  return cell.okTrials < cell.totalTrials ? { text: `${text} (${cell.okTrials}/${cell.totalTrials} ok)`, state: 'partial' } : { text, state: 'ok' };
}

export { qualityText };

export function cellPivot(analysis: Analysis): Pivot {
  const widths = [...new Set(analysis.cells.map((c) => c.cell.workers))].sort((a, b) => a - b);
  const memory = memoryMetric(analysis);
  const spread = widths.length <= SPREAD_MAX_WIDTHS;
  // Runs trained to a target quality show the time to get there (MLPerf score, epochs), not the wall time of a fixed budget.
  const toTarget = analysis.cells.some((c) => c.timeToTarget);
  const rows: PivotRow[] = [];
  for (const g of findingsGroups(analysis)) {
    for (const size of g.sizes) {
      const atSize = g.cells.filter((c) => c.cell.size === size);
      const narrowest = atSize.reduce<CellAnalysis | undefined>((a, c) => (a && a.cell.workers <= c.cell.workers ? a : c), undefined);
      rows.push({
        group: g.key,
        label: g.label,
        model: g.model,
        size,
        cells: [
          ...widths.map((w): PivotCell => {
            const cell = atSize.find((c) => c.cell.workers === w);
            if (!cell) return { text: '', state: 'absent' };
            if (toTarget && cell.timeToTarget) return { text: timeToTargetCell(cell.timeToTarget), state: cell.timeToTarget.status === 'not-converged' ? 'partial' : 'ok' };
            return timeText(cell, spread);
          }),
          { text: qualityText(narrowest), state: 'ok' },
          { text: formatBytes(narrowest?.[memory]?.median), state: 'ok' },
        ],
      });
    }
  }
  return { widths, spread, toTarget, header: ['model', 'n', ...widths.map((w) => `w=${w}`), 'quality', memory === 'cellMemoryBytes' ? 'cell mem' : 'peak RSS'], rows };
}

/** "median wall time ±IQR/2 by pool width w". */
export function pivotTitle(pivot: Pivot): string {
  if (pivot.toTarget) return 'time to target (MLPerf score, epochs) by pool width w';
  return `median wall time${pivot.spread ? ' ±IQR/2' : ''} by pool width w`;
}

export const PIVOT_NOTE = 'quality and memory at the narrowest width';
