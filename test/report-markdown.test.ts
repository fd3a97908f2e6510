import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdown, renderMarkdown } from '../src/report/markdown.js';
import type { AnalysisWarning } from '../src/analyse/schema.js';
import { makeComparison, makeFixture } from './helpers/analysis-fixture.js';
import { runCli } from './helpers/cli.js';

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

  it('leads with the Findings table and sentences', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('### '));
    expect(headings[0]).toBe('### Findings');
    const findings = md.slice(md.indexOf('### Findings'), md.indexOf('### Cells'));
    expect(findings).toContain('| model | data | time ∝ n^b | memory ∝ n^b | best speedup | stops paying |');
    expect(findings).toContain('| mlp-small | classification | 1.02 ±0.03 O(n) |');
    expect(findings.split('\n').filter((l) => /^- (🔴|🟡|ℹ️|🟢) /.test(l)).length).toBeGreaterThan(0);
  });

  it('has the cells as one row per model × size, the failed cell marked', () => {
    const cells = md.slice(md.indexOf('### Cells'), md.indexOf('### Scaling laws'));
    const tableRows = cells.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| model') && !l.startsWith('| ---'));
    expect(tableRows).toHaveLength(2 * 3);
    expect(tableRows.filter((l) => l.includes('⚠️ failed (0/3)'))).toHaveLength(1);
    // Every row has the header's column count: escaped pipes in names do not split cells.
    const columns = (l: string) => l.split(/(?<!\\)\|/).length;
    const header = cells.split('\n').find((l) => l.startsWith('| model'))!;
    for (const r of tableRows) expect(columns(r)).toBe(columns(header));
  });

  it('escapes hostile names so GitHub renders them as text', () => {
    expect(md).not.toContain('<img');
    expect(md).not.toContain('</script');
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&lt;!--');
    expect(md).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('groups warnings by kind, then lists every one folded', () => {
    expect(md).toContain('### Warnings');
    const section = md.slice(md.indexOf('### Warnings'));
    const grouped = section.slice(0, section.indexOf('<details>')).split('\n').filter((l) => l.startsWith('- ⚠️'));
    expect(grouped).toHaveLength(new Set(f.analysis.warnings.map((w) => w.code)).size);
    expect(grouped[0]).toMatch(/^- ⚠️ \*\*few-repetitions\*\* \(1\): 3 repetitions per cell/);
    const listed = section.slice(section.indexOf('<details>')).split('\n').filter((l) => l.startsWith('- ⚠️'));
    expect(listed).toHaveLength(f.analysis.warnings.length);
    expect(md).toContain('- ⚠️ **few-repetitions**: 3 repetitions per cell');
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

  it('labels each run when several are reported, with the side-by-side ratios', () => {
    const g = makeFixture({ runId: 'run-b', slowdown: 1.3 });
    const out = renderMarkdown({ runs: [f, g], overlays: [makeComparison(f, g)] });
    expect(out).toContain('## scale-bench report: 2 runs');
    expect(out).toContain('### Findings: run-b');
    expect(out).toContain('### Scaling laws: run-b');
    expect(out).toContain('- ⚠️ [run-b] **few-repetitions**');
    expect(out).toContain('### Side by side (current / baseline)');
    // mlp-small n=4k w=1: 30% slower, CI of the change +21% to +39%.
    expect(out).toContain('| 🔴 regressed | mlp-small | 4k | 1 | 1.30x [1.21, 1.39] |');
  });

  it('stays under 65,536 characters (a PR comment) with many warnings', () => {
    const big = makeFixture();
    const warning: AnalysisWarning = { code: 'noisy-cell', message: 'x'.repeat(300), subject: 'cell' };
    big.analysis.warnings = Array.from({ length: 500 }, () => warning);
    const out = renderMarkdown({ runs: [big] });
    expect(out).toContain('- …and 450 more in analysis.json and report.html.');
    expect(out.length).toBeLessThan(65_536);
  });

  it('stays under 200 lines for the default sweep (fake runner)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-md-'));
    const { code } = await runCli(['run', '--runner', 'fake', '--out', dir, '--run-id', 'md', '--report', 'markdown', '--quiet']);
    expect(code).toBe(0);
    const text = readFileSync(join(dir, 'md', 'summary.md'), 'utf8');
    expect(text.split('\n').length).toBeLessThan(200);
    expect(text.split('\n').filter((l) => l.startsWith('### '))[0]).toBe('### Findings');
  }, 60_000);

  it('handles no runs', () => {
    expect(renderMarkdown({ runs: [] })).toContain('No runs to report');
  });
});
