/** The reference part of report.html, after the charts and models: every table (collapsed, sortable), the warnings and the environment. */
import { qualityWithBudget, timeToTargetCell, trainingText } from '../quality-text.js';
import type { Analysis, AnalysisWarning, CellAnalysis } from '../../analyse/schema.js';
import type { Environment, RunResult } from '../../results/schema.js';
import type { ReportInput } from '../types.js';
import { NA, fmtBytes, fmtCount, fmtFixed, fmtGiB, fmtMs, fmtNumber, fmtPercent } from '../text.js';
import { groupWarnings } from '../warnings.js';
import { escapeHtml as h } from './escape.js';
import type { HtmlSection } from './section.js';
import { num, sortableTable, type Col } from './table.js';

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

function cellsTable(input: ReportInput, labels: string[]): string {
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
    { title: 'n', numeric: true, sort: (r) => r.c.cell.size, html: (r) => h(fmtCount(r.c.cell.size)) },
    { title: 'workers', numeric: true, sort: (r) => r.c.cell.workers, html: (r) => String(r.c.cell.workers) },
    { title: 'mode', sort: (r) => r.c.cell.mode, html: (r) => h(r.c.cell.mode) },
    { title: 'ok', numeric: true, sort: (r) => r.c.okTrials, html: (r) => `${r.c.okTrials}/${r.c.totalTrials}` },
    { title: 'median wall', numeric: true, sort: (r) => num(r.c.wallMs?.median), html: (r) => h(fmtMs(r.c.wallMs?.median)) },
    { title: 'IQR', numeric: true, sort: (r) => num(r.c.wallMs?.iqr), html: (r) => h(fmtMs(r.c.wallMs?.iqr)) },
    { title: 'min', numeric: true, sort: (r) => num(r.c.wallMs?.min), html: (r) => h(fmtMs(r.c.wallMs?.min)) },
    { title: 'max', numeric: true, sort: (r) => num(r.c.wallMs?.max), html: (r) => h(fmtMs(r.c.wallMs?.max)) },
    { title: 'samples/s', numeric: true, sort: (r) => num(r.c.samplesPerSec?.median), html: (r) => h(fmtNumber(r.c.samplesPerSec?.median)) },
    { title: 'µs/sample/worker', numeric: true, sort: (r) => num(r.c.usPerSample), html: (r) => h(fmtNumber(r.c.usPerSample)) },
    { title: 'cell memory', numeric: true, sort: (r) => num(r.c.cellMemoryBytes?.median), html: (r) => h(fmtBytes(r.c.cellMemoryBytes?.median)) },
    { title: 'process peak RSS', numeric: true, sort: (r) => num(r.c.peakRssBytes?.median), html: (r) => h(fmtBytes(r.c.peakRssBytes?.median)) },
    { title: 'quality (budget)', numeric: true, sort: (r) => num(r.c.quality?.value), html: (r) => h(qualityWithBudget(r.c)) },
    { title: 'time to target', numeric: true, sort: (r) => num(r.c.timeToTarget?.mlperfMs ?? r.c.timeToTarget?.medianMs?.value), html: (r) => h(timeToTargetCell(r.c.timeToTarget)) },
    { title: 'GFLOP/s', numeric: true, sort: (r) => num(r.c.gflops), html: (r) => h(fmtNumber(r.c.gflops)) },
    { title: 'MFU', numeric: true, sort: (r) => num(r.c.mfu), html: (r) => h(fmtPercent(r.c.mfu, 1)) },
    { title: 'cold start', numeric: true, sort: (r) => num(r.c.coldStartMs), html: (r) => h(fmtMs(r.c.coldStartMs)) },
  ];
  return `<details class="table"><summary>All ${rows.length} cells: every metric (sortable; medians over ok repetitions)</summary>${sortableTable('cells-table', cols, rows)}</details>`;
}

interface WidthRow {
  run: string;
  w: Analysis['widthScaling'][number];
  p: Analysis['widthScaling'][number]['points'][number];
}

