/** Throughput against pool width: speedup, efficiency, Karp-Flatt, Amdahl and the USL. */
import type { AnalysisWarning, WidthPoint, WidthScaling } from './schema.js';
import type { Mode } from '../results/schema.js';
import { amdahlParallelFraction, efficiency, fitUsl, karpFlatt, speedupFromThroughput, speedupFromTime, USL_MIN_WIDTHS } from '../stats/index.js';
import { modeVariant } from '../modes/index.js';
import { groupBy, widthScalingKey, type AnalysedCell } from './common.js';

interface WidthCell {
  workers: number;
  throughput: number;
  wallMs: number | null;
  samples: number | null;
  oversubscribed: boolean;
}

/**
 * S(w): in job-parallel and inference modes each worker does its own work, so speedup is the
 * throughput ratio X(w)/X(1). In data-parallel mode the workers share one job, so it is
 * T(1)/T(w) when both widths did the same work, and the throughput ratio otherwise (weak scaling).
 */
function speedupOf(mode: Mode, base: WidthCell, point: WidthCell): number | null {
  if (mode === 'data-parallel' && base.samples !== null && base.samples === point.samples && base.wallMs !== null && point.wallMs !== null) {
    return speedupFromTime(base.wallMs, point.wallMs);
  }
  return speedupFromThroughput(base.throughput, point.throughput);
}

export function widthScaling(cells: readonly AnalysedCell[], warnings: AnalysisWarning[]): WidthScaling[] {
  const out: WidthScaling[] = [];
  const groups = groupBy(cells, ({ analysis: { cell } }) => widthScalingKey(cell.model, cell.dataset, cell.size, cell.mode, modeVariant(cell)));
  for (const [key, group] of groups) {
    const { model, dataset, size, mode } = group[0]!.analysis.cell;
    const plannedWidths = [...new Set(group.map((c) => c.analysis.cell.workers))];
    const byWidth = new Map<number, WidthCell>();
    for (const { analysis, medianSamples, cores } of group) {
      const throughput = analysis.samplesPerSec?.median;
      if (throughput === undefined || byWidth.has(analysis.cell.workers)) continue;
      byWidth.set(analysis.cell.workers, {
        workers: analysis.cell.workers,
        throughput,
        wallMs: analysis.wallMs?.median ?? null,
        samples: medianSamples,
        oversubscribed: analysis.cell.workers > cores,
      });
    }
    const measured = [...byWidth.values()].sort((a, b) => a.workers - b.workers);
    const base = byWidth.get(1);
    const points: WidthPoint[] = measured.map((p) => {
      const speedup = base ? speedupOf(mode, base, p) : null;
      return {
        workers: p.workers,
        throughput: p.throughput,
        speedup,
        efficiency: speedup === null ? null : efficiency(speedup, p.workers),
        karpFlatt: speedup === null ? null : karpFlatt(speedup, p.workers),
        oversubscribed: p.oversubscribed,
      };
    });
    const speedups = points.flatMap((p) => (p.speedup === null ? [] : [{ workers: p.workers, speedup: p.speedup }]));
    out.push({
      key,
      model,
      dataset,
      size,
      mode,
      points,
      amdahlParallelFraction: base ? amdahlParallelFraction(speedups) : null,
      usl: fitUsl(points),
    });

    if (plannedWidths.length < 2) continue;
    if (!base && measured.length > 0) {
      warnings.push({
        code: 'missing-width-1',
        message: `${key}: no ok measurement at width 1, so speedup, efficiency, Karp-Flatt and the USL are unavailable; include 1 in --workers.`,
        subject: key,
      });
    }
    if (measured.length < USL_MIN_WIDTHS) {
      warnings.push({
        code: 'not-enough-widths',
        message: `${key}: ${measured.length} measured width${measured.length === 1 ? '' : 's'} (${measured.map((p) => p.workers).join(', ') || 'none'}); the USL fit needs ${USL_MIN_WIDTHS} including 1. Add widths with --workers.`,
        subject: key,
      });
    }
  }
  return out;
}
