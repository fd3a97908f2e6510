/**
 * Quality against speed: a faster configuration of the same model, data and size that reached worse
 * quality is flagged, but only against one trained with the same number of optimizer steps: with
 * fewer steps (a larger global batch) worse quality is the budget's doing, not the configuration's.
 * Runs trained to a target compare time to target instead.
 */
import { formatFixed } from '../config/format.js';
import type { AnalysisWarning, QualityFlag } from './schema.js';
import { groupBy, type AnalysedCell } from './common.js';

export function qualityFlags(cells: readonly AnalysedCell[], tolerance: number, warnings: AnalysisWarning[]): QualityFlag[] {
  const flags: QualityFlag[] = [];
  const rated = cells.map((c) => c.analysis).filter((a) => a.quality !== null && a.wallMs !== null && a.budget?.kind !== 'to-target');
  const groups = groupBy(rated, (a) => `${a.cell.model}|${a.cell.dataset}|n=${a.cell.size}|steps=${a.budget?.kind === 'fixed' ? String(a.budget.steps) : '?'}`);
  for (const group of groups.values()) {
    const reference = group.reduce((slowest, a) => ((a.wallMs?.median ?? 0) > (slowest.wallMs?.median ?? 0) ? a : slowest));
    const refQuality = reference.quality;
    const refWall = reference.wallMs?.median ?? 0;
    if (!refQuality) continue;
    for (const a of group) {
      const wall = a.wallMs?.median ?? 0;
      if (a === reference || !a.quality || a.quality.metric !== refQuality.metric || !(wall > 0) || !(wall < refWall)) continue;
      const drop = refQuality.value - a.quality.value;
      // A hair of slack so that a drop of exactly the tolerance is not flagged by rounding.
      if (!(drop > tolerance + 1e-12)) continue;
      const flag: QualityFlag = {
        cellId: a.cellId,
        referenceCellId: reference.cellId,
        metric: refQuality.metric,
        value: a.quality.value,
        referenceValue: refQuality.value,
        speedup: refWall / wall,
      };
      flags.push(flag);
      warnings.push({
        code: 'quality-tradeoff',
        message: `${a.cellId} is ${formatFixed(flag.speedup, 2)}x faster than ${reference.cellId} but reached ${refQuality.metric} ${formatFixed(a.quality.value, 3)} vs ${formatFixed(refQuality.value, 3)} (more than ${tolerance} worse).`,
        subject: a.cellId,
      });
    }
  }
  return flags;
}
