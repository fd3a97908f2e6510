/** The top of report.html: the Findings (table and sentences), the gate's comparison, and the side-by-side ratios. */
import type { Comparison, MetricComparison } from '../../gate/schema.js';
import { buildFindings, type Findings } from '../findings/index.js';
import { overlayLine, overlayViews, ratioText, type OverlayCell, type OverlayView } from '../overlay.js';
import { describeMachine, describeMachineSpeed, fmtChange, fmtChangeCi, fmtCount, fmtFixed, fmtMetricValue, fmtNumber } from '../text.js';
import { escapeHtml as h } from './escape.js';
import type { HtmlContext, HtmlSection } from './section.js';
import { num, plainTable, sortableTable } from './table.js';

const TONE_MARK = { bad: '✗', warn: '!', info: '·', good: '✓' } as const;

export function findingsHtml(findings: Findings): string {
  const text = new Set(['model', 'data', 'mode']);
  const labels = findings.labels.map((l) => `<p class="banner">${h(l)}</p>`).join('');
  const table =
    findings.rows.length > 0
      ? plainTable(
          findings.columns.map((c) => c.title),
          findings.rows,
          { numeric: findings.columns.map((c) => !text.has(c.id)), className: 'findings' },
        )
      : '<p>No cells were analysed.</p>';
  const sentences = findings.sentences.length
    ? `<ul class="sentences">${findings.sentences.map((s) => `<li class="tone-${s.tone}"><span class="mark" aria-hidden="true">${TONE_MARK[s.tone]}</span> ${h(s.text)}</li>`).join('')}</ul>`
    : '';
  const more = findings.moreSentences.length
    ? `<details class="more"><summary>${findings.moreSentences.length} more finding${findings.moreSentences.length === 1 ? '' : 's'}</summary><ul class="sentences">${findings.moreSentences
        .map((s) => `<li class="tone-${s.tone}"><span class="mark" aria-hidden="true">${TONE_MARK[s.tone]}</span> ${h(s.text)}</li>`)
        .join('')}</ul></details>`
    : '';
  return `${labels}${table}${sentences}${more}`;
}

export const findingsSection: HtmlSection = {
  id: 'findings',
  title: 'Findings',
  render({ input, labels }) {
    const multi = input.runs.length > 1;
    const parts = input.runs.map((run, i) => {
      const env = run.analysis.environment;
      const findings = buildFindings({ ...run, ...(i === 0 && input.comparison ? { comparison: input.comparison } : {}) });
      const fake = env.runner === 'fake' ? '<p class="banner">Measured with the fake runner: numbers are synthetic.</p>' : '';
      // The kernel list is long: it is under Environment; here the backend and how many kernels were patched.
      const backend = `${env.backend}${env.wasmSimd ? ' (SIMD)' : ''} ${env.backendVersion}, tfjs ${env.tfjsVersion}, Node ${env.node}, ${env.kernelPatches.length > 0 ? `${env.kernelPatches.length} patched kernels` : 'stock kernels'}`;
      const speed = run.analysis.machineSpeed ? `<br>Machine speed: ${h(describeMachineSpeed(run.analysis.machineSpeed))}` : '';
      const machine = `<p class="machine">${multi ? `<strong>${h(labels[i]!)}</strong> · ` : ''}${h(describeMachine(env))} · ${h(backend)}${speed}</p>`;
      return `${multi ? `<h3>${h(labels[i]!)}</h3>` : ''}${fake}${findingsHtml(findings)}${machine}`;
    });
    return `<section id="findings"><h2>Findings</h2>${parts.join('')}</section>`;
  },
};

function metricTable(metrics: readonly MetricComparison[]): string {
  return sortableTable<MetricComparison>(
    'comparison-table',
    [
      { title: 'verdict', sort: (m) => m.verdict, html: (m) => `<span class="badge v-${h(m.verdict)}">${h(m.verdict)}</span>` },
      { title: 'metric', sort: (m) => m.metric, html: (m) => h(m.metric) },
      { title: 'subject', sort: (m) => m.subject, html: (m) => `<span class="code">${h(m.subject)}</span>` },
      { title: 'baseline', numeric: true, sort: (m) => num(m.baseline), html: (m) => h(fmtMetricValue(m.metric, m.baseline)) },
      { title: 'current', numeric: true, sort: (m) => num(m.current), html: (m) => h(fmtMetricValue(m.metric, m.current)) },
      { title: 'change', numeric: true, sort: (m) => num(m.change), html: (m) => h(fmtChange(m)) },
      { title: 'CI of change', numeric: true, html: (m) => h(fmtChangeCi(m)) },
      { title: 'test', sort: (m) => m.test, html: (m) => h(m.test) + (num(m.pValue) !== null ? `, p=${h(fmtNumber(m.pValue, 2))}` : '') },
      { title: 'gated', sort: (m) => (m.gated ? 'yes' : 'no'), html: (m) => (m.gated ? 'yes' : 'no') },
      { title: 'note', html: (m) => h(m.note ?? '') },
    ],
    [...metrics].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict]),
  );
}

