/** Terminal table of every cell, grouped by model and data set, with the best and worst throughput coloured. */
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import type { Analysis, CellAnalysis } from '../analyse/schema.js';
import { formatBytes, formatCount, formatMs, formatNumber, formatPercent, MISSING } from '../config/format.js';
import { cellVariantLabel } from '../modes/index.js';
import { qualityCompact, timeToTargetCell } from './quality-text.js';

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}

function timeWithSpread(cell: CellAnalysis): string {
  const summary = cell.wallMs;
  if (!summary) return MISSING;
  return `${formatMs(summary.median)} ±${formatPercent(summary.relativeSpread / 2)}`;
}


export function renderCellTable(analysis: Analysis, opts: { color: boolean }): string {
  const colors = createColors(opts.color);
  const sections: string[] = [];
  for (const [group, cells] of groupBy(analysis.cells, (cell) => `${cell.cell.model} on ${cell.cell.dataset} (${cell.cell.mode})`)) {
    // Runs trained to a target add the time to get there (MLPerf score, epochs) after the quality.
    const toTarget = cells.some((cell) => cell.timeToTarget);
    const table = new Table({
      head: ['size', 'workers', 'time (median ±IQR/2)', 'samples/s', 'GFLOP/s', 'quality (budget)', ...(toTarget ? ['to target'] : []), 'peak RSS', 'CPU', 'ok'],
      style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
      colAligns: ['right', 'right', 'right', 'right', 'right', 'right', ...(toTarget ? (['right'] as const) : []), 'right', 'right', 'right'],
    });
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
        timeWithSpread(cell),
        rateText,
        formatNumber(cell.gflops, 2),
        cell.undertrained ? `${qualityCompact(cell)} ${colors.red('undertrained')}` : qualityCompact(cell),
        ...(toTarget ? [timeToTargetCell(cell.timeToTarget)] : []),
        formatBytes(cell.peakRssBytes?.median),
        cpuUtilisation === null ? MISSING : `${formatNumber(cpuUtilisation, 1)} cores`,
        cell.okTrials === cell.totalTrials ? ok : colors.red(ok),
      ]);
    }
    sections.push(`${colors.bold(group)}\n${table.toString()}`);
  }
  return sections.join('\n\n');
}
