/**
 * The charts in report.html: the same small multiples as the PNGs, one canvas per panel, with filters
 * (model, data set, mode, run) that show and hide panels, a shared legend whose entries show and hide a
 * value in every panel, and hover values with their intervals (the client script draws them).
 */
import type { ChartSpec, PanelSpec } from './chart-specs.js';
import { escapeHtml as h } from './escape.js';
import type { HtmlSection } from './section.js';

/** What panels can be filtered on, with the label of its control. */
const FILTERS: ReadonlyArray<readonly [keyof Pick<PanelSpec, 'model' | 'dataset' | 'mode' | 'run'>, string]> = [
  ['model', 'Model'],
  ['dataset', 'Data set'],
  ['mode', 'Mode'],
  ['run', 'Run'],
];

function filterControls(specs: readonly ChartSpec[]): string {
  const panels = specs.flatMap((s) => s.panels);
  const controls = FILTERS.flatMap(([field, label]) => {
    const values = [...new Set(panels.map((p) => p[field]))];
    if (values.length < 2) return [];
    const options = values.map((v) => `<option value="${h(v)}">${h(v)}</option>`).join('');
    return [`<label>${h(label)} <select data-filter="${field}"><option value="">all</option>${options}</select></label>`];
  });
  if (controls.length === 0) return '';
  return `<div class="filters" role="group" aria-label="Filter the charts">${controls.join('')}<span class="filter-count" aria-live="polite"></span></div>`;
}

function legendHtml(spec: ChartSpec): string {
  const entries = spec.legend.map((e) => {
    const swatch = `<span class="swatch${e.kind === 'style' ? ` style-${h(e.key)}` : ''}" style="--c:${h(e.color)}" aria-hidden="true"></span>`;
    return e.kind === 'value'
      ? `<button type="button" data-chart="${h(spec.id)}" data-key="${h(e.key)}" aria-pressed="true">${swatch}${h(e.label)}</button>`
      : `<span class="legend-style">${swatch}${h(e.label)}</span>`;
  });
  return `<div class="legend" aria-label="Legend: click a value to show or hide it in every panel">${entries.join('')}</div>`;
}

function panelHtml(panel: PanelSpec): string {
  const data = (['model', 'dataset', 'mode', 'run'] as const).map((k) => ` data-${k}="${h(panel[k])}"`).join('');
  return `<div class="panel"${data}><canvas id="panel-${h(panel.id)}" role="img" aria-label="${h(panel.title)}"></canvas></div>`;
}

export function figureHtml(spec: ChartSpec): string {
  return (
    `<figure class="chart" id="figure-${h(spec.id)}"><figcaption><h3>${h(spec.title)}</h3><p class="sub">${spec.subtitle.split('\n').map(h).join('<br>')}</p></figcaption>` +
    `${legendHtml(spec)}<div class="panels">${spec.panels.map(panelHtml).join('')}</div></figure>`
  );
}

export const chartsSection: HtmlSection = {
  id: 'charts',
  title: 'Charts',
  render({ specs }) {
    if (specs.length === 0) return '<section id="charts"><h2>Charts</h2><p>Not enough data for any chart.</p></section>';
    return `<section id="charts"><h2>Charts</h2>${filterControls(specs)}${specs.map(figureHtml).join('\n')}</section>`;
  },
};
