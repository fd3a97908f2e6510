/** The rows of the Findings (model × data set × mode variant) and the judgements several columns and sentences share. */
import type { Analysis, CellAnalysis, SizeScaling, WidthPoint, WidthScaling } from '../../analyse/schema.js';
import { sizeScalingKey, widthScalingKey } from '../../analyse/common.js';
import { modeVariant } from '../../modes/index.js';
import type { FindingsGroup } from './types.js';
import { memoryMetric } from '../text.js';

/** Efficiency below which another worker no longer pays for itself. */
export const EFFICIENCY_FLOOR = 0.5;

function variantWords(variant: string): string {
  return variant.split('|').filter(Boolean).join(' ');
}

export function findingsGroups(analysis: Analysis): FindingsGroup[] {
  const byKey = new Map<string, CellAnalysis[]>();
  for (const c of analysis.cells) {
    const key = `${c.cell.model}|${c.cell.dataset}|${c.cell.mode}${modeVariant(c.cell)}`;
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const groups = [...byKey].map(([key, cells]) => {
    const { model, dataset, mode } = cells[0]!.cell;
    const variant = modeVariant(cells[0]!.cell);
    const sizes = [...new Set(cells.map((c) => c.cell.size))].sort((a, b) => a - b);
    const widths = [...new Set(cells.map((c) => c.cell.workers))].sort((a, b) => a - b);
    const law = (workers: number, metric: SizeScaling['metric']) =>
      analysis.sizeScaling.find((s) => s.key === sizeScalingKey(model, dataset, workers, mode, metric, variant) && s.exponent !== null) ?? null;
    const lawWidth = widths.find((w) => law(w, 'wallMs') !== null);
    const widthKeys = new Set(sizes.map((n) => widthScalingKey(model, dataset, n, mode, variant)));
    const widthLaws = analysis.widthScaling.filter((w) => widthKeys.has(w.key) && w.points.length >= 2).sort((a, b) => a.size - b.size);
    return {
      key,
      model,
      dataset,
      mode,
      variant,
      label: model,
      cells,
      sizes,
      widths,
      timeLaw: lawWidth === undefined ? null : law(lawWidth, 'wallMs'),
      memoryLaw: lawWidth === undefined ? null : law(lawWidth, memoryMetric(analysis)),
      widthLaws,
    } satisfies FindingsGroup;
  });
  // The shortest label that still tells rows apart: the data set and the mode only when a model has several.
  for (const g of groups) {
    const same = groups.filter((o) => o.model === g.model);
    const datasets = new Set(same.map((o) => o.dataset)).size > 1;
    const modes = new Set(same.map((o) => `${o.mode}${o.variant}`)).size > 1;
    g.label = `${g.model}${datasets ? ` on ${g.dataset}` : ''}${modes ? ` (${[g.mode, variantWords(g.variant)].filter(Boolean).join(' ')})` : ''}`;
  }
  return groups;
}

/** The width sweep the verdicts read: the largest size whose sweep has a width-1 baseline. */
export function representativeSweep(group: FindingsGroup): WidthScaling | null {
  const withBase = group.widthLaws.filter((w) => w.points.some((p) => p.workers === 1 && p.speedup !== null));
  return withBase[withBase.length - 1] ?? null;
}

export interface BestSpeedup {
  point: WidthPoint;
  size: number;
}

export function bestSpeedup(group: FindingsGroup): BestSpeedup | null {
  let best: BestSpeedup | null = null;
  for (const sweep of group.widthLaws) {
    for (const point of sweep.points) {
      if (point.workers === 1 || point.speedup === null) continue;
      if (!best || point.speedup > (best.point.speedup ?? 0)) best = { point, size: sweep.size };
    }
  }
  return best;
}

/** Where adding workers stops paying: the first width under the efficiency floor or the USL peak, whichever comes first; else the core count. */
export type StopVerdict =
  | { kind: 'usl-peak'; workers: number; size: number }
  | { kind: 'efficiency'; workers: number; efficiency: number; size: number }
  | { kind: 'core-bound'; cores: number; size: number; beyond: WidthPoint | null; atCores: WidthPoint | null }
  | { kind: 'still-paying'; workers: number; size: number }
  | { kind: 'unknown'; reason: string };

export function stopVerdict(group: FindingsGroup, cores: number): StopVerdict {
  const sweep = representativeSweep(group);
  if (!sweep) return { kind: 'unknown', reason: group.widths.length < 2 ? 'one width measured' : 'no width-1 baseline' };
  const usl = 'unavailable' in sweep.usl ? null : sweep.usl;
  const peak = usl && usl.peakWorkers !== null && Number.isFinite(usl.peakWorkers) ? usl.peakWorkers : null;
  const points = sweep.points.filter((p) => p.workers > 1 && p.efficiency !== null).sort((a, b) => a.workers - b.workers);
  // Past the core count efficiency falls because workers share cores: that is "core-bound", not this.
  const low = points.find((p) => (p.efficiency ?? 1) < EFFICIENCY_FLOOR && p.workers <= cores);
  if (low && (peak === null || low.workers <= peak)) return { kind: 'efficiency', workers: low.workers, efficiency: low.efficiency!, size: sweep.size };
  if (peak !== null) return { kind: 'usl-peak', workers: peak, size: sweep.size };
  const atCores = [...points].reverse().find((p) => p.workers <= cores) ?? null;
  const beyond = points.find((p) => p.workers > cores) ?? null;
  const widest = points[points.length - 1];
  if (!widest) return { kind: 'unknown', reason: 'no width above 1 measured' };
  // Past the cores, more workers only share them: the speedup there says whether anything else limits.
  if (beyond && atCores && (beyond.speedup ?? 0) < (atCores.speedup ?? 0) * 1.05) return { kind: 'core-bound', cores, size: sweep.size, beyond, atCores };
  if (!beyond && widest.workers >= cores) return { kind: 'core-bound', cores, size: sweep.size, beyond: null, atCores };
  return { kind: 'still-paying', workers: widest.workers, size: sweep.size };
}

/** Held-out quality at the narrowest width, by size (sizes with a value only). */
export function qualityBySize(group: FindingsGroup): Array<{ size: number; value: number; metric: 'accuracy' | 'r2' }> {
  const narrowest = group.widths[0];
  return group.sizes.flatMap((size) => {
    const cell = group.cells.find((c) => c.cell.size === size && c.cell.workers === narrowest && c.quality !== null);
    return cell?.quality ? [{ size, value: cell.quality.value, metric: cell.quality.metric }] : [];
  });
}

/** A quality change smaller than this between the two largest sizes reads as a plateau (one-epoch medians move by about this much). */
export const QUALITY_PLATEAU = 0.005;

export type QualityTrend = { kind: 'improving' | 'plateau' | 'worse'; change: number } | { kind: 'unknown' };

/** Whether quality still improves with n: the change between the two largest sizes. */
export function qualityTrend(group: FindingsGroup): QualityTrend {
  const points = qualityBySize(group);
  const last = points[points.length - 1];
  const previous = points[points.length - 2];
  if (!last || !previous) return { kind: 'unknown' };
  const change = last.value - previous.value;
  if (Math.abs(change) <= QUALITY_PLATEAU) return { kind: 'plateau', change };
  return { kind: change > 0 ? 'improving' : 'worse', change };
}
