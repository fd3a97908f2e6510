/**
 * report.html: one self-contained file (chart.js, data, styles and script inline) that opens
 * from file:// with no network. A Content-Security-Policy allows only the two inline scripts
 * by hash and no connections at all, so even a name that slipped past escaping could not run.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Analysis, AnalysisWarning, CellAnalysis } from '../analyse/schema.js';
import type { Artifact, ReportInput } from './types.js';
import type { Comparison } from '../gate/schema.js';
import type { Environment, RunResult } from '../results/schema.js';
import { buildChartSpecs, type ChartSpec } from './html/chart-specs.js';
import { chartJsConfig, legendEntries } from './html/chartjs-config.js';
import { CLIENT_SCRIPT } from './html/client.js';
import { escapeHtml as h, jsonForScript } from './html/escape.js';
import { STYLES } from './html/styles.js';
import { NA, describeBackend, describeMachine, describeMachineSpeed, fmtBytes, fmtChange, fmtChangeCi, fmtFixed, fmtGiB, fmtMetricValue, fmtMs, fmtNumber, fmtPercent, lawSentences, runLabels, type LawSentence } from './text.js';

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

// --- table helpers ------------------------------------------------------------------------

interface Col<T> {
  title: string;
  numeric?: boolean;
  /** Sort key; null sorts last. */
  sort?: (row: T) => number | string | null;
  /** Inner HTML of the cell (already escaped). */
  html: (row: T) => string;
}

