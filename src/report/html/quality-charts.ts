/**
 * Chart specs of the quality findings, small multiples like every other chart (PNG and HTML): quality at
 * the end of training against size with the fitted learning curve and its 95% band, and the time to a
 * target against width.
 */
import type { ReportInput } from '../types.js';
import { formatCount, formatFixed, formatMs } from '../../config/format.js';
import type { ChartSpec } from './chart-types.js';
import { REFERENCE_COLOR } from './chart-axes.js';
import { assemble, FIT_DASH, IDEAL_DASH, linearAxis, logAxis, runsGroups, type PanelDraft, type ValueSeries } from './chart-assemble.js';

function metricWords(metric: 'r2' | 'accuracy'): string {
  return metric === 'r2' ? 'R²' : 'accuracy';
}

/** Quality at the end of training against n per width, the fitted learning curve (dashed) with its 95% band, and the ideal model (dotted). */
export function learningCurveChart(input: ReportInput): ChartSpec {
  const drafts: PanelDraft[] = [];
  const sizes: number[] = [];
  const metrics = new Set<string>();
  for (const { run, analysis, group } of runsGroups(input)) {
    const curves = (analysis.learningCurves ?? []).filter((c) => c.model === group.model && c.dataset === group.dataset && c.mode === group.mode && c.points.length > 0);
    if (curves.length === 0) continue;
    const values: ValueSeries[] = curves.map((curve) => {
      metrics.add(curve.metric);
      const measured = curve.points.map((p) => ({
        x: p.size,
        y: p.quality,
        tip: `n=${formatCount(p.size)}, w=${curve.workers}: ${metricWords(curve.metric)} ${formatFixed(p.quality, 3)} at the end of training (median of ${p.repetitions})`,
      }));
      sizes.push(...measured.map((p) => p.x));
      const series: ValueSeries['series'] = [{ role: 'measured', points: measured }];
      if (curve.band.length > 0) {
        series.push({ role: 'fit', points: curve.band.map((p) => ({ x: p.size, y: p.quality })) });
        const edge = (pick: 'high' | 'low') => curve.band.flatMap((p) => (p[pick] === null ? [] : [{ x: p.size, y: p[pick]! }]));
        series.push({ role: 'band-high', points: edge('high') }, { role: 'band-low', points: edge('low') });
      }
      return { value: curve.workers, series };
    });
    const shown = curves.find((c) => c.verdict === 'power-law' && c.fit) ?? curves[0]!;
    const note =
      shown.verdict === 'power-law' && shown.fit
        ? `error ∝ n^-${formatFixed(shown.fit.alpha.value, 2)} + ${formatFixed(shown.fit.c.value, 3)} at w=${shown.workers}`
        : `${shown.verdict.replace(/-/g, ' ')}${shown.reason ? `: ${shown.reason}` : ''}`;
    const ideal = curves.find((c) => c.idealError !== null)?.idealError ?? null;
    const xs = curves.flatMap((c) => [...c.points.map((p) => p.size), ...c.band.map((p) => p.size)]);
    const references: PanelDraft['references'] =
      ideal === null ? [] : [{ label: 'ideal model', role: 'ideal', points: [{ x: Math.min(...xs), y: 1 - ideal }, { x: Math.max(...xs), y: 1 - ideal }] }];
    drafts.push({ group, run, values, note, references });
  }
  const yTitle = metrics.size === 1 ? `held-out ${metrics.has('r2') ? 'R²' : 'accuracy'} at the end of training` : 'held-out quality at the end of training';
  return assemble(
    input,
    {
      id: 'learning-curve',
      title: 'Learning curve: quality vs dataset size',
      subtitle: 'median of repetitions trained to convergence, per pool width w; dashed: fitted 1 − (a·n^−α + c); shaded: its 95% band; dotted: the ideal model',
      varying: 'workers',
      xAxis: logAxis('dataset size n (samples)', 'count', sizes),
      yAxis: linearAxis(yTitle, 'number'),
    },
    drafts,
    [
      { key: 'fit', label: 'fitted learning curve (dashed) with its 95% band', color: REFERENCE_COLOR, kind: 'style', dash: FIT_DASH },
      { key: 'ideal', label: 'ideal model (dotted)', color: REFERENCE_COLOR, kind: 'style', dash: IDEAL_DASH },
    ],
  );
}

/** Median time to the target against pool width, one series per size. */
export function timeToTargetChart(input: ReportInput): ChartSpec {
  const drafts: PanelDraft[] = [];
  const widths: number[] = [];
  for (const { run, analysis, group } of runsGroups(input)) {
    const sweeps = (analysis.timeToTargetScaling ?? []).filter((s) => s.model === group.model && s.dataset === group.dataset && s.mode === group.mode);
    const values: ValueSeries[] = sweeps.flatMap((s) => {
      const measured = s.points.flatMap((p) =>
        p.timeToTargetMs === null || p.timeToTargetMs === undefined
          ? []
          : [{ x: p.workers, y: p.timeToTargetMs, tip: `n=${formatCount(s.size)}, w=${p.workers}: ${formatMs(p.timeToTargetMs)} to ${metricWords(s.metric)} ${s.target}` }],
      );
      widths.push(...measured.map((p) => p.x));
      return measured.length === 0 ? [] : [{ value: s.size, series: [{ role: 'measured' as const, points: measured }] }];
    });
    if (values.length > 0) drafts.push({ group, run, values });
  }
  return assemble(
    input,
    {
      id: 'time-to-target-vs-workers',
      title: 'Time to target vs workers',
      subtitle: 'median training time until the held-out metric first reached the target, per dataset size n (evaluation time excluded)',
      varying: 'size',
      xAxis: linearAxis('workers w (threads in the pool)', 'number', { integerX: widths.length > 0 ? widths : [1, 2] }),
      yAxis: logAxis('time to target', 'ms'),
    },
    drafts,
    [],
  );
}

/** The quality charts that have data. */
export function qualityChartSpecs(input: ReportInput): ChartSpec[] {
  return [learningCurveChart(input), timeToTargetChart(input)].filter((s) => s.panels.length > 0);
}
