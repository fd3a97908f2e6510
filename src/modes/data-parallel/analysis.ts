/** What the analysis adds to a data-parallel cell: the gradient exchange beside the compute (pure). */
import { z } from 'zod';
import { median } from '../../stats/index.js';
import type { TrialResult } from '../../results/schema.js';

export const dataParallelCellAnalysisSchema = z.object({
  /** Milliseconds per step exchanging gradients (write, wait for peers, sum). */
  exchangeMsPerStep: z.number().nullable(),
  /** Milliseconds per step computing gradients and applying the update. */
  computeMsPerStep: z.number().nullable(),
  /** exchange / (exchange + compute), 0..1. */
  exchangeShare: z.number().nullable(),
  /** Largest replica weight difference over the repetitions (the replicas agree when it is tiny). */
  replicaMaxDiff: z.number().nullable(),
});
export type DataParallelCellAnalysis = z.infer<typeof dataParallelCellAnalysisSchema>;

/** Exchange beside compute per step, and the replicas' agreement, over a cell's ok repetitions. */
export function dataParallelCellAnalysis(trials: readonly TrialResult[]): DataParallelCellAnalysis {
  const ok = trials.filter((t) => t.state === 'ok' && t.steps !== undefined && t.steps > 0);
  const perStep = (key: 'exchangeMs' | 'computeMs'): number | null => {
    const values = ok.flatMap((t) => (t[key] !== undefined ? [(t[key] as number) / (t.steps as number)] : []));
    return values.length > 0 ? median(values) : null;
  };
  const exchange = perStep('exchangeMs');
  const compute = perStep('computeMs');
  const diffs = ok.flatMap((t) => (t.replicaMaxDiff !== undefined ? [t.replicaMaxDiff] : []));
  return {
    exchangeMsPerStep: exchange,
    computeMsPerStep: compute,
    exchangeShare: exchange !== null && compute !== null && exchange + compute > 0 ? exchange / (exchange + compute) : null,
    replicaMaxDiff: diffs.length > 0 ? Math.max(...diffs) : null,
  };
}
