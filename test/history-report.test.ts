/**
 * The history in the reports: the HTML trend section (charts with change points, a table linking
 * commits; drawn in real Chromium where installed), the job-summary section, escaping of names.
 */
import { chromiumForTests } from './helpers/chromium.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTrendSection, trendChartSpec } from '../src/report/html/trend.js';
import { buildSeries } from '../src/history/series.js';
import { analyseHistory } from '../src/history/trend.js';
import { checkHistory, type HistoryView } from '../src/history/check.js';
import type { CellRecord, StoredRecord } from '../src/history/schema.js';
import { makeFixture } from './helpers/analysis-fixture.js';

// On CI a missing browser fails here (test/helpers/chromium.ts), instead of skipping the browser check.
const CHROMIUM = chromiumForTests();
const HOSTILE = 'mlp<script>alert(1)</script>|x|n=1|w=1|job-parallel';

/** 20 nightly runs of two cells; the first slows by 20% from run 14 on, the commit measured 6 times since. */
function view(): HistoryView {
  const records: StoredRecord[] = [];
  for (let k = 0; k < 20; k++) {
    for (const subject of [HOSTILE, 'linear|regression|n=1000|w=1|job-parallel']) {
      const level = subject === HOSTILE && k >= 14 ? 120 : 100;
      const wall = level * (1 + 0.01 * Math.sin(k * 7.3 + subject.length));
      const record: CellRecord = {
        v: 1,
        kind: 'cell',
        run: `run${k}`,
        runId: `nightly-${k}`,
        date: new Date(Date.UTC(2026, 0, 1 + k)).toISOString(),
        commit: `${Math.min(k, 14).toString(16).padStart(2, '0')}${'ab'.repeat(19)}`,
        branch: 'main',
        machine: 'm1',
        backend: 'wasm',
        runner: 'tfjs',
        subject,
        wallMs: [wall, wall * 0.98, wall * 1.02],
        throughput: [1e6 / wall, null, null],
        memory: 1e8,
        quality: { metric: 'accuracy', value: 0.9 },
        ok: 5,
        trials: 5,
      };
      records.push({ record, file: 'h.jsonl', line: records.length + 1 });
    }
  }
  const analysis = analyseHistory(buildSeries(records, { metrics: ['wallMs', 'quality'] }));
  return { analysis, outcome: checkHistory(analysis), commitUrl: 'https://github.com/acme/widget/commit/' };
}

describe('history in the reports', () => {
  it('the trend section charts the changed series, marks the change point and links its commit', () => {
    const spec = trendChartSpec(view())!;
    expect(spec.panels).toHaveLength(1);
    const [panel] = spec.panels;
    expect(panel!.series.find((s) => s.key === 'runs')!.points).toHaveLength(20);
    const marker = panel!.series.find((s) => s.label === 'change point (worse)')!;
    expect(marker.points.map((p) => ({ x: p.x, y: p.y }))).toEqual([{ x: 15, y: expect.closeTo(120, -1) as number }]);
    // Two segment levels, dashed.
    expect(panel!.series.filter((s) => s.label === 'segment median' && s.role === 'fit')).toHaveLength(2);
    const section = { html: renderTrendSection(view(), spec) };
    expect(section.html).toContain('id="figure-history-trend"');
    expect(section.html).toContain(`<a href="https://github.com/acme/widget/commit/0e${'ab'.repeat(19)}"><span class="code">0eababab`);
    expect(section.html).toContain('mlp&lt;script&gt;');
    expect(section.html).not.toContain('<script>alert');
    expect(section.html).toMatch(/new, worse:/);
  });

  it('summary.md gains the history section with the new change point and its commit link', () => {
    const fixture = makeFixture();
    const markdown = renderMarkdown({ runs: [fixture], history: view() });
    expect(markdown).toContain('### History: change points');
    expect(markdown).toMatch(/🔴 new, worse: \*\*wallMs of mlp&lt;script&gt;alert\(1\)&lt;\/script&gt;\\\|x\\\|n=1\\\|w=1\\\|job-parallel\*\*/);
    expect(markdown).toContain(`(https://github.com/acme/widget/commit/0e${'ab'.repeat(19)})`);
    // Without a history nothing changes.
    expect(renderMarkdown({ runs: [fixture] })).not.toContain('History');
  });

  it.skipIf(CHROMIUM === undefined)('draws the trend charts in Chromium, offline, with no script errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-trend-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml({ runs: [makeFixture()], history: view() }));
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1300, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      page.on('dialog', (d) => void d.dismiss().then(() => errors.push(`dialog: ${d.message()}`)));
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => 'history-0' in ((globalThis as unknown as { scaleBench?: { charts: object } }).scaleBench?.charts ?? {}));
      await page.locator('#panel-history-0').scrollIntoViewIfNeeded();
      const painted = await page.evaluate(() => {
        const canvas = (globalThis as unknown as { document: { getElementById(id: string): { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } } } }).document.getElementById('panel-history-0');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      });
      expect(painted).toBeGreaterThan(2000);
      expect(await page.locator('#history-table tbody tr').count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
