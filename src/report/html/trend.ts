/**
 * The history's trend view in report.html, as a self-contained section: each metric over runs (oldest
 * first) with its segment levels and change points marked, and a table of the change points with links
 * to their commits. Returns the section's HTML and the chart entries html.ts embeds beside its own.
 */
import type { ChartConfiguration, ScatterDataPoint } from 'chart.js';
import type { HistoryView } from '../../history/check.js';
import type { SeriesTrend, TrendChangePoint } from '../../history/trend.js';
import { METRIC_INFO } from '../../history/series.js';
import { chartJsConfig, legendEntries } from './chartjs-config.js';
import type { ChartSpec } from './chart-specs.js';
import { escapeHtml as h } from './escape.js';
import { describeChangePoint, fmtHistoryValue, fmtStepWithCi, seriesTitle, seriesWhere, shortCommit } from '../history-text.js';
import { fmtNumber, fmtPercent } from '../text.js';

/** Most charts shown: the series with change points first (new ones first), then fitted exponents. */
const MAX_CHARTS = 12;
/** Charts shown when nothing changed: the shape of the sweep over time. */
const QUIET_CHARTS = 6;

const COLORS = { measured: '#4e79a7', level: '#7f7f7f', worse: '#e15759', better: '#59a14f' };

export interface TrendChart {
  id: string;
  xTitle: string;
  yTitle: string;
  legend: boolean[];
  groups: string[];
  config: ChartConfiguration<'line', ScatterDataPoint[]>;
}

export interface TrendSection {
  html: string;
  charts: TrendChart[];
}

function chosen(view: HistoryView): SeriesTrend[] {
  const fresh = new Set([...view.outcome.failures, ...view.outcome.improvements].map((f) => f.trend.series.key));
  const newest = (t: SeriesTrend) => Math.max(...t.changePoints.map((cp) => Date.parse(cp.date)));
  const changed = view.analysis.trends
    .filter((t) => t.changePoints.length > 0)
    .sort((a, b) => Number(fresh.has(b.series.key)) - Number(fresh.has(a.series.key)) || newest(b) - newest(a));
  const quiet = view.analysis.trends.filter((t) => t.changePoints.length === 0 && t.series.metric === 'exponent' && t.series.points.length > 1);
  return [...changed.slice(0, MAX_CHARTS), ...quiet.slice(0, Math.max(0, QUIET_CHARTS - changed.length))];
}

function chartOf(trend: SeriesTrend, index: number): TrendChart {
  const { series, changePoints } = trend;
  const bounds = [0, ...changePoints.map((cp) => cp.index), series.points.length];
  const levels = bounds.slice(1).map((end, k) => {
    const start = bounds[k]!;
    const level = k === 0 ? (changePoints[0]?.before ?? null) : changePoints[k - 1]!.after;
    return { start, end, level };
  });
  const spec: ChartSpec = {
    id: `trend-${index}`,
    title: seriesTitle(series),
    subtitle: seriesWhere(series),
    xTitle: 'run (oldest to newest)',
    yTitle: METRIC_INFO[series.metric].label,
    xLog: false,
    yLog: false,
    xInteger: true,
    series: [
      { label: 'each run', role: 'measured', color: COLORS.measured, run: 0, group: 'runs', points: series.points.map((p, i) => ({ x: i + 1, y: p.value })) },
      ...levels
        .filter((l) => l.level !== null)
        .map((l, k) => ({
          label: 'segment median',
          role: 'fit' as const,
          color: COLORS.level,
          run: -1,
          group: `level-${k}`,
          points: [
            { x: l.start + 1, y: l.level! },
            { x: l.end, y: l.level! },
          ],
        })),
    ],
  };
  const config = chartJsConfig(spec, 'html');
  // Change points as large markers at the first run of each new level.
  for (const cp of changePoints) {
    config.data.datasets.push({
      label: `change point (${cp.direction})`,
      data: [{ x: cp.index + 1, y: series.points[cp.index]!.value }],
      borderColor: COLORS[cp.direction],
      backgroundColor: COLORS[cp.direction],
      pointStyle: 'triangle',
      pointRadius: 8,
      pointHoverRadius: 10,
      showLine: false,
    });
  }
  const legend = [...legendEntries(spec).map((shown, i) => shown && i === 0), ...changePoints.map(() => true)];
  // Only the first segment line is listed; the others share its meaning.
  if (levels.some((l) => l.level !== null)) legend[1] = true;
  return {
    id: spec.id,
    xTitle: spec.xTitle,
    yTitle: spec.yTitle,
    legend,
    groups: [...spec.series.map((s) => s.group), ...changePoints.map((_, k) => `cp-${k}`)],
    config,
  };
}

function commitCell(cp: TrendChangePoint, commitUrl: string | undefined): string {
  const text = `<span class="code">${h(shortCommit(cp.commit))}</span>`;
  return commitUrl && /^[0-9a-f]{7,40}$/i.test(cp.commit) ? `<a href="${h(commitUrl + cp.commit)}">${text}</a>` : text;
}

export function renderTrendSection(view: HistoryView): TrendSection {
  const { analysis, outcome, commitUrl } = view;
  const shown = chosen(view);
  const charts = shown.map(chartOf);
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
  const figures = charts.map(
    (c) =>
      `<figure class="chart" id="figure-${h(c.id)}"><div class="chart-box"><canvas id="chart-${h(c.id)}" role="img" aria-label="${h(c.config.options?.plugins?.title?.text as string)}"></canvas></div>` +
      `<figcaption>One point per run; grey dashes: the median of each segment between change points; triangles: change points (the first run at a new level).</figcaption></figure>`,
  );
  const failures = outcome.failures.map((f) => `<li><strong>new, worse:</strong> <span class="code">${h(seriesTitle(f.trend.series))}</span>: ${h(describeChangePoint(f.trend.series, f.changePoint))}</li>`);
  const html =
    `<section id="history"><h2>History</h2>` +
    `<p class="sub">${analysis.trends.length} series over the history; change points by E-Divisive means (permutation p ≤ ${h(String(analysis.options.alpha))}, minimum step ${h(fmtPercent(analysis.options.minStep))}). ` +
    `Raw times are compared on the same machine only; exponents, efficiencies and quality across machines.</p>` +
    (failures.length ? `<ul class="warnings">${failures.join('')}</ul>` : '') +
    inconclusive +
    (figures.length ? `<div class="charts">${figures.join('\n')}</div>` : '') +
    `<h3>Change points</h3>${table}</section>`;
  return { html, charts };
}
