/**
 * The history's trend view in report.html, as a self-contained section: each metric over runs (oldest
 * first) with its segment levels and change points marked, and a table of the change points with links
 * to their commits. Its chart is one more small-multiples ChartSpec (one panel per series, each with its
 * own y axis), drawn by the same client code as the other charts.
 */
import type { HistoryView } from '../../history/check.js';
import type { SeriesTrend, TrendChangePoint } from '../../history/trend.js';
import { METRIC_INFO } from '../../history/series.js';
import type { ChartSpec, LegendEntry, PanelSpec, SeriesSpec } from './chart-specs.js';
import { linearTicks, REFERENCE_COLOR } from './chart-axes.js';
import { figureHtml } from './charts-section.js';
import { escapeHtml as h } from './escape.js';
import { describeChangePoint, fmtHistoryValue, fmtStepWithCi, seriesTitle, seriesWhere, shortCommit } from '../history-text.js';
import { fmtNumber, fmtPercent } from '../text.js';

/** Most panels shown: the series with change points first (new ones first), then fitted exponents. */
const MAX_CHARTS = 12;
/** Panels shown when nothing changed: the shape of the sweep over time. */
const QUIET_CHARTS = 6;

const COLORS = { measured: '#4e79a7', worse: '#e15759', better: '#59a14f' };

function chosen(view: HistoryView): SeriesTrend[] {
  const fresh = new Set([...view.outcome.failures, ...view.outcome.improvements].map((f) => f.trend.series.key));
  const newest = (t: SeriesTrend) => Math.max(...t.changePoints.map((cp) => Date.parse(cp.date)));
  const changed = view.analysis.trends
    .filter((t) => t.changePoints.length > 0)
    .sort((a, b) => Number(fresh.has(b.series.key)) - Number(fresh.has(a.series.key)) || newest(b) - newest(a));
  const quiet = view.analysis.trends.filter((t) => t.changePoints.length === 0 && t.series.metric === 'exponent' && t.series.points.length > 1);
  return [...changed.slice(0, MAX_CHARTS), ...quiet.slice(0, Math.max(0, QUIET_CHARTS - changed.length))];
}

function panelOf(trend: SeriesTrend, index: number): PanelSpec {
  const { series, changePoints } = trend;
  const bounds = [0, ...changePoints.map((cp) => cp.index), series.points.length];
  const levels = bounds.slice(1).map((end, k) => {
    const start = bounds[k]!;
    const level = k === 0 ? (changePoints[0]?.before ?? null) : changePoints[k - 1]!.after;
    return { start, end, level };
  });
  const values = series.points.map((p) => p.value).filter(Number.isFinite);
  const runs: SeriesSpec = {
    label: 'each run',
    role: 'measured',
    color: COLORS.measured,
    key: 'runs',
    points: series.points.map((p, i) => ({ x: i + 1, y: p.value, tip: `run ${i + 1} (${shortCommit(p.commit)}): ${fmtHistoryValue(series.metric, p.value)}` })),
  };
  const segments: SeriesSpec[] = levels.flatMap((l) =>
    l.level === null
      ? []
      : [{ label: 'segment median', role: 'fit' as const, color: REFERENCE_COLOR, key: 'level', points: [{ x: l.start + 1, y: l.level }, { x: l.end, y: l.level }] }],
  );
  // Change points as points of their own, at the first run of each new level.
  const marks: SeriesSpec[] = changePoints.map((cp) => ({
    label: `change point (${cp.direction})`,
    role: 'measured' as const,
    color: COLORS[cp.direction],
    key: `cp-${cp.direction}`,
    points: [{ x: cp.index + 1, y: series.points[cp.index]!.value, tip: describeChangePoint(series, cp) }],
  }));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = max > min ? 0 : Math.abs(max) * 0.05 || 1;
  return {
    id: `history-${index}`,
    title: seriesTitle(series),
    note: seriesWhere(series),
    run: '',
    model: '',
    dataset: '',
    mode: '',
    y: { title: METRIC_INFO[series.metric].label, log: false, ...linearTicks(min - pad, max + pad, 'number') },
    series: [runs, ...segments, ...marks],
  };
}

