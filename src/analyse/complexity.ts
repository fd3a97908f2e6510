/** Time per sample against model size (parameters and training FLOPs) at each dataset size and width. */
import type { ComplexityScaling } from './schema.js';
import { powerLawFit } from '../stats/index.js';
import { modeVariant } from '../modes/index.js';
import { complexityScalingKey, groupBy, type AnalysedCell } from './common.js';

export function complexityScaling(cells: readonly AnalysedCell[], level: number): ComplexityScaling[] {
  const out: ComplexityScaling[] = [];
  const groups = groupBy(cells, ({ analysis: { cell } }) => complexityScalingKey(cell.dataset, cell.size, cell.workers, cell.mode, modeVariant(cell)));
  for (const [key, group] of groups) {
    const { dataset, size, workers, mode } = group[0]!.analysis.cell;
    const seen = new Set<string>();
    const points: ComplexityScaling['points'] = [];
    for (const { analysis } of group) {
      if (analysis.usPerSample === null || seen.has(analysis.cell.model)) continue;
      seen.add(analysis.cell.model);
      points.push({
        model: analysis.cell.model,
        params: analysis.model.params,
        trainFlopsPerSample: analysis.model.trainFlopsPerSample,
        usPerSample: analysis.usPerSample,
        gflops: analysis.gflops,
      });
    }
    points.sort((a, b) => a.params - b.params);
    const us = points.map((p) => p.usPerSample);
    out.push({
      key,
      dataset,
      size,
      workers,
      mode,
      points,
      exponentVsParams: powerLawFit(points.map((p) => p.params), us, level)?.exponent ?? null,
      exponentVsFlops: powerLawFit(points.map((p) => p.trainFlopsPerSample), us, level)?.exponent ?? null,
    });
  }
  return out;
}
