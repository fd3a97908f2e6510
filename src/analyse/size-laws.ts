/**
 * Time and memory against dataset size: the power law t = a·n^b with its interval, and the best Big-O class.
 * Memory is the memory each cell holds (cellMemoryBytes), which does not depend on the order the cells
 * ran in; the process's peak RSS does (wasm heaps never shrink), so it is fitted only for results
 * that predate the per-cell figure.
 */
import type { AnalysisWarning, SizeScaling } from './schema.js';
import { fitBigO, powerLawFit } from '../stats/index.js';
import { modeVariant } from '../modes/index.js';
import { groupBy, sizeScalingKey, type AnalysedCell } from './common.js';
import { memoryMetricOf } from './labels.js';

export function sizeScaling(cells: readonly AnalysedCell[], level: number, warnings: AnalysisWarning[]): SizeScaling[] {
  const out: SizeScaling[] = [];
  const groups = groupBy(cells, ({ analysis: { cell } }) => `${cell.model}|${cell.dataset}|w=${cell.workers}|${cell.mode}${modeVariant(cell)}`);
  for (const group of groups.values()) {
    const { model, dataset, workers, mode } = group[0]!.analysis.cell;
    const variant = modeVariant(group[0]!.analysis.cell);
    const plannedSizes = new Set(group.map((c) => c.analysis.cell.size)).size;
    const memoryMetric = memoryMetricOf(group.map(({ analysis }) => analysis));
    // Time to a target is fitted like any time, on the cells that reached it (runs trained with --target).
    const metrics = group.some((c) => c.analysis.timeToTarget) ? (['wallMs', memoryMetric, 'timeToTargetMs'] as const) : (['wallMs', memoryMetric] as const);
    for (const metric of metrics) {
      const bySize = new Map<number, number>();
      for (const { analysis } of group) {
        const value = metric === 'timeToTargetMs' ? analysis.timeToTarget?.medianMs?.value : analysis[metric]?.median;
        if (value !== undefined && !bySize.has(analysis.cell.size)) bySize.set(analysis.cell.size, value);
      }
      const points = [...bySize].map(([size, value]) => ({ size, value })).sort((a, b) => a.size - b.size);
      const sizes = points.map((p) => p.size);
      const values = points.map((p) => p.value);
      const power = powerLawFit(sizes, values, level);
      const bigO = fitBigO(sizes, values);
      const key = sizeScalingKey(model, dataset, workers, mode, metric, variant);
      out.push({
        key,
        model,
        dataset,
        workers,
        mode,
        metric,
        points,
        exponent: power?.exponent ?? null,
        coefficient: power?.coefficient ?? null,
        rSquared: power?.rSquared ?? null,
        bigO: bigO ? { class: bigO.class, coefficient: bigO.coefficient, relativeRms: bigO.relativeRms } : null,
      });
      if (metric === 'wallMs' && plannedSizes >= 2 && points.length < 2) {
        warnings.push({
          code: 'not-enough-sizes',
          message: `${key}: only ${points.length} of ${plannedSizes} sizes have ok repetitions; the time-vs-size fit needs 2 or more.`,
          subject: key,
        });
      }
    }
  }
  return out;
}
