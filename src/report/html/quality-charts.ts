/**
 * Chart specs of the quality findings, drawn like every other chart (PNG and HTML): quality against
 * size with the fitted learning curve and its 95% band, and time to a target against width.
 */
import type { ReportInput } from '../types.js';
import type { ChartSpec, SeriesSpec } from './chart-types.js';
import { runLabels } from '../text.js';

/** Tableau 10, as the other charts use. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const finitePoint = (p: { x: number; y: number | null | undefined }): p is { x: number; y: number } =>
  Number.isFinite(p.x) && typeof p.y === 'number' && Number.isFinite(p.y);

function runPrefix(input: ReportInput): (run: number) => string {
  const labels = runLabels(input.runs);
  return (run) => (input.runs.length > 1 ? `${labels[run]} · ` : '');
}

/** Quality at the end of training against n, the fitted learning curve (dashed), its 95% band and the data set's ideal (dotted). */
export function learningCurveChart(input: ReportInput): ChartSpec {
  const prefix = runPrefix(input);
  const series: SeriesSpec[] = [];
  const metrics = new Set<string>();
  let k = 0;
  input.runs.forEach(({ analysis }, run) => {
    for (const curve of analysis.learningCurves ?? []) {
      if (curve.points.length === 0) continue;
      metrics.add(curve.metric);
      const color = PALETTE[k++ % PALETTE.length]!;
      const group = `${run}|${curve.key}`;
      const width = curve.mode === 'job-parallel' ? '' : ` · ${curve.mode} ${curve.workers}w`;
      const name = `${prefix(run)}${curve.model}${width}`;
      const verdict = curve.verdict === 'power-law' && curve.fit ? `: α ${curve.fit.alpha.value.toFixed(2)}` : curve.verdict === 'not-a-power-law' ? ': not a power law' : '';
      series.push({ label: `${name}${verdict}`, role: 'measured', color, run, group, points: curve.points.map((p) => ({ x: p.size, y: p.quality })) });
      if (curve.band.length > 0) {
        series.push({ label: `${name} fit`, role: 'fit', color, run, group, points: curve.band.map((p) => ({ x: p.size, y: p.quality })).filter(finitePoint) });
        series.push({ label: `${name} 95% band low`, role: 'band', color, run, group, points: curve.band.map((p) => ({ x: p.size, y: p.low })).filter(finitePoint) });
        series.push({ label: `${name} 95% band high`, role: 'band', color, run, group, points: curve.band.map((p) => ({ x: p.size, y: p.high })).filter(finitePoint) });
      }
      if (curve.idealError !== null) {
        const xs = curve.band.length > 0 ? [curve.band[0]!.size, curve.band[curve.band.length - 1]!.size] : [curve.points[0]!.size, curve.points[curve.points.length - 1]!.size];
        series.push({ label: `${name} ideal`, role: 'ideal', color, run, group, points: xs.map((x) => ({ x, y: 1 - curve.idealError! })) });
      }
    }
  });
  const yTitle = metrics.size === 1 ? (metrics.has('r2') ? 'held-out R² at the end of training' : 'held-out accuracy at the end of training') : 'held-out quality at the end of training';
  return {
    id: 'learning-curve',
    title: 'Learning curve: quality vs dataset size',
    subtitle: 'median of repetitions trained to convergence; dashed: fitted 1 − (a·n^−α + c); shaded: 95% band; dotted: the ideal model',
    xTitle: 'dataset size (samples)',
    yTitle,
    xLog: true,
    yLog: false,
    series,
  };
}

/** Median time to the target against pool width, one line per (model, size). */
export function timeToTargetChart(input: ReportInput): ChartSpec {
  const prefix = runPrefix(input);
  const series: SeriesSpec[] = [];
  let k = 0;
  input.runs.forEach(({ analysis }, run) => {
    for (const s of analysis.timeToTargetScaling ?? []) {
      const points = s.points.map((p) => ({ x: p.workers, y: p.timeToTargetMs })).filter(finitePoint);
      if (points.length === 0) continue;
      const color = PALETTE[k++ % PALETTE.length]!;
      const mode = s.mode === 'job-parallel' ? '' : ` · ${s.mode}`;
      series.push({ label: `${prefix(run)}${s.model} · n=${s.size}${mode} → ${s.metric === 'r2' ? 'R²' : 'accuracy'} ${s.target}`, role: 'measured', color, run, group: `${run}|${s.key}`, points });
    }
  });
  return {
    id: 'time-to-target-vs-workers',
    title: 'Time to target vs workers',
    subtitle: 'median training time until the held-out metric first reached the target (evaluation time excluded)',
    xTitle: 'workers (threads in the pool)',
    xInteger: true,
    yTitle: 'time to target (ms)',
    xLog: false,
    yLog: true,
    series,
  };
}

/** The quality charts that have data. */
export function qualityChartSpecs(input: ReportInput): ChartSpec[] {
  return [learningCurveChart(input), timeToTargetChart(input)].filter((s) => s.series.some((x) => x.role === 'measured' && x.points.length > 0));
}
