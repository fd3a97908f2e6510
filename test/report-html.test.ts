import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chartJsUmd, html, HTML_SECTIONS, renderHtml } from '../src/report/html.js';
import { escapeHtml, jsonForScript } from '../src/report/html/escape.js';
import { WHAT_IF_SCRIPT } from '../src/report/html/what-if.js';
import { HOSTILE_MODEL, makeComparison, makeFixture } from './helpers/analysis-fixture.js';

const f = makeFixture();
const g = makeFixture({ runId: 'run-b', slowdown: 1.3 });
const page = renderHtml({ runs: [f], comparison: makeComparison(f, g) });

function scripts(doc: string): Array<{ attrs: string; body: string }> {
  return [...doc.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1]!, body: m[2]! }));
}

describe('escaping', () => {
  it('escapes HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('keeps embedded JSON from closing its script or opening a comment, and round-trips', () => {
    const v = { name: HOSTILE_MODEL, sep: '\u2028', n: NaN };
    const s = jsonForScript(v);
    expect(s).not.toMatch(/<\/script|<!--|[<>&\u2028\u2029]/i);
    expect(JSON.parse(s)).toEqual({ name: HOSTILE_MODEL, sep: '\u2028', n: null });
  });
});

describe('html reporter', () => {
  it('is one report.html', () => {
    const out = html.render({ runs: [f] });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ path: 'report.html', mediaType: 'text/html; charset=utf-8' });
  });

  it('inlines chart.js and has exactly five scripts: data, chart.js, client, what-if data, what-if panel', () => {
    const s = scripts(page);
    expect(s).toHaveLength(5);
    expect(s[3]!.attrs).toBe(' type="application/json" id="what-if-data"');
    expect(s[4]!.body).toBe(WHAT_IF_SCRIPT);
    expect(s[0]!.attrs).toBe(' type="application/json" id="scale-bench-data"');
    expect(s[1]!.body).toBe(chartJsUmd());
    expect(s[1]!.body).toContain('Chart.js v4');
    expect(s[2]!.body).toContain('window.scaleBench');
  });

  it('allows exactly the inline scripts by hash and no network at all', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    const hash = (body: string) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
    const [, lib, client, , whatIf] = scripts(page);
    expect(csp).toContain(`script-src ${hash(lib!.body)} ${hash(client!.body)} ${hash(whatIf!.body)};`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // Nothing is fetched: no external src/href.
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('never lets a hostile name out raw', () => {
    expect(page.split(HOSTILE_MODEL)).toHaveLength(1);
    expect(page).not.toContain('<img');
    expect(page).toContain(escapeHtml(HOSTILE_MODEL));
    const outsideScripts = page.replace(/<script[\s\S]*?<\/script>/g, '');
    expect(outsideScripts).not.toContain('<!--');
  });

  it('embeds the charts as JSON the page can read back: one chart.js configuration per panel', () => {
    const data = JSON.parse(scripts(page)[0]!.body);
    expect(data.charts.map((c: { id: string }) => c.id)).toContain('time-vs-size');
    const chart = data.charts[0];
    expect(chart.panels).toHaveLength(2);
    const panel = chart.panels[0];
    expect(panel.keys).toHaveLength(panel.config.data.datasets.length);
    expect(panel.roles).toHaveLength(panel.config.data.datasets.length);
    // Round ticks travel with the data; hover text with each measured point.
    expect(chart.xTicks.map((t: { label: string }) => t.label)).toEqual(['1k', '2k', '4k']);
    expect(panel.config.data.datasets[0].data[0].tip).toMatch(/^n=1k, w=1: 32\.0 ms \[/);
    // The hostile name reaches the page only inside the escaped JSON, and reads back intact.
    expect(chart.panels[1].config.options.plugins.title.text).toBe(HOSTILE_MODEL);
  });

  it('opens on the Findings, then the comparison, the charts, the models and the tables, in that order', () => {
    const order = ['findings', 'comparison', 'side-by-side', 'charts', 'models', 'cells', 'warnings', 'environment'].map((id) => page.indexOf(`<section id="${id}">`));
    for (const at of order) expect(at).toBeGreaterThan(0);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const findings = page.slice(order[0]!, order[1]!);
    expect(findings).toContain('<table class="findings">');
    expect(findings).toContain('AMD EPYC 7B13, 2 cores, 24.0 GiB');
    expect(findings).toContain('<td class="num">1.02 ±0.03 O(n)</td>');
    expect(findings).toMatch(/<ul class="sentences"><li class="tone-bad">/);
    expect(HTML_SECTIONS.map((s) => s.id)).toEqual(['findings', 'comparison', 'side-by-side', 'quality', 'charts', 'what-if', 'history', 'models', 'cells', 'warnings', 'environment']);
  });

  it('has one section per model with its laws in words', () => {
    const models = page.slice(page.indexOf('<section id="models">'), page.indexOf('<section id="cells">'));
    expect(models.match(/<section class="model"/g)).toHaveLength(2);
    expect(models).toContain('time grows as n^1.02 ± 0.03');
    expect(models).toContain('2 workers: 1.87x, 93% efficient');
    expect(models).toContain('USL: not enough widths: 3 &lt; 4');
  });

  it('has small-multiple charts with filters and a shared legend', () => {
    const charts = page.slice(page.indexOf('<section id="charts">'), page.indexOf('<section id="models">'));
    expect(charts).toContain('<select data-filter="model">');
    expect(charts).toContain('<button type="button" data-chart="time-vs-size" data-key="w=1" aria-pressed="true">');
    expect(charts.match(/<canvas id="panel-time-vs-size-\d+"/g)).toHaveLength(2);
  });

  it('has sortable tables with numeric sort keys and n/a for missing values', () => {
    expect(page).toContain('<table class="sortable" id="cells-table">');
    expect(page).toContain('<table class="sortable" id="comparison-table">');
    expect(page).toMatch(/<th scope="col" class="num" data-type="number"><button type="button">median wall<\/button><\/th>/);
    expect(page).toMatch(/<td class="num" data-sort="32">32.0 ms<\/td>/);
    expect(page).toMatch(/<td class="num na" data-sort="">n\/a<\/td>/);
    expect(page).not.toMatch(/>\s*(NaN|undefined|Infinity)\s*</);
  });

  it('shows comparison verdicts, warnings and the environment', () => {
    expect(page).toContain('<span class="badge v-regressed">regressed</span>');
    expect(page).toContain('<span class="badge v-improved">improved</span>');
    expect(page).toContain('<h2>Comparison <span class="badge failed">failed</span></h2>');
    expect(page).toContain('<strong>few-repetitions</strong> (1): 3 repetitions per cell');
    expect(page).toContain('<tr><th scope="row">kernel patches</th><td>BatchMatMul:transpose-first</td></tr>');
  });

  it('overlays several runs with a run column, panels per run and the side-by-side ratios', () => {
    const two = renderHtml({ runs: [f, g], overlays: [makeComparison(f, g)] });
    expect(two).toContain('<title>scale-bench report: 2025-11-25T10-00-00Z-abc1234 vs run-b</title>');
    expect(two).toContain('<button type="button">run</button>');
    expect(two).toContain('<select data-filter="run">');
    const data = JSON.parse(scripts(two)[0]!.body);
    expect(data.charts[0].panels).toHaveLength(4);
    const side = two.slice(two.indexOf('<section id="side-by-side">'), two.indexOf('<section id="charts">'));
    expect(side).toContain('<td class="num ratio v-regressed" title="regressed; 95% CI">1.30x [1.21, 1.39]</td>');
    expect(side).toContain('<td class="num ratio v-improved"');
  });

  it('stays one offline file under 2 MB for the default sweep shape', async () => {
    const { makeRunResult } = await import('./helpers/run-result.js');
    const { analyse } = await import('../src/analyse/index.js');
    const models = ['linear', 'logistic', 'mlp-small', 'mlp-deep', 'cnn-small'];
    const cells = models.flatMap((model) => [1000, 2000, 4000, 8000, 16000, 32000].flatMap((size) => [1, 2, 3].map((workers) => ({ model, size, workers, wallMs: [size / 100, size / 99, size / 101, size / 98, size / 102] }))));
    const run = makeRunResult(cells);
    const bytes = html.render({ runs: [{ result: run, analysis: analyse(run) }] })[0]!.bytes.length;
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
  });
});
