/**
 * report.html in real headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH):
 * opened from file://, it must work offline, render every chart, respond to hover, the log/linear
 * toggles, legend clicks and header clicks, and show a hostile model name as inert text.
 * Skipped where no Chromium is installed (install it with `apt-get install -y chromium`).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { HOSTILE_MODEL, makeComparison, makeFixture } from './helpers/analysis-fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface ChartLike {
  options: { scales: Record<string, { type: string }> };
  scales: Record<string, { type: string }>;
  data: { datasets: Array<{ data: unknown[] }> };
  isDatasetVisible(i: number): boolean;
  getDatasetMeta(i: number): { data: Array<{ x: number; y: number }> };
  tooltip: { getActiveElements(): unknown[]; opacity: number };
  legend: { legendHitBoxes: Array<{ left: number; top: number; width: number; height: number }> };
}
/*
 * The callbacks given to page.evaluate run in the page. This project compiles without the DOM
 * library, so the little of it they touch is declared here, for this module only.
 */
interface PageElement {
  id: string;
  width: number;
  height: number;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; top: number };
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface PageRows {
  rows: ArrayLike<{ cells: ArrayLike<PageElement> }>;
}
interface PageTable extends PageElement {
  tHead: PageRows | null;
  tBodies: ArrayLike<PageRows>;
}
declare const document: { querySelectorAll(selector: string): ArrayLike<PageElement>; getElementById(id: string): PageTable | null };
declare const window: { scaleBench?: { charts: Record<string, ChartLike> } };

// On CI (.ci/run installs chromium) a missing browser must fail loudly, not skip the only real-browser test.
if (process.env.CI && !existsSync(CHROMIUM)) {
  throw new Error(`CI=${process.env.CI} but no Chromium at ${CHROMIUM}: .ci/run must install Debian's chromium`);
}

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-bench-browser-'));
    const f = makeFixture();
    const g = makeFixture({ runId: 'run-b', slowdown: 1.3 });
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml({ runs: [f], comparison: makeComparison(f, g) }));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1300, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => Object.keys(window.scaleBench?.charts ?? {}).length === 6);
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads offline: no console errors, no requests but the file itself', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
  });

  it('renders every chart onto a non-blank canvas', async () => {
    const painted = await page.evaluate(() =>
      Array.from(document.querySelectorAll('canvas')).map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return { id: c.id, painted: n, width: c.width };
      }),
    );
    expect(painted).toHaveLength(6);
    for (const c of painted) {
      expect(c.width).toBeGreaterThan(300);
      expect(c.painted).toBeGreaterThan(5000);
    }
  });

  it('shows a tooltip when hovering a data point', async () => {
    await page.locator('#chart-time-vs-size').scrollIntoViewIfNeeded();
    const target = await page.evaluate(() => {
      const chart = window.scaleBench!.charts['time-vs-size']!;
      const pt = chart.getDatasetMeta(0).data[1]!;
      const r = document.getElementById('chart-time-vs-size')!.getBoundingClientRect();
      return { x: r.left + pt.x, y: r.top + pt.y, points: chart.data.datasets[0]!.data.length };
    });
    expect(target.points).toBe(3);
    await page.mouse.move(target.x, target.y);
    await page.waitForFunction(() => window.scaleBench!.charts['time-vs-size']!.tooltip.getActiveElements().length > 0);
    const opacity = await page.evaluate(() => window.scaleBench!.charts['time-vs-size']!.tooltip.opacity);
    expect(opacity).toBeGreaterThan(0);
  });

  it('toggles an axis between log and linear', async () => {
    const button = page.locator('button[data-chart="time-vs-size"][data-axis="y"]');
    await expect.poll(() => button.textContent()).toBe('y axis: log');
    await button.click();
    expect(await page.evaluate(() => window.scaleBench!.charts['time-vs-size']!.scales.y!.type)).toBe('linear');
    expect(await button.textContent()).toBe('y axis: linear');
    expect(await button.getAttribute('aria-pressed')).toBe('false');
    await button.click();
    expect(await page.evaluate(() => window.scaleBench!.charts['time-vs-size']!.scales.y!.type)).toBe('logarithmic');
    const xLinear = page.locator('button[data-chart="speedup-vs-workers"][data-axis="x"]');
    await xLinear.click();
    expect(await page.evaluate(() => window.scaleBench!.charts['speedup-vs-workers']!.scales.x!.type)).toBe('logarithmic');
  });

  it('hides a series and its fitted line from a legend click', async () => {
    await page.locator('#figure-time-vs-size').scrollIntoViewIfNeeded();
    const box = await page.evaluate(() => {
      const chart = window.scaleBench!.charts['time-vs-size']!;
      const hit = chart.legend.legendHitBoxes[0]!;
      const r = document.getElementById('chart-time-vs-size')!.getBoundingClientRect();
      return { x: r.left + hit.left + hit.width / 2, y: r.top + hit.top + hit.height / 2 };
    });
    await page.mouse.click(box.x, box.y);
    // chart.js handles events on the next animation frame.
    const visible = () =>
      page.evaluate(() => {
        const chart = window.scaleBench!.charts['time-vs-size']!;
        return [0, 1, 2].map((i) => chart.isDatasetVisible(i));
      });
    // Dataset 0 is mlp-small at 1 worker, 1 its fit, 2 the next series.
    await expect.poll(visible).toEqual([false, false, true]);
    await page.mouse.click(box.x, box.y);
    await expect.poll(visible).toEqual([true, true, true]);
  });

  it('sorts a table by a clicked header, numbers numerically and n/a last', async () => {
    const column = async () =>
      page.evaluate(() => {
        const table = document.getElementById('cells-table')!;
        const col = Array.from(table.tHead!.rows[0]!.cells).findIndex((th) => th.textContent === 'median wall');
        return Array.from(table.tBodies[0]!.rows).map((r) => r.cells[col]!.getAttribute('data-sort'));
      });
    const header = page.locator('#cells-table th', { hasText: 'median wall' });
    await header.locator('button').click();
    const asc = await column();
    const nums = asc.filter((v) => v !== '').map(Number);
    expect(nums).toEqual([...nums].sort((a, b) => a - b));
    expect(asc[asc.length - 1]).toBe('');
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    await header.locator('button').click();
    const desc = await column();
    const dnums = desc.filter((v) => v !== '').map(Number);
    expect(dnums).toEqual([...dnums].sort((a, b) => b - a));
    expect(desc[desc.length - 1]).toBe('');
    expect(dnums[0]).toBeGreaterThan(1000); // the hostile model's 1.28 s cell
  });

  it('shows the hostile model name as text and runs nothing from it', async () => {
    expect(dialogs).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    const text = await page.locator('#cells-table').innerText();
    expect(text).toContain(HOSTILE_MODEL.slice(0, 20));
    const names = await page.locator('#cells-table .name').allTextContents();
    expect(names).toContain(HOSTILE_MODEL);
  });

  it('takes a screenshot', async () => {
    const shot = await page.screenshot({ fullPage: true });
    expect(shot.byteLength).toBeGreaterThan(50_000);
    if (process.env.SCALE_BENCH_SCREENSHOT) writeFileSync(process.env.SCALE_BENCH_SCREENSHOT, shot);
  });
});
