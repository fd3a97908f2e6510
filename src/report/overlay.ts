/**
 * Side by side: per cell, the ratio of median wall times current / baseline with its confidence interval
 * and the gate's verdict, for `run --baseline` (the comparison) and `report a.json b.json` (each later
 * run against the first). Data here; report.html draws it as a grid coloured by verdict.
 */
import type { Comparison, Verdict } from '../gate/schema.js';
import type { Mode } from '../results/schema.js';
import { formatFixed, formatRatio } from '../config/format.js';
import { modeVariant } from '../modes/index.js';
import type { ReportInput } from './types.js';

export interface OverlayCell {
  model: string;
  dataset: string;
  mode: Mode;
  variant: string;
  size: number;
  workers: number;
  /** Median wall time current / baseline. */
  ratio: number;
  /** Its confidence interval, when the test gave one. */
  low: number | null;
  high: number | null;
  level: number | null;
  verdict: Verdict;
  gated: boolean;
}

export interface OverlayView {
  baselineRunId: string;
  currentRunId: string;
  comparison: Comparison;
  cells: OverlayCell[];
}

/** Every side-by-side view the input holds: the baseline comparison first, then the overlays. */
export function overlayViews(input: ReportInput): OverlayView[] {
  const comparisons = [...(input.comparison ? [input.comparison] : []), ...(input.overlays ?? [])];
  const analyses = input.runs.map((r) => r.analysis);
  return comparisons.map((comparison) => {
    const current = analyses.find((a) => a.runId === comparison.currentRunId) ?? analyses[0];
    const cells = comparison.metrics.flatMap((m): OverlayCell[] => {
      if (m.metric !== 'wallMs' || !(m.baseline > 0)) return [];
      const cell = current?.cells.find((c) => c.cellId === m.subject)?.cell;
      if (!cell) return [];
      const ci = m.changeCi;
      const bounded = ci !== null && ci.low !== null && ci.high !== null;
      return [
        {
          model: cell.model,
          dataset: cell.dataset,
          mode: cell.mode,
          variant: modeVariant(cell),
          size: cell.size,
          workers: cell.workers,
          ratio: m.current / m.baseline,
          low: bounded ? 1 + ci.low! : null,
          high: bounded ? 1 + ci.high! : null,
          level: bounded ? ci.level : null,
          verdict: m.verdict,
          gated: m.gated,
        },
      ];
    });
    return { baselineRunId: comparison.baselineRunId, currentRunId: comparison.currentRunId, comparison, cells };
  });
}

/** "1.30x [1.21, 1.39]". */
export function ratioText(cell: Pick<OverlayCell, 'ratio' | 'low' | 'high'>): string {
  const interval = cell.low !== null && cell.high !== null ? ` [${formatFixed(cell.low, 2)}, ${formatFixed(cell.high, 2)}]` : '';
  return `${formatRatio(cell.ratio)}${interval}`;
}

/** "run-b vs run-a: geometric mean 1.30x; 3 regressed, 0 improved, 1 inconclusive, 20 unchanged of 24 cells (raw gate, same machine)." */
export function overlayLine(view: OverlayView): string {
  const counts = new Map<Verdict, number>();
  for (const c of view.cells) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  const verdicts = (['regressed', 'improved', 'inconclusive', 'unchanged'] as const).map((v) => `${counts.get(v) ?? 0} ${v}`).join(', ');
  const gm = view.comparison.geometricMeanRatio;
  const mean = gm === null ? '' : `geometric mean ${formatRatio(gm)}; `;
  return `${view.currentRunId} vs ${view.baselineRunId}: ${mean}${verdicts} of ${view.cells.length} cells (${view.comparison.gateMode} gate${view.comparison.sameMachine ? ', same machine' : ', different machines'}).`;
}

/** One line per overlay (not the baseline comparison, which the gate prints itself). */
export function overlayLines(input: ReportInput): string[] {
  return overlayViews({ ...input, comparison: undefined }).map(overlayLine);
}
