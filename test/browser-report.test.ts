/**
 * report.html in real headless Chromium (CHROMIUM_PATH, or the first chromium on the PATH), at 1280x800:
 * opened from file://, it must work offline, open on the Findings (inside the first 800 px), draw every
 * panel on a canvas at least 240 px tall, never scroll sideways, show hover values with intervals, let a
 * filter and the shared legend change the visible series, sort its tables, and show a hostile model name
 * as inert text. A screenshot of the first screen is written as a test artifact
 * (reports/test-artifacts/report-1280x800.png, or SCALE_BENCH_SCREENSHOT).
 * Skipped where no Chromium is installed, except on CI, where that fails with the install command
 * (test/helpers/chromium.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { HOSTILE_MODEL, makeComparison, makeFixture } from './helpers/analysis-fixture.js';
import { runCli } from './helpers/cli.js';
import { chromiumForTests } from './helpers/chromium.js';

// On CI (.ci/run installs chromium and exports CI=true) a missing browser throws here, failing this file.
const CHROMIUM = chromiumForTests();
const VIEWPORT = { width: 1280, height: 800 };
const SCREENSHOT = process.env.SCALE_BENCH_SCREENSHOT ?? resolve('reports', 'test-artifacts', 'report-1280x800.png');

interface ChartLike {
  data: { datasets: Array<{ data: unknown[] }> };
  isDatasetVisible(i: number): boolean;
  getDatasetMeta(i: number): { data: Array<{ x: number; y: number }> };
  tooltip: { getActiveElements(): unknown[]; opacity: number; body?: Array<{ lines: string[] }> };
}
/*
 * The callbacks given to page.evaluate run in the page. This project compiles without the DOM
 * library, so the little of it they touch is declared here, for this module only.
 */
interface Rect {
  left: number;
  top: number;
  bottom: number;
  width: number;
  height: number;
}
interface PageElement {
  id: string;
  width: number;
  height: number;
  hidden: boolean;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): Rect;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface PageRows {
  rows: ArrayLike<{ cells: ArrayLike<PageElement> }>;
}
interface PageTable extends PageElement {
  tHead: PageRows | null;
  tBodies: ArrayLike<PageRows>;
}
declare const document: {
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  querySelector(selector: string): PageElement | null;
  getElementById(id: string): PageTable | null;
  documentElement: { scrollWidth: number; clientWidth: number };
};
declare const window: { innerWidth: number; scrollX: number; scrollY: number; scaleBench?: { charts: Record<string, ChartLike>; visibleSeries(): number } };

async function openPage(context: BrowserContext, file: string, errors: string[], requests: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => Object.keys(window.scaleBench?.charts ?? {}).length > 0);
  return page;
}