/** The trend chart: one panel per shown series over the runs, oldest first. */
export function trendChartSpec(view: HistoryView): ChartSpec | null {
  const trends = chosen(view);
  if (trends.length === 0) return null;
  const panels = trends.map(panelOf);
  const longest = Math.max(...trends.map((t) => t.series.points.length));
  const legend: LegendEntry[] = [
    { key: 'runs', label: 'each run', color: COLORS.measured, kind: 'value' },
    { key: 'level', label: 'segment median (between change points)', color: REFERENCE_COLOR, kind: 'style', dash: [7, 4] },
    { key: 'cp-worse', label: 'change point, worse', color: COLORS.worse, kind: 'value' },
    { key: 'cp-better', label: 'change point, better', color: COLORS.better, kind: 'value' },
  ];
  return {
    id: 'history-trend',
    title: 'Trends over the history',
    subtitle: 'one point per run, oldest first; dashed: the median of each segment between change points; red and green: change points (the first run at a new level)',
    varying: 'workers',
    x: { title: 'run (oldest to newest)', log: false, ...linearTicks(1, Math.max(2, longest), 'count', 6, true) },
    y: panels[0]!.y!,
    legend,
    panels,
  };
}

function commitCell(cp: TrendChangePoint, commitUrl: string | undefined): string {
  const text = `<span class="code">${h(shortCommit(cp.commit))}</span>`;
  return commitUrl && /^[0-9a-f]{7,40}$/i.test(cp.commit) ? `<a href="${h(commitUrl + cp.commit)}">${text}</a>` : text;
}

/** The section's HTML; `spec` is trendChartSpec(view), embedded in the page's data by html.ts. */
export function renderTrendSection(view: HistoryView, spec: ChartSpec | null): string {
  const { analysis, outcome, commitUrl } = view;
  const fresh = new Set([...outcome.failures, ...outcome.improvements].map((f) => `${f.trend.series.key}|${f.changePoint.index}`));
  const rows = analysis.trends.flatMap((trend) => trend.changePoints.map((cp) => ({ trend, cp })));
  rows.sort((a, b) => Date.parse(b.cp.date) - Date.parse(a.cp.date));
  const table = rows.length
    ? `<div class="table-wrap"><table id="history-table"><thead><tr><th scope="col">series</th><th scope="col">where</th><th scope="col">from commit</th><th scope="col">date</th><th scope="col" class="num">step</th><th scope="col" class="num">before → after</th><th scope="col" class="num">p</th><th scope="col">new</th></tr></thead><tbody>` +
      rows
        .map(
          ({ trend, cp }) =>
            `<tr><td><span class="badge v-${cp.direction === 'worse' ? 'regressed' : 'improved'}">${h(cp.direction)}</span> <span class="code">${h(seriesTitle(trend.series))}</span></td>` +
            `<td>${h(seriesWhere(trend.series))}</td><td>${commitCell(cp, commitUrl)}</td><td>${h(cp.date.slice(0, 10))}</td>` +
            `<td class="num">${h(fmtStepWithCi(trend.series.metric, cp))}</td>` +
            `<td class="num">${h(fmtHistoryValue(trend.series.metric, cp.before))} → ${h(fmtHistoryValue(trend.series.metric, cp.after))}</td>` +
            `<td class="num">${h(fmtNumber(cp.pValue, 2))}</td><td>${fresh.has(`${trend.series.key}|${cp.index}`) ? 'yes' : ''}</td></tr>`,
        )
        .join('\n') +
      `</tbody></table></div>`
    : `<p>No change point in ${analysis.trends.filter((t) => t.status === 'analysed').length} tested series.</p>`;
  const untested = analysis.trends.filter((t) => t.status === 'too-few-runs').length;
  const inconclusive = untested
    ? `<p class="panel banner">Inconclusive for ${untested} series: fewer than ${analysis.fewestRuns} runs, too few for any change point to reach p ≤ ${h(String(analysis.options.alpha))}.</p>`
    : '';
  const failures = outcome.failures.map((f) => `<li><strong>new, worse:</strong> <span class="code">${h(seriesTitle(f.trend.series))}</span>: ${h(describeChangePoint(f.trend.series, f.changePoint))}</li>`);
  const html =
    `<section id="history"><h2>History</h2>` +
    `<p class="sub">${analysis.trends.length} series over the history; change points by E-Divisive means (permutation p ≤ ${h(String(analysis.options.alpha))}, minimum step ${h(fmtPercent(analysis.options.minStep))}). ` +
    `Raw times are compared on the same machine only; exponents, efficiencies and quality across machines.</p>` +
    (failures.length ? `<ul class="warnings">${failures.join('')}</ul>` : '') +
    inconclusive +
    (spec ? figureHtml(spec) : '') +
    `<h3>Change points</h3>${table}</section>`;
  return html;
}
