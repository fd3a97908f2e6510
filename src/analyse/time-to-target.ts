/**
 * Time to a target against pool width: what the hardware gives (samples/s), what the larger global
 * batch costs in epochs (statistical efficiency), and the time-to-accuracy speedup they make together.
 * Data-parallel weak scaling grows the global batch with the width, which usually needs more epochs:
 * this is where that cost shows.
 */
import type { CellAnalysis } from './schema.js';
import type { TimeToTargetPoint, TimeToTargetScaling } from './quality-schema.js';
import { modeVariant } from '../modes/index.js';
import { groupBy, widthScalingKey } from './common.js';

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : null;

export function timeToTargetScaling(cells: readonly CellAnalysis[]): TimeToTargetScaling[] {
  const rated = cells.filter((c) => c.timeToTarget !== undefined);
  const out: TimeToTargetScaling[] = [];
  for (const [key, group] of groupBy(rated, (c) => widthScalingKey(c.cell.model, c.cell.dataset, c.cell.size, c.cell.mode, modeVariant(c.cell)))) {
    const first = group[0]!;
    const ttt = first.timeToTarget!;
    const byWidth = new Map<number, CellAnalysis>();
    for (const c of group) if (!byWidth.has(c.cell.workers)) byWidth.set(c.cell.workers, c);
    const base = byWidth.get(1);
    const timeOf = (c: CellAnalysis | undefined): number | null => (c?.timeToTarget?.status === 'converged' ? (c.timeToTarget.medianMs?.value ?? null) : null);
    const epochsOf = (c: CellAnalysis | undefined): number | null => (c?.timeToTarget?.status === 'converged' ? (c.timeToTarget.epochs?.value ?? null) : null);
    const points: TimeToTargetPoint[] = [...byWidth.values()]
      .sort((a, b) => a.cell.workers - b.cell.workers)
      .map((c) => {
        // One job's speed: job-parallel runs w independent jobs, so its aggregate throughput is shared by w of them.
        const perJob = (x: CellAnalysis | undefined): number | null =>
          x?.samplesPerSec ? x.samplesPerSec.median / (x.cell.mode === 'job-parallel' ? x.cell.workers : 1) : null;
        const hardwareSpeedup = ratio(perJob(c), perJob(base));
        const statisticalEfficiency = ratio(epochsOf(base), epochsOf(c));
        return {
          workers: c.cell.workers,
          timeToTargetMs: timeOf(c),
          epochsToTarget: epochsOf(c),
          throughput: c.samplesPerSec?.median ?? null,
          hardwareSpeedup,
          statisticalEfficiency,
          predictedSpeedup: hardwareSpeedup !== null && statisticalEfficiency !== null ? hardwareSpeedup * statisticalEfficiency : null,
          timeToTargetSpeedup: ratio(timeOf(base), timeOf(c)),
        };
      });
    out.push({ key, model: first.cell.model, dataset: first.cell.dataset, size: first.cell.size, mode: first.cell.mode, ...(first.cell.scaling ? { scaling: first.cell.scaling } : {}), metric: ttt.metric, target: ttt.target, points });
  }
  return out;
}
