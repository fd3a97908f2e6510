import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chartJsUmd, html, renderHtml } from '../src/report/html.js';
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

  it('embeds the data as JSON the page can read back', () => {
    const data = JSON.parse(scripts(page)[0]!.body);
    expect(data.charts.map((c: { id: string }) => c.id)).toContain('time-vs-size');
    expect(data.analyses[0].runId).toBe(f.analysis.runId);
    expect(data.analyses[0].cells.find((c: { cell: { model: string } }) => c.cell.model === HOSTILE_MODEL)).toBeDefined();
    expect(data.comparison.regressions).toBe(1);
    const chart = data.charts[0];
    expect(chart.legend).toHaveLength(chart.config.data.datasets.length);
    expect(chart.groups).toHaveLength(chart.config.data.datasets.length);
  });

  it('summarises laws in words, machine and backend at the top', () => {
    const summary = page.slice(page.indexOf('<section id="summary">'), page.indexOf('<section id="comparison">'));
    expect(summary).toContain('AMD EPYC 7B13, 2 cores, 24.0 GiB');
    expect(summary).toContain('time grows as n^1.02 ± 0.03');
    expect(summary).toContain('2 workers: 1.87x, 93% efficient');
    expect(summary).toContain('USL: not enough widths: 3 &lt; 4');
    expect(page.indexOf('id="summary"')).toBeLessThan(page.indexOf('id="charts"'));
  });

  it('has sortable tables with numeric sort keys and n/a for missing values', () => {
    expect(page).toContain('<table class="sortable" id="cells-table">');
    expect(page).toContain('<table class="sortable" id="comparison-table">');
    expect(page).toMatch(/<th scope="col" class="num" data-type="number"><button type="button">median wall<\/button><\/th>/);
    expect(page).toMatch(/<td class="num" data-sort="32">32 ms<\/td>/);
    expect(page).toMatch(/<td class="num na" data-sort="">n\/a<\/td>/);
    expect(page).not.toMatch(/>\s*(NaN|undefined|Infinity)\s*</);
  });

  it('shows comparison verdicts, warnings and the environment', () => {
    expect(page).toContain('<span class="badge v-regressed">regressed</span>');
    expect(page).toContain('<span class="badge v-improved">improved</span>');
    expect(page).toContain('<h2>Comparison <span class="badge failed">failed</span></h2>');
    expect(page).toContain('<strong>few-repetitions</strong>');
    expect(page).toContain('<tr><th scope="row">kernel patches</th><td>BatchMatMul:transpose-first</td></tr>');
  });

  it('overlays several runs with a run column', () => {
    const two = renderHtml({ runs: [f, g] });
    expect(two).toContain('<title>scale-bench report: 2025-11-25T10-00-00Z-abc1234 vs run-b</title>');
    expect(two).toContain('<button type="button">run</button>');
    const data = JSON.parse(scripts(two)[0]!.body);
    const labels: string[] = data.charts[0].config.data.datasets.map((d: { label: string }) => d.label);
    expect(labels.some((l) => l.startsWith('run-b · '))).toBe(true);
  });
});
