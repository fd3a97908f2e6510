/** One section per model (× data set × mode variant) in report.html: its laws in words, its cells by width, its quality flags. */
import type { Analysis } from '../../analyse/schema.js';
import { sizeScalingKey } from '../../analyse/common.js';
import { findingsGroups, type FindingsGroup } from '../findings/index.js';
import { cellPivot, PIVOT_NOTE, pivotTitle } from '../pivot.js';
import { describeSizeScaling, describeWidthScaling, fmtCount, fmtFixed, fmtWorkers, memoryMetric } from '../text.js';
import { escapeHtml as h } from './escape.js';
import type { HtmlSection } from './section.js';
import { plainTable } from './table.js';

function lawsHtml(a: Analysis, g: FindingsGroup): string {
  const items: string[] = [];
  for (const w of g.widths) {
    const time = a.sizeScaling.find((s) => s.key === sizeScalingKey(g.model, g.dataset, w, g.mode, 'wallMs', g.variant));
    if (time) items.push(`<li><span class="ctx">${h(fmtWorkers(w))}:</span> ${h(describeSizeScaling(time))}</li>`);
  }
  const narrowest = g.widths[0];
  const memory = narrowest === undefined ? undefined : a.sizeScaling.find((s) => s.key === sizeScalingKey(g.model, g.dataset, narrowest, g.mode, memoryMetric(a), g.variant));
  if (memory) items.push(`<li><span class="ctx">${h(fmtWorkers(memory.workers))}:</span> ${h(describeSizeScaling(memory))}</li>`);
  for (const sweep of g.widthLaws) items.push(`<li><span class="ctx">n=${h(fmtCount(sweep.size))}:</span> ${h(describeWidthScaling(sweep))}</li>`);
  return items.length > 0 ? `<ul class="laws">${items.join('')}</ul>` : '<p>No law could be fitted: measure at least 2 sizes or 2 widths.</p>';
}

function cellsHtml(a: Analysis, g: FindingsGroup): string {
  const pivot = cellPivot(a);
  const rows = pivot.rows.filter((r) => r.group === g.key);
  const states = rows.map((r) => r.cells.map((c) => c.state));
  const table = plainTable(
    pivot.header.slice(1),
    rows.map((r) => [fmtCount(r.size), ...r.cells.map((c) => c.text)]),
    { numeric: pivot.header.slice(1).map(() => true), classes: (r, c) => (c > 0 && (states[r]?.[c - 1] === 'failed' || states[r]?.[c - 1] === 'partial') ? 'bad' : '') },
  );
  return `<p class="sub">${h(pivotTitle(pivot))} (${h(PIVOT_NOTE)}).</p>${table}`;
}

function flagsHtml(a: Analysis, g: FindingsGroup): string {
  const ids = new Set(g.cells.map((c) => c.cellId));
  const flags = a.qualityFlags.filter((f) => ids.has(f.cellId));
  if (flags.length === 0) return '';
  return `<ul class="laws">${flags
    .map(
      (f) =>
        `<li>⚖️ <span class="code">${h(f.cellId)}</span> is ${h(fmtFixed(f.speedup, 1))}x faster than <span class="code">${h(f.referenceCellId)}</span> ` +
        `but reaches ${f.metric === 'r2' ? 'R²' : 'accuracy'} ${h(fmtFixed(f.value, 3))} vs ${h(fmtFixed(f.referenceValue, 3))}</li>`,
    )
    .join('')}</ul>`;
}

export const modelSections: HtmlSection = {
  id: 'models',
  title: 'Per model',
  render({ input, labels }) {
    const multi = input.runs.length > 1;
    const sections = input.runs.flatMap(({ analysis }, run) =>
      findingsGroups(analysis).map((g, i) => {
        const title = `${multi ? `${labels[run]} · ` : ''}${g.label}${g.label.includes(g.dataset) ? '' : ` on ${g.dataset}`}`;
        return `<section class="model" id="model-${run}-${i}"><h3>${h(title)}</h3>${lawsHtml(analysis, g)}${flagsHtml(analysis, g)}${cellsHtml(analysis, g)}</section>`;
      }),
    );
    return sections.length > 0 ? `<section id="models"><h2>Per model</h2><div class="models">${sections.join('\n')}</div></section>` : '';
  },
};