function widthTable(input: ReportInput, labels: string[]): string {
  const rows: WidthRow[] = input.runs.flatMap((r, i) => r.analysis.widthScaling.flatMap((w) => w.points.map((p) => ({ run: labels[i]!, w, p }))));
  if (rows.length === 0) return '';
  const cols: Array<Col<WidthRow>> = [
    ...(input.runs.length > 1 ? [{ title: 'run', sort: (r: WidthRow) => r.run, html: (r: WidthRow) => h(r.run) }] : []),
    { title: 'model', sort: (r) => r.w.model, html: (r) => `<span class="name">${h(r.w.model)}</span>` },
    { title: 'dataset', sort: (r) => r.w.dataset, html: (r) => h(r.w.dataset) },
    { title: 'n', numeric: true, sort: (r) => r.w.size, html: (r) => h(fmtCount(r.w.size)) },
    { title: 'workers', numeric: true, sort: (r) => r.p.workers, html: (r) => String(r.p.workers) + (r.p.oversubscribed ? ' (over cores)' : '') },
    { title: 'throughput (samples/s)', numeric: true, sort: (r) => num(r.p.throughput), html: (r) => h(fmtNumber(r.p.throughput)) },
    { title: 'speedup', numeric: true, sort: (r) => num(r.p.speedup), html: (r) => (num(r.p.speedup) === null ? NA : `${h(fmtFixed(r.p.speedup, 2))}x`) },
    { title: 'efficiency', numeric: true, sort: (r) => num(r.p.efficiency), html: (r) => h(fmtPercent(r.p.efficiency)) },
    { title: 'Karp-Flatt serial fraction', numeric: true, sort: (r) => num(r.p.karpFlatt), html: (r) => h(fmtFixed(r.p.karpFlatt, 3)) },
    {
      title: 'USL',
      sort: (r) => ('unavailable' in r.w.usl ? null : num(r.w.usl.peakWorkers)),
      html: (r) => ('unavailable' in r.w.usl ? h(r.w.usl.unavailable) : `σ ${h(fmtNumber(r.w.usl.sigma, 3))}, κ ${h(fmtNumber(r.w.usl.kappa, 3))}, peak ${h(fmtFixed(r.w.usl.peakWorkers, 1))}`),
    },
  ];
  return `<details class="table"><summary>Scaling with workers: ${rows.length} points (sortable)</summary>${sortableTable('width-table', cols, rows)}</details>`;
}

interface SizeRow {
  run: string;
  s: Analysis['sizeScaling'][number];
}

function sizeTable(input: ReportInput, labels: string[]): string {
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
  return `<details class="table"><summary>Scaling with dataset size: ${rows.length} fitted power laws t = a·n<sup>b</sup> (sortable)</summary>${sortableTable('size-table', cols, rows)}</details>`;
}

function warningsHtml(input: ReportInput, labels: string[]): string {
  const all: Array<{ run: string; w: AnalysisWarning }> = input.runs.flatMap((r, i) => r.analysis.warnings.map((w) => ({ run: labels[i]!, w })));
  if (all.length === 0) return '<section id="warnings"><h2>Warnings</h2><p>None.</p></section>';
  const grouped = groupWarnings(all.map((x) => x.w)).map(
    (g) => `<li><strong>${h(g.code)}</strong> (${g.count}): ${h(g.summary)}${g.fix ? `; <span class="fix">fix: ${h(g.fix)}</span>` : ''}</li>`,
  );
  const items = all.map(({ run, w }) => {
    const prefix = input.runs.length > 1 ? `[${h(run)}] ` : '';
    const subject = w.subject ? ` <span class="code">${h(w.subject)}</span>` : '';
    return `<li>${prefix}<strong>${h(w.code)}</strong>${subject}: ${h(w.message)}</li>`;
  });
  return (
    `<section id="warnings"><h2>Warnings</h2><ul class="warnings">${grouped.join('')}</ul>` +
    `<details class="table"><summary>All ${all.length} warnings</summary><ul class="warnings">${items.join('')}</ul></details></section>`
  );
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
    ['training', `${trainingText(p)}, batch ${p.training.batchSize}, learning rate ${p.training.learningRate}, ${fmtPercent(p.training.testFraction)} held out`],
    ['cell timeout', fmtMs(p.cellTimeoutMs)],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined);
}

function environmentHtml(input: ReportInput, labels: string[]): string {
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
  return `<section id="environment"><h2>Environment</h2><details class="table"><summary>Machine, backend, versions and run settings</summary>${blocks.join('')}</details></section>`;
}


export const tablesSection: HtmlSection = {
  id: 'cells',
  title: 'Tables',
  render({ input, labels }) {
    return `<section id="cells"><h2>Tables</h2>${cellsTable(input, labels)}${widthTable(input, labels)}${sizeTable(input, labels)}</section>`;
  },
};

export const warningsSection: HtmlSection = { id: 'warnings', title: 'Warnings', render: ({ input, labels }) => warningsHtml(input, labels) };

export const environmentSection: HtmlSection = { id: 'environment', title: 'Environment', render: ({ input, labels }) => environmentHtml(input, labels) };