describe.skipIf(CHROMIUM === undefined)('report.html in headless Chromium at 1280x800', () => {
  let dir: string;
  let context: BrowserContext;
  /** The default sweep's shape (5 models × 6 sizes × 3 widths, fake runner). */
  let sweep: Page;
  let sweepFile: string;
  /** Hand-built fixture: a hostile model name, a failed cell, a baseline comparison. */
  let fixture: Page;
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-bench-browser-'));
    const { code } = await runCli(['run', '--runner', 'fake', '--workers', '1,2,3', '--out', dir, '--run-id', 'sweep', '--report', 'html', '--quiet']);
    expect(code).toBe(0);
    sweepFile = join(dir, 'sweep', 'report.html');
    const f = makeFixture();
    const g = makeFixture({ runId: 'run-b', slowdown: 1.3 });
    const fixtureFile = join(dir, 'fixture.html');
    writeFileSync(fixtureFile, renderHtml({ runs: [g], comparison: makeComparison(f, g) }));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: VIEWPORT,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context.on('page', (p) => p.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss())));
    sweep = await openPage(context, sweepFile, errors, requests);
    fixture = await openPage(context, fixtureFile, errors, requests);
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads offline: no console errors, no requests but the file itself; under 2 MB for the default sweep', () => {
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
    expect(statSync(sweepFile).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('opens on the Findings: its table ends inside the first 800 px', async () => {
    for (const page of [sweep, fixture]) {
      const box = await page.evaluate(() => {
        const table = document.querySelector('#findings table.findings')!.getBoundingClientRect();
        const charts = document.querySelector('#charts')!.getBoundingClientRect();
        return { top: table.top + window.scrollY, bottom: table.bottom + window.scrollY, charts: charts.top + window.scrollY };
      });
      expect(box.top).toBeGreaterThan(0);
      expect(box.bottom).toBeLessThanOrEqual(VIEWPORT.height);
      // The charts come after the Findings.
      expect(box.charts).toBeGreaterThan(box.bottom);
    }
    const rows = await sweep.locator('#findings table.findings tbody tr').count();
    expect(rows).toBe(5);
  });

  it('draws every panel on a non-blank canvas at least 240 px tall', async () => {
    const canvases = await sweep.evaluate(() =>
      Array.from(document.querySelectorAll('#charts canvas')).map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
        const rect = c.getBoundingClientRect();
        return { id: c.id, height: rect.height, width: rect.width, painted };
      }),
    );
    // 6 charts × 5 models.
    expect(canvases).toHaveLength(30);
    for (const c of canvases) {
      expect(c.height, c.id).toBeGreaterThanOrEqual(240);
      expect(c.width, c.id).toBeGreaterThan(300);
      expect(c.painted, c.id).toBeGreaterThan(3000);
    }
  });

  it('never scrolls sideways', async () => {
    for (const page of [sweep, fixture]) {
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    }
  });

  it('shows the value and its interval when hovering a data point', async () => {
    const id = 'panel-time-vs-size-0';
    await sweep.locator(`#${id}`).scrollIntoViewIfNeeded();
    const target = await sweep.evaluate((panel) => {
      const chart = window.scaleBench!.charts[panel.replace('panel-', '')]!;
      const point = chart.getDatasetMeta(0).data[2]!;
      const rect = document.getElementById(panel)!.getBoundingClientRect();
      return { x: rect.left + point.x, y: rect.top + point.y };
    }, id);
    await sweep.mouse.move(target.x, target.y);
    await sweep.waitForFunction((panel) => window.scaleBench!.charts[panel]!.tooltip.getActiveElements().length > 0, id.replace('panel-', ''));
    const lines = await sweep.evaluate((panel) => window.scaleBench!.charts[panel]!.tooltip.body?.flatMap((b) => b.lines) ?? [], id.replace('panel-', ''));
    expect(lines.join(' ')).toMatch(/^n=4k, w=1: \S+ \S*s \[\S+ \S*s, \S+ \S*s\] \(\d+% CI of the median\), (\d+)\/\1 ok$/);
  });

  it('changes the visible series when a filter changes, and back', async () => {
    const all = await sweep.evaluate(() => window.scaleBench!.visibleSeries());
    await sweep.locator('select[data-filter="model"]').selectOption('mlp-deep');
    const one = await sweep.evaluate(() => window.scaleBench!.visibleSeries());
    expect(one).toBeGreaterThan(0);
    expect(one).toBeLessThan(all);
    const shown = await sweep.evaluate(() => Array.from(document.querySelectorAll('#charts .panel')).filter((p) => !p.hidden).map((p) => p.getAttribute('data-model')));
    expect(new Set(shown)).toEqual(new Set(['mlp-deep']));
    await sweep.locator('select[data-filter="model"]').selectOption('');
    expect(await sweep.evaluate(() => window.scaleBench!.visibleSeries())).toBe(all);
  });

  it('hides a value in every panel from the shared legend', async () => {
    const before = await sweep.evaluate(() => window.scaleBench!.visibleSeries());
    const button = sweep.locator('.legend button[data-chart="time-vs-size"][data-key="w=2"]');
    await button.click();
    expect(await button.getAttribute('aria-pressed')).toBe('false');
    // One series (w=2) fewer in each of the 5 time-vs-size panels.
    await expect.poll(() => sweep.evaluate(() => window.scaleBench!.visibleSeries())).toBe(before - 5);
    await button.click();
    await expect.poll(() => sweep.evaluate(() => window.scaleBench!.visibleSeries())).toBe(before);
  });

  it('keeps the cell table collapsed, and sorts it by a clicked header, numbers numerically and n/a last', async () => {
    const table = fixture.locator('#cells-table');
    expect(await table.isVisible()).toBe(false);
    await fixture.locator('#cells details summary').first().click();
    expect(await table.isVisible()).toBe(true);
    const column = async () =>
      fixture.evaluate(() => {
        const t = document.getElementById('cells-table')!;
        const col = Array.from(t.tHead!.rows[0]!.cells).findIndex((th) => th.textContent === 'median wall');
        return Array.from(t.tBodies[0]!.rows).map((r) => r.cells[col]!.getAttribute('data-sort'));
      });
    const header = fixture.locator('#cells-table th', { hasText: 'median wall' });
    await header.locator('button').click();
    const asc = await column();
    const nums = asc.filter((v) => v !== '').map(Number);
    expect(nums).toEqual([...nums].sort((a, b) => a - b));
    expect(asc[asc.length - 1]).toBe('');
    await header.locator('button').click();
    const desc = await column();
    const dnums = desc.filter((v) => v !== '').map(Number);
    expect(dnums).toEqual([...dnums].sort((a, b) => b - a));
    expect(desc[desc.length - 1]).toBe('');
  });

  it('shows the comparison side by side, coloured by verdict', async () => {
    const regressed = fixture.locator('#side-by-side td.v-regressed');
    expect(await regressed.count()).toBeGreaterThan(0);
    expect(await regressed.first().textContent()).toMatch(/^1\.30x \[1\.21, 1\.39\]$/);
  });

  it('shows the hostile model name as text and runs nothing from it', async () => {
    expect(dialogs).toEqual([]);
    expect(await fixture.locator('img').count()).toBe(0);
    const findings = await fixture.locator('#findings').innerText();
    expect(findings).toContain(HOSTILE_MODEL.slice(0, 20));
    const names = await fixture.locator('#cells-table .name').allTextContents();
    expect(names).toContain(HOSTILE_MODEL);
  });

  it('writes a screenshot of the first screen as a test artifact', async () => {
    await sweep.evaluate(() => void 0);
    await sweep.mouse.move(0, 0);
    const shot = await sweep.screenshot({ clip: { x: 0, y: 0, ...VIEWPORT }, fullPage: true });
    expect(shot.byteLength).toBeGreaterThan(30_000);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    writeFileSync(SCREENSHOT, shot);
    expect(statSync(SCREENSHOT).size).toBe(shot.byteLength);
  });
});
