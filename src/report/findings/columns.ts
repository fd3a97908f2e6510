/** The columns of the Findings table, in order. Each turns one group into one short plain string. */
import type { Estimate, SizeScaling } from '../../analyse/schema.js';
import { MISSING, formatCount, formatFixed, formatPercent, formatRatio } from '../../config/format.js';
import { bestSpeedup, qualityBySize, qualityTrend, stopVerdict } from './groups.js';
import type { FindingsColumn, FindingsGroup } from './types.js';
import { qualityText } from '../quality-text.js';

function halfWidth(e: Estimate): number | null {
  return e.low !== null && e.high !== null && Number.isFinite(e.low) && Number.isFinite(e.high) ? (e.high - e.low) / 2 : null;
}

/** "1.02 ±0.03 O(n)" (the exponent b of a·n^b, its 95% half-width and the closest class), or why there is none. */
export function exponentText(law: SizeScaling | null, withClass: boolean): string {
  if (!law?.exponent) return MISSING;
  const hw = halfWidth(law.exponent);
  const value = formatFixed(law.exponent.value, 2);
  const interval = hw === null ? ' (no CI)' : ` ±${formatFixed(hw, 2)}`;
  const bigO = withClass && law.bigO ? ` ${law.bigO.class}` : '';
  return `${value}${interval}${bigO}`;
}


function modeText(group: FindingsGroup): string {
  return [group.mode, ...group.variant.split('|').filter(Boolean)].join(' ');
}

export const modelColumn: FindingsColumn = { id: 'model', title: 'model', cell: (g) => g.model };

export const dataColumn: FindingsColumn = { id: 'data', title: 'data', cell: (g) => g.dataset };

/** Shown only when some row is not plain job-parallel. */
export const modeColumn: FindingsColumn = {
  id: 'mode',
  title: 'mode',
  cell: (g, _ctx, all) => (all.every((o) => o.mode === 'job-parallel' && o.variant === '') ? '' : modeText(g)),
  hideWhenEmpty: true,
};

export const timeColumn: FindingsColumn = {
  id: 'time',
  title: 'time ∝ n^b',
  cell: (g) => {
    const text = exponentText(g.timeLaw, true);
    // Laws are read at the narrowest width; say so when that is not 1.
    return g.timeLaw && g.timeLaw.workers !== 1 && text !== MISSING ? `${text} (w=${g.timeLaw.workers})` : text;
  },
};

export const memoryColumn: FindingsColumn = { id: 'memory', title: 'memory ∝ n^b', cell: (g) => exponentText(g.memoryLaw, false) };

export const speedupColumn: FindingsColumn = {
  id: 'speedup',
  title: 'best speedup',
  cell: (g) => {
    const best = bestSpeedup(g);
    return best ? `${formatRatio(best.point.speedup)} w=${best.point.workers} n=${formatCount(best.size)}` : MISSING;
  },
};

export const stopsPayingColumn: FindingsColumn = {
  id: 'stops-paying',
  title: 'stops paying',
  cell: (g, ctx) => {
    const verdict = stopVerdict(g, ctx.analysis.environment.cores);
    switch (verdict.kind) {
      case 'efficiency':
        return `w=${verdict.workers} (eff ${formatPercent(verdict.efficiency)})`;
      case 'usl-peak':
        return `USL peak w≈${formatFixed(verdict.workers, 1)}`;
      case 'core-bound':
        return `at ${verdict.cores} cores`;
      case 'still-paying':
        return `not by w=${verdict.workers}`;
      case 'unknown':
        return MISSING;
    }
  },
};

export const mfuColumn: FindingsColumn = {
  id: 'mfu',
  title: 'MFU',
  hideWhenEmpty: true,
  cell: (g) => {
    const values = g.cells.flatMap((c) => (c.mfu === null ? [] : [c.mfu]));
    if (values.length === 0) return MISSING;
    const low = formatPercent(Math.min(...values));
    const high = formatPercent(Math.max(...values));
    return low === high ? low : `${low.slice(0, -1)}–${high}`;
  },
};

export const qualityColumn: FindingsColumn = {
  id: 'quality',
  title: 'quality (max n)',
  hideWhenEmpty: true,
  // The budget behind the figure ("1 epoch, 125 steps"), and undertrained when it is no better than a trivial predictor.
  cell: (g) => {
    const points = qualityBySize(g);
    const last = points[points.length - 1];
    return last ? qualityText(g.cells.find((c) => c.cell.size === last.size && c.cell.workers === g.widths[0])) : MISSING;
  },
};

/** Whether the two largest sizes trained on a fixed budget with different step counts (more data, more steps). */
function moreStepsAtLargerN(g: FindingsGroup): boolean {
  const points = qualityBySize(g);
  const budgets = points.slice(-2).map((p) => g.cells.find((c) => c.cell.size === p.size && c.cell.workers === g.widths[0])?.budget);
  const [a, b] = budgets;
  return a?.kind === 'fixed' && b?.kind === 'fixed' && a.steps !== null && b.steps !== null && a.steps !== b.steps;
}

export const improvesColumn: FindingsColumn = {
  id: 'improves',
  title: 'improves with n',
  hideWhenEmpty: true,
  cell: (g) => {
    const trend = qualityTrend(g);
    const signed = (x: number) => `${x > 0 ? '+' : '−'}${formatFixed(Math.abs(x), 3)}`;
    // On a fixed number of epochs a larger n also trains more optimiser steps: the change is not data alone.
    const steps = moreStepsAtLargerN(g) ? ', more steps' : '';
    switch (trend.kind) {
      case 'improving':
        return `yes (${signed(trend.change)}${steps})`;
      case 'worse':
        return `no (${signed(trend.change)}${steps})`;
      case 'plateau':
        return 'plateau';
      case 'unknown':
        return MISSING;
    }
  },
};
