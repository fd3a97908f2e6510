/**
 * report.html: one self-contained file (chart.js, data, styles and script inline) that opens from
 * file:// with no network. A Content-Security-Policy allows only the two inline scripts by hash and no
 * connections at all, so even a name that slipped past escaping could not run.
 *
 * The page is the ordered list HTML_SECTIONS: the Findings first (inside the first screen), the
 * comparison and side-by-side ratios, the charts, one section per model, then the reference tables
 * (collapsed), warnings and environment. A new panel is one more entry in that list.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Artifact, ReportInput } from './types.js';
import { buildChartSpecs, type ChartSpec } from './html/chart-specs.js';
import { panelConfig } from './html/chartjs-config.js';
import { chartsSection } from './html/charts-section.js';
import { CLIENT_SCRIPT } from './html/client.js';
import { environmentSection, tablesSection, warningsSection } from './html/detail-sections.js';
import { escapeHtml as h, jsonForScript } from './html/escape.js';
import { comparisonSection, findingsSection, sideBySideSection } from './html/findings-section.js';
import { modelSections } from './html/model-sections.js';
import { qualitySection } from './html/quality-section.js';
import { renderTrendSection, trendChartSpec } from './html/trend.js';
import type { HtmlContext, HtmlSection } from './html/section.js';
import { STYLES } from './html/styles.js';
import { runLabels } from './text.js';
import { renderWhatIf, WHAT_IF_SCRIPT } from './html/what-if.js';

export type { HtmlContext, HtmlSection } from './html/section.js';

let chartJsSource: string | null = null;

/** chart.js's UMD build; its package exports hide dist/, so resolve the package and step beside its entry. */
export function chartJsUmd(): string {
  if (chartJsSource === null) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    const file = join(dirname(entry), 'chart.umd.js');
    chartJsSource = readFileSync(file, 'utf8');
    if (/<\/script|<!--/i.test(chartJsSource)) {
      throw new Error(`${file} contains "</script" or "<!--" and cannot be inlined; pin a chart.js version without it.`);
    }
  }
  return chartJsSource;
}

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

/** The page, top to bottom. */
/** Size and width sliders reading the prediction code (src/predict/evaluate.ts), when the run has laws to predict from. */
const whatIfSection: HtmlSection = { id: 'what-if', title: 'What if', render: ({ whatIfSection: html }) => html };

/** The history's trends and change points, when the run was added to one (`--history`). */
const historySection: HtmlSection = {
  id: 'history',
  title: 'History',
  render: ({ input, trendSpec }) => (input.history ? renderTrendSection(input.history, trendSpec) : ''),
};

export const HTML_SECTIONS: HtmlSection[] = [
  findingsSection,
  comparisonSection,
  sideBySideSection,
  qualitySection,
  chartsSection,
  whatIfSection,
  historySection,
  modelSections,
  tablesSection,
  warningsSection,
  environmentSection,
];

/** What the client script needs: per chart its panels' chart.js configurations, ticks and legend keys. */
function pageData(specs: readonly ChartSpec[]) {
  return {
    charts: specs.map((spec) => ({
      id: spec.id,
      xTicks: spec.x.ticks,
      yTicks: spec.y.ticks,
      panels: spec.panels.map((panel) => {
        const config = panelConfig(spec, panel, 'html');
        // Hover text travels with each point.
        config.data.datasets.forEach((d, i) => {
          const series = panel.series[i]!;
          d.data = series.points.map((p) => (p.tip ? { x: p.x, y: p.y, tip: p.tip } : { x: p.x, y: p.y }));
        });
        return { id: panel.id, keys: panel.series.map((s) => s.key), roles: panel.series.map((s) => s.role), ...(panel.y ? { yTicks: panel.y.ticks } : {}), config };
      }),
    })),
  };
}

export function renderHtml(input: ReportInput): string {
  const labels = runLabels(input.runs);
  const specs = buildChartSpecs(input);
  const trendSpec = input.history ? trendChartSpec(input.history) : null;
  // Computed once: its bootstrap is the slowest part of the page; the section and its scripts share it.
  const whatIf = renderWhatIf(input);
  const ctx: HtmlContext = { input, labels, specs, trendSpec, whatIfSection: whatIf.section };
  const chartJs = chartJsUmd();
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(chartJs)} ${sha256(CLIENT_SCRIPT)} ${sha256(WHAT_IF_SCRIPT)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const primary = input.runs[0];
  const title = primary ? `scale-bench report: ${input.runs.length > 1 ? labels.join(' vs ') : primary.analysis.runId}` : 'scale-bench report';
  const version = primary?.result.tool.version ?? '';
  const rendered = primary ? HTML_SECTIONS.map((section) => ({ section, html: section.render(ctx) })).filter((r) => r.html !== '') : [];
  const body = primary ? rendered.map((r) => r.html).join('\n') : '<p>No runs to report.</p>';
  const nav = rendered.length > 0 ? `<nav aria-label="Sections">${rendered.map(({ section }) => `<a href="#${h(section.id)}">${h(section.title)}</a>`).join('')}</nav>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${h(title)}</title>
<style>${STYLES}</style>
</head>
<body>
<main>
<header><h1>${h(title)}</h1><p class="sub">${input.runs.length} run${input.runs.length === 1 ? '' : 's'} · scale-bench ${h(version)}</p>${nav}</header>
${body}
<footer>Self-contained report: charts by Chart.js (MIT licence), drawn from the data embedded in this file. No network access is needed.</footer>
</main>
<script type="application/json" id="scale-bench-data">${jsonForScript(pageData(trendSpec ? [...specs, trendSpec] : specs))}</script>
<script>${chartJs}</script>
<script>${CLIENT_SCRIPT}</script>
${whatIf.scripts}</body>
</html>
`;
}

export const html = {
  description: 'report.html: one self-contained page: the Findings, interactive small-multiple charts with filters, per-model sections, side-by-side ratios, sortable tables',
  render(input: ReportInput): Artifact[] {
    return [{ path: 'report.html', mediaType: 'text/html; charset=utf-8', bytes: new TextEncoder().encode(renderHtml(input)) }];
  },
};