function sortableTable<T>(id: string, cols: Array<Col<T>>, rows: T[]): string {
  const head = cols
    .map((c) => `<th scope="col"${c.numeric ? ' class="num" data-type="number"' : ''}><button type="button">${h(c.title)}</button></th>`)
    .join('');
  const body = rows
    .map((r) => {
      const tds = cols.map((c) => {
        const inner = c.html(r);
        const key = c.sort ? c.sort(r) : null;
        const sortAttr = c.sort ? ` data-sort="${key === null || (typeof key === 'number' && !Number.isFinite(key)) ? '' : h(String(key))}"` : '';
        const cls = [c.numeric ? 'num' : '', inner === NA ? 'na' : ''].filter(Boolean).join(' ');
        return `<td${cls ? ` class="${cls}"` : ''}${sortAttr}>${inner}</td>`;
      });
      return `<tr>${tds.join('')}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="sortable" id="${h(id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

const num = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

// --- sections -----------------------------------------------------------------------------

function lawItem(l: LawSentence): string {
  const who = l.model === null ? '' : `<span class="name">${h(l.model)}</span> `;
  const ctx = l.context ? `<span class="ctx">(${h(l.context)})</span>` : '';
  return `<li>${who}${ctx}: ${h(l.text)}</li>`;
}

function lawsBlock(a: Analysis): string {
  const laws = lawSentences(a);
  if (laws.length === 0) return '<p>No laws could be fitted: measure at least 2 sizes or 2 widths.</p>';
  const groups: Array<[LawSentence['kind'], string]> = [
    ['size', 'Time and memory vs dataset size'],
    ['width', 'Speedup vs workers'],
    ['complexity', 'Time per sample vs model size'],
  ];
  return groups
    .map(([kind, title]) => {
      const items = laws.filter((l) => l.kind === kind);
      return items.length ? `<h3>${h(title)}</h3><ul class="laws">${items.map(lawItem).join('')}</ul>` : '';
    })
    .join('');
}

function summarySection(input: ReportInput, labels: string[]): string {
  const parts = input.runs.map(({ result, analysis }, i) => {
    const env = analysis.environment;
    const title = input.runs.length > 1 ? `<h3>${h(labels[i]!)}</h3>` : '';
    const fake = env.runner === 'fake' ? '<p class="panel banner">Measured with the fake runner: numbers are synthetic.</p>' : '';
    const incomplete = result.complete ? '' : '<p class="panel banner">This run is incomplete or had failed cells: see the warnings.</p>';
    const flags = analysis.qualityFlags.map(
      (f) =>
        `<li><span class="code">${h(f.cellId)}</span> is ${h(fmtFixed(f.speedup, 1))}x faster than <span class="code">${h(f.referenceCellId)}</span> ` +
        `but reaches ${f.metric === 'r2' ? 'R²' : 'accuracy'} ${h(fmtFixed(f.value, 3))} vs ${h(fmtFixed(f.referenceValue, 3))}</li>`,
    );
    return (
      `${title}<div class="panel machine"><dl>` +
      `<dt>Machine</dt><dd>${h(describeMachine(env))}</dd>` +
      `<dt>Backend</dt><dd>${h(describeBackend(env))}</dd>` +
      (analysis.machineSpeed ? `<dt>Machine speed</dt><dd>${h(describeMachineSpeed(analysis.machineSpeed))}</dd>` : '') +
      `<dt>Run</dt><dd><span class="code">${h(analysis.runId)}</span>, started ${h(result.startedAt)}${env.gitCommit ? `, commit <span class="code">${h(env.gitCommit)}</span>` : ''}</dd>` +
      `</dl></div>${fake}${incomplete}${lawsBlock(analysis)}` +
      (flags.length ? `<h3>Speed vs quality</h3><ul class="laws">${flags.join('')}</ul>` : '')
    );
  });
  return `<section id="summary"><h2>Summary</h2>${parts.join('')}</section>`;
}

function comparisonSection(c: Comparison): string {
  const status = c.passed ? '<span class="badge passed">passed</span>' : '<span class="badge failed">failed</span>';
  const gm = typeof c.geometricMeanRatio === 'number' && Number.isFinite(c.geometricMeanRatio)
    ? `<p>Geometric mean of wall-time ratios (current / baseline): <strong>${h(fmtFixed(c.geometricMeanRatio, 3))}x</strong>.</p>`
    : '';
  const table = sortableTable<Comparison['metrics'][number]>(
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
    c.metrics,
  );
  const budgets = c.budgets.length
    ? `<h3>Budgets</h3><ul class="warnings">${c.budgets
        .map((b) => `<li><span class="badge ${b.verdict === 'inconclusive' ? 'v-inconclusive' : b.passed ? 'passed' : 'failed'}">${b.verdict === 'inconclusive' ? 'inconclusive' : b.passed ? 'pass' : 'fail'}</span> <span class="code">${h(b.expression)}</span>: ${h(b.message)}</li>`)
        .join('')}</ul>`
    : '';
  const warnings = c.warnings.length ? `<ul class="warnings">${c.warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul>` : '';
  return (
    `<section id="comparison"><h2>Comparison ${status}</h2>` +
    `<p>Baseline <span class="code">${h(c.baselineRunId)}</span> vs current <span class="code">${h(c.currentRunId)}</span>: ` +
    `${c.regressions} regression${c.regressions === 1 ? '' : 's'}, ${c.improvements} improvement${c.improvements === 1 ? '' : 's'}; ` +
    `${c.sameMachine ? 'same machine, so times and memory are gated' : 'different machines, so only fitted laws and quality are gated'}.</p>` +
    `${gm}${table}${budgets}${warnings}</section>`
  );
}

function chartsSection(specs: ChartSpec[]): string {
  if (specs.length === 0) return '<section id="charts"><h2>Charts</h2><p>Not enough data for any chart.</p></section>';
  const figures = specs.map((s) => {
    const btn = (axis: 'x' | 'y', log: boolean) =>
      `<button type="button" data-chart="${h(s.id)}" data-axis="${axis}" aria-pressed="${log}">${axis} axis: ${log ? 'log' : 'linear'}</button>`;
    return (
      `<figure class="chart" id="figure-${h(s.id)}"><div class="toolbar">${btn('x', s.xLog)}${btn('y', s.yLog)}</div>` +
      `<div class="chart-box"><canvas id="chart-${h(s.id)}" role="img" aria-label="${h(s.title)}"></canvas></div>` +
      `<figcaption>Hover for values; click a legend entry to show or hide a series with its fitted and ideal lines.</figcaption></figure>`
    );
  });
  return `<section id="charts"><h2>Charts</h2><div class="charts">${figures.join('\n')}</div></section>`;
}

interface CellRow {
  run: string;
  c: CellAnalysis;
  /** Host (or machine id) that ran the cell; shown when merged shards ran on several machines. */
  machine: string;
}

/** Cell id -> the host that ran it, from CellResult.machineId and RunResult.machines. */
function machineLabels(result: RunResult): Map<string, string> {
  const label = (id: string) => result.machines?.[id]?.hostname ?? (id === result.environment.machineId ? result.environment.hostname : undefined) ?? id;
  return new Map(result.cells.map((cell) => [cell.cell.id, label(cell.machineId)]));
}

function cellsSection(input: ReportInput, labels: string[]): string {
  const rows: CellRow[] = input.runs.flatMap((r, i) => {
    const machines = machineLabels(r.result);
    return r.analysis.cells.map((c) => ({ run: labels[i]!, c, machine: machines.get(c.cellId) ?? r.analysis.environment.machineId }));
  });
  const manyMachines = input.runs.some((r) => Object.keys(r.result.machines ?? {}).length > 1);
  const cols: Array<Col<CellRow>> = [
    ...(input.runs.length > 1 ? [{ title: 'run', sort: (r: CellRow) => r.run, html: (r: CellRow) => h(r.run) }] : []),
    ...(manyMachines ? [{ title: 'machine', sort: (r: CellRow) => r.machine, html: (r: CellRow) => h(r.machine) }] : []),
    { title: 'model', sort: (r) => r.c.cell.model, html: (r) => `<span class="name">${h(r.c.cell.model)}</span>` },
    { title: 'dataset', sort: (r) => r.c.cell.dataset, html: (r) => h(r.c.cell.dataset) },
    { title: 'n', numeric: true, sort: (r) => r.c.cell.size, html: (r) => h(fmtNumber(r.c.cell.size, 21)) },
    { title: 'workers', numeric: true, sort: (r) => r.c.cell.workers, html: (r) => String(r.c.cell.workers) },
    { title: 'mode', sort: (r) => r.c.cell.mode, html: (r) => h(r.c.cell.mode) },
    { title: 'ok', numeric: true, sort: (r) => r.c.okTrials, html: (r) => `${r.c.okTrials}/${r.c.totalTrials}` },
    { title: 'median wall', numeric: true, sort: (r) => num(r.c.wallMs?.median), html: (r) => h(fmtMs(r.c.wallMs?.median)) },
    { title: 'IQR', numeric: true, sort: (r) => num(r.c.wallMs?.iqr), html: (r) => h(fmtMs(r.c.wallMs?.iqr)) },
    { title: 'min', numeric: true, sort: (r) => num(r.c.wallMs?.min), html: (r) => h(fmtMs(r.c.wallMs?.min)) },
    { title: 'max', numeric: true, sort: (r) => num(r.c.wallMs?.max), html: (r) => h(fmtMs(r.c.wallMs?.max)) },
    { title: 'samples/s', numeric: true, sort: (r) => num(r.c.samplesPerSec?.median), html: (r) => h(fmtNumber(r.c.samplesPerSec?.median)) },
    { title: 'µs/sample/worker', numeric: true, sort: (r) => num(r.c.usPerSample), html: (r) => h(fmtNumber(r.c.usPerSample)) },
    { title: 'peak RSS', numeric: true, sort: (r) => num(r.c.peakRssBytes?.median), html: (r) => h(fmtBytes(r.c.peakRssBytes?.median)) },
    {
      title: 'quality',
      numeric: true,
      sort: (r) => num(r.c.quality?.value),
      html: (r) => (r.c.quality ? `${r.c.quality.metric === 'r2' ? 'R²' : 'acc'} ${h(fmtFixed(r.c.quality.value, 3))}` : NA),
    },
    { title: 'GFLOP/s', numeric: true, sort: (r) => num(r.c.gflops), html: (r) => h(fmtNumber(r.c.gflops)) },
    { title: 'MFU', numeric: true, sort: (r) => num(r.c.mfu), html: (r) => h(fmtPercent(r.c.mfu, 1)) },
    { title: 'cold start', numeric: true, sort: (r) => num(r.c.coldStartMs), html: (r) => h(fmtMs(r.c.coldStartMs)) },
  ];
  return `<section id="cells"><h2>Cells</h2><p class="sub">Medians over ok repetitions. Click a column header to sort.</p>${sortableTable('cells-table', cols, rows)}</section>`;
}

interface WidthRow {
  run: string;
  w: Analysis['widthScaling'][number];
  p: Analysis['widthScaling'][number]['points'][number];
}

function widthSection(input: ReportInput, labels: string[]): string {
  const rows: WidthRow[] = input.runs.flatMap((r, i) => r.analysis.widthScaling.flatMap((w) => w.points.map((p) => ({ run: labels[i]!, w, p }))));
  if (rows.length === 0) return '';
  const cols: Array<Col<WidthRow>> = [
    ...(input.runs.length > 1 ? [{ title: 'run', sort: (r: WidthRow) => r.run, html: (r: WidthRow) => h(r.run) }] : []),
    { title: 'model', sort: (r) => r.w.model, html: (r) => `<span class="name">${h(r.w.model)}</span>` },
    { title: 'dataset', sort: (r) => r.w.dataset, html: (r) => h(r.w.dataset) },
    { title: 'n', numeric: true, sort: (r) => r.w.size, html: (r) => h(fmtNumber(r.w.size, 21)) },
    { title: 'workers', numeric: true, sort: (r) => r.p.workers, html: (r) => String(r.p.workers) + (r.p.oversubscribed ? ' (over cores)' : '') },
    { title: 'throughput (samples/s)', numeric: true, sort: (r) => num(r.p.throughput), html: (r) => h(fmtNumber(r.p.throughput)) },
    { title: 'speedup', numeric: true, sort: (r) => num(r.p.speedup), html: (r) => (num(r.p.speedup) === null ? NA : `${h(fmtFixed(r.p.speedup, 2))}x`) },
    { title: 'efficiency', numeric: true, sort: (r) => num(r.p.efficiency), html: (r) => h(fmtPercent(r.p.efficiency)) },
    { title: 'Karp-Flatt serial fraction', numeric: true, sort: (r) => num(r.p.karpFlatt), html: (r) => h(fmtFixed(r.p.karpFlatt, 3)) },
    {
      title: 'USL',
      sort: (r) => ('unavailable' in r.w.usl ? null : num(r.w.usl.peakWorkers)),
      html: (r) => ('unavailable' in r.w.usl ? h(r.w.usl.unavailable) : `σ ${h(fmtFixed(r.w.usl.sigma, 3))}, κ ${h(fmtFixed(r.w.usl.kappa, 3))}, peak ${h(fmtFixed(r.w.usl.peakWorkers, 1))}`),
    },
  ];
  return `<section id="widths"><h2>Scaling with workers</h2>${sortableTable('width-table', cols, rows)}</section>`;
}

interface SizeRow {
  run: string;
  s: Analysis['sizeScaling'][number];
}

function sizeSection(input: ReportInput, labels: string[]): string {
  const rows: SizeRow[] = input.runs.flatMap((r, i) => r.analysis.sizeScaling.map((s) => ({ run: labels[i]!, s })));
  if (rows.length === 0) return '';
  const cols: Array<Col<SizeRow>> = [
    ...(input.runs.length > 1 ? [{ title: 'run', sort: (r: SizeRow) => r.run, html: (r: SizeRow) => h(r.run) }] : []),
    { title: 'model', sort: (r) => r.s.model, html: (r) => `<span class="name">${h(r.s.model)}</span>` },
    { title: 'dataset', sort: (r) => r.s.dataset, html: (r) => h(r.s.dataset) },
    { title: 'workers', numeric: true, sort: (r) => r.s.workers, html: (r) => String(r.s.workers) },
    { title: 'metric', sort: (r) => r.s.metric, html: (r) => (r.s.metric === 'wallMs' ? 'wall time' : 'peak memory') },
    { title: 'sizes', numeric: true, sort: (r) => r.s.points.length, html: (r) => String(r.s.points.length) },
    { title: 'exponent b', numeric: true, sort: (r) => num(r.s.exponent?.value), html: (r) => h(fmtFixed(r.s.exponent?.value, 3)) },
    {
      title: '95% CI of b',
      numeric: true,
      html: (r) => (r.s.exponent && num(r.s.exponent.low) !== null && num(r.s.exponent.high) !== null ? `${h(fmtFixed(r.s.exponent.low, 3))} … ${h(fmtFixed(r.s.exponent.high, 3))}` : NA),
    },
    { title: 'closest class', sort: (r) => r.s.bigO?.class ?? null, html: (r) => h(r.s.bigO?.class ?? NA) },
    { title: 'R²', numeric: true, sort: (r) => num(r.s.rSquared), html: (r) => h(fmtFixed(r.s.rSquared, 3)) },
  ];
  return `<section id="sizes"><h2>Scaling with dataset size</h2><p class="sub">Power law t = a·n<sup>b</sup> fitted on log-log axes.</p>${sortableTable('size-table', cols, rows)}</section>`;
}

function warningsSection(input: ReportInput, labels: string[]): string {
  const all: Array<{ run: string; w: AnalysisWarning }> = input.runs.flatMap((r, i) => r.analysis.warnings.map((w) => ({ run: labels[i]!, w })));
  if (all.length === 0) return '<section id="warnings"><h2>Warnings</h2><p>None.</p></section>';
  const items = all.map(({ run, w }) => {
    const prefix = input.runs.length > 1 ? `[${h(run)}] ` : '';
    const subject = w.subject ? ` <span class="code">${h(w.subject)}</span>` : '';
    return `<li>${prefix}<strong>${h(w.code)}</strong>${subject}: ${h(w.message)}</li>`;
  });
  return `<section id="warnings"><h2>Warnings</h2><ul class="warnings">${items.join('')}</ul></section>`;
}

function envRows(env: Environment, result: RunResult): Array<[string, string]> {
  const p = result.plan;
  const rows: Array<[string, string | undefined]> = [
    ['machine id', env.machineId],
    ['hostname', env.hostname],
    ['CPU', env.cpuModel],
    ['logical cores', String(env.cores)],
    ['memory', fmtGiB(env.totalMemoryBytes)],
    ['OS', `${env.os} (${env.arch})`],
    ['Node', env.node],
    ['backend', `${env.backend} ${env.backendVersion}`],
    ['wasm SIMD', env.wasmSimd === undefined ? undefined : env.wasmSimd ? 'yes' : 'no'],
    ['tfjs', env.tfjsVersion],
    ['kernel patches', env.kernelPatches.length ? env.kernelPatches.join(', ') : 'none (stock tfjs)'],
    ['peak GFLOP/s per worker', env.peakFlopsPerSec === undefined ? 'not calibrated' : fmtNumber(env.peakFlopsPerSec / 1e9)],
    ['git commit', env.gitCommit],
    ['runner', env.runner],
    ['tool', `${result.tool.name} ${result.tool.version}`],
    ['started / finished', `${result.startedAt} / ${result.finishedAt ?? 'not finished'}`],
    ['repetitions (+ warm-up)', `${p.repeats} (+${p.warmup})`],
    ['seed', String(p.seed)],
    ['training', `${p.training.epochs} epochs, batch ${p.training.batchSize}, learning rate ${p.training.learningRate}, ${fmtPercent(p.training.testFraction)} held out`],
    ['cell timeout', fmtMs(p.cellTimeoutMs)],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined);
}

function environmentSection(input: ReportInput, labels: string[]): string {
  const blocks = input.runs.map(({ result, analysis }, i) => {
    const envs: Array<[string, Environment]> = [['', analysis.environment]];
    for (const [id, env] of Object.entries(result.machines ?? {})) if (id !== analysis.environment.machineId) envs.push([` (shard ${id})`, env]);
    return envs
      .map(
        ([suffix, env]) =>
          `${input.runs.length > 1 || suffix ? `<h3>${h(labels[i]! + suffix)}</h3>` : ''}<div class="table-wrap"><table class="env"><tbody>` +
          envRows(env, result)
            .map(([k, v]) => `<tr><th scope="row">${h(k)}</th><td>${h(v)}</td></tr>`)
            .join('') +
          `</tbody></table></div>`,
      )
      .join('');
  });
  return `<section id="environment"><h2>Environment</h2>${blocks.join('')}</section>`;
}

// --- page ---------------------------------------------------------------------------------

export function renderHtml(input: ReportInput): string {
  const labels = runLabels(input.runs);
  const specs = buildChartSpecs(input);
  const data = {
    charts: specs.map((s) => ({
      id: s.id,
      xTitle: s.xTitle,
      yTitle: s.yTitle,
      legend: legendEntries(s),
      groups: s.series.map((x) => x.group),
      config: chartJsConfig(s, 'html'),
    })),
    analyses: input.runs.map((r) => r.analysis),
    comparison: input.comparison ?? null,
  };
  const chartJs = chartJsUmd();
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(chartJs)} ${sha256(CLIENT_SCRIPT)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const primary = input.runs[0];
  const title = primary ? `scale-bench report: ${input.runs.length > 1 ? labels.join(' vs ') : primary.analysis.runId}` : 'scale-bench report';
  const version = primary?.result.tool.version ?? '';
  const body = primary
    ? [
        summarySection(input, labels),
        input.comparison ? comparisonSection(input.comparison) : '',
        chartsSection(specs),
        cellsSection(input, labels),
        widthSection(input, labels),
        sizeSection(input, labels),
        warningsSection(input, labels),
        environmentSection(input, labels),
      ].join('\n')
    : '<p>No runs to report.</p>';
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
<header><h1>${h(title)}</h1><p class="sub">${input.runs.length} run${input.runs.length === 1 ? '' : 's'} · generated by scale-bench ${h(version)}</p></header>
${body}
<footer>Self-contained report: charts by Chart.js (MIT licence), drawn from the data embedded in this file. No network access is needed.</footer>
</main>
<script type="application/json" id="scale-bench-data">${jsonForScript(data)}</script>
<script>${chartJs}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

export const html = {
  description: 'report.html: one self-contained interactive page (summary, charts with log/linear toggles, sortable tables, environment, comparison)',
  render(input: ReportInput): Artifact[] {
    return [{ path: 'report.html', mediaType: 'text/html; charset=utf-8', bytes: new TextEncoder().encode(renderHtml(input)) }];
  },
};