const VERDICT_ORDER = { regressed: 0, improved: 1, inconclusive: 2, unchanged: 3 } as const;

function comparisonHtml(c: Comparison): string {
  const status = c.passed ? '<span class="badge passed">passed</span>' : '<span class="badge failed">failed</span>';
  const gm = num(c.geometricMeanRatio) !== null ? `<p>Geometric mean of wall-time ratios (current / baseline): <strong>${h(fmtFixed(c.geometricMeanRatio, 3))}x</strong>.</p>` : '';
  const budgets = c.budgets.length
    ? `<h3>Budgets</h3><ul class="warnings">${c.budgets
        .map((b) => `<li><span class="badge ${b.verdict === 'inconclusive' ? 'v-inconclusive' : b.passed ? 'passed' : 'failed'}">${b.verdict === 'inconclusive' ? 'inconclusive' : b.passed ? 'pass' : 'fail'}</span> <span class="code">${h(b.expression)}</span>: ${h(b.message)}</li>`)
        .join('')}</ul>`
    : '';
  const warnings = c.warnings.length ? `<ul class="warnings">${c.warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul>` : '';
  return (
    `<h2>Comparison ${status}</h2>` +
    `<p>Baseline <span class="code">${h(c.baselineRunId)}</span> vs current <span class="code">${h(c.currentRunId)}</span>: ` +
    `${c.regressions} regression${c.regressions === 1 ? '' : 's'}, ${c.improvements} improvement${c.improvements === 1 ? '' : 's'}; ` +
    `${c.sameMachine ? 'same machine, so times and memory are gated' : 'different machines, so only fitted laws and quality are gated'}.</p>` +
    `${gm}${budgets}${warnings}` +
    `<details class="table"><summary>All ${c.metrics.length} compared metrics (sortable)</summary>${metricTable(c.metrics)}</details>`
  );
}

export const comparisonSection: HtmlSection = {
  id: 'comparison',
  title: 'Comparison',
  render({ input }) {
    return input.comparison ? `<section id="comparison">${comparisonHtml(input.comparison)}</section>` : '';
  },
};

/** One grid per model: rows sizes, columns widths, each cell the ratio with its interval, coloured by verdict. */
function ratioGrid(cells: readonly OverlayCell[], title: string): string {
  const sizes = [...new Set(cells.map((c) => c.size))].sort((a, b) => a - b);
  const widths = [...new Set(cells.map((c) => c.workers))].sort((a, b) => a - b);
  const rows = sizes.map((size) => [fmtCount(size), ...widths.map((w) => cells.find((c) => c.size === size && c.workers === w))]);
  const body = rows
    .map(([size, ...row]) => {
      const tds = row.map((c) => {
        if (!c || typeof c === 'string') return '<td class="num na">n/a</td>';
        const tip = `${c.verdict}${c.gated ? '' : ' (not gated)'}${c.level !== null ? `; ${Math.round(c.level * 100)}% CI` : '; no interval'}`;
        return `<td class="num ratio v-${h(c.verdict)}" title="${h(tip)}">${h(ratioText(c))}</td>`;
      });
      return `<tr><th scope="row" class="num">${h(String(size))}</th>${tds.join('')}</tr>`;
    })
    .join('');
  const head = `<tr><th scope="col" class="num">n</th>${widths.map((w) => `<th scope="col" class="num">w=${w}</th>`).join('')}</tr>`;
  return `<div class="ratio-grid"><h4>${h(title)}</h4><div class="table-wrap"><table class="ratios"><thead>${head}</thead><tbody>${body}</tbody></table></div></div>`;
}

function viewHtml(view: OverlayView): string {
  const groups = new Map<string, OverlayCell[]>();
  for (const c of view.cells) {
    const key = `${c.model} · ${c.dataset}${c.mode === 'job-parallel' ? '' : ` · ${c.mode}${c.variant.replace(/\|/g, ' ')}`}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const grids = [...groups].map(([title, cells]) => ratioGrid(cells, title)).join('');
  return `<p>${h(overlayLine(view))}</p><div class="ratio-grids">${grids || '<p>No cell is in both runs.</p>'}</div>`;
}

export const sideBySideSection: HtmlSection = {
  id: 'side-by-side',
  title: 'Side by side',
  render({ input }: HtmlContext) {
    const views = overlayViews(input);
    if (views.length === 0) return '';
    const legend =
      '<p class="sub">Median wall time, current / baseline, per cell, with the confidence interval of the ratio; colour = the gate\'s verdict: ' +
      ['regressed', 'improved', 'inconclusive', 'unchanged'].map((v) => `<span class="badge v-${v}">${v}</span>`).join(' ') +
      '</p>';
    return `<section id="side-by-side"><h2>Side by side</h2>${legend}${views.map(viewHtml).join('')}</section>`;
  },
};
