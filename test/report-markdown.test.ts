import { describe, expect, it } from 'vitest';
import { markdown, renderMarkdown } from '../src/report/markdown.js';
import type { CellAnalysis } from '../src/analyse/schema.js';
import { makeComparison, makeFixture } from './helpers/analysis-fixture.js';

describe('markdown reporter', () => {
  const f = makeFixture();
  const md = renderMarkdown({ runs: [f] });

  it('produces summary.md', () => {
    const [a] = markdown.render({ runs: [f] });
    expect(a!.path).toBe('summary.md');
    expect(new TextDecoder().decode(a!.bytes)).toBe(md);
  });

  it('states machine, backend and the laws in words', () => {
    expect(md).toContain('**Machine**: AMD EPYC 7B13, 2 cores, 24.0 GiB');
    expect(md).toContain('**Backend**: wasm (SIMD) 4.22.0, tfjs 4.22.0');
    expect(md).toContain('- **mlp-small** · 1 worker: time grows as n^1.02 ± 0.03');
    expect(md).toContain('- **mlp-small** · n=1k: 2 workers: 1.87x, 93% efficient');
    expect(md).toContain('USL: not enough widths: 3 &lt; 4');
    expect(md).toContain('USL: throughput peaks at 7.0 workers');
  });

  it('has a per-cell table with n/a for the failed cell', () => {
    const tableRows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| model') && !l.startsWith('| ---'));
    expect(tableRows).toHaveLength(f.analysis.cells.length);
    const failed = tableRows.find((l) => l.includes('0/3'))!;
    expect(failed.match(/n\/a/g)).toHaveLength(7);
    // Every row has the header's column count: escaped pipes in names do not split cells.
    const columns = (l: string) => l.split(/(?<!\\)\|/).length;
    const header = md.split('\n').find((l) => l.startsWith('| model'))!;
    for (const r of tableRows) expect(columns(r)).toBe(columns(header));
  });

  it('escapes hostile names so GitHub renders them as text', () => {
    expect(md).not.toContain('<img');
    expect(md).not.toContain('</script');
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&lt;!--');
    expect(md).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('lists warnings', () => {
    expect(md).toContain('### Warnings');
    expect(md).toContain('- ⚠️ **few-repetitions**: 3 repetitions per cell');
    expect(md.match(/^- ⚠️ \*\*/gm)).toHaveLength(f.analysis.warnings.length);
  });

  it('shows comparison verdicts, regressions first', () => {
    const g = makeFixture({ runId: 'run-b', slowdown: 1.3 });
    const out = renderMarkdown({ runs: [g], comparison: makeComparison(f, g) });
    expect(out).toContain('### Comparison');
    expect(out).toContain('**❌ failed**: 1 regression, 1 improvement');
    expect(out).toContain('Geometric mean of wall-time ratios (current / baseline): 1.040x.');
    const verdicts = out.split('\n').filter((l) => /^\| (🔴|🟢|⚪|🟡)/.test(l));
    expect(verdicts.map((l) => l.split(' | ')[0])).toEqual(['| 🔴 regressed', '| 🟢 improved', '| 🟡 inconclusive', '| ⚪ unchanged']);
    // 132.3 ms -> 172.0 ms: +30.0 %
    expect(verdicts[0]).toContain('| +30.0% | +21.0% … +39.0% |');
    expect(out).toContain('- ❌ `efficiency@2>=0.95`: no width-2 measurement for cnn-small');
    // Unchanged rows are folded so a PR comment stays readable; the gate that applied is named.
    expect(out).toMatch(/<details><summary>\d+ unchanged comparisons?<\/summary>\n\n\| verdict/);
    expect(out.indexOf('⚪ unchanged')).toBeGreaterThan(out.indexOf('<details>'));
    expect(out).toMatch(/\((raw|shape) gate: /);
  });

  it('labels each run when several are reported', () => {
    const g = makeFixture({ runId: 'run-b', slowdown: 1.3 });
    const out = renderMarkdown({ runs: [f, g] });
    expect(out).toContain('## scale-bench report: 2 runs');
    expect(out).toContain('### Scaling laws: run-b');
    expect(out).toContain('| run | model |');
    expect(out).toContain('- ⚠️ [run-b] **few-repetitions**');
  });

  it('caps the cell table so a PR comment stays under 65,536 characters', () => {
    const big = makeFixture();
    const many: CellAnalysis[] = [];
    for (let i = 0; i < 10; i++) many.push(...big.analysis.cells);
    big.analysis.cells = many;
    const out = renderMarkdown({ runs: [big] });
    expect(out).toContain('…and 130 more cells in cells.csv.');
    expect(out.length).toBeLessThan(65_536);
  });

  it('handles no runs', () => {
    expect(renderMarkdown({ runs: [] })).toContain('No runs to report');
  });
});
