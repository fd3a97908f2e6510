/**
 * The "what if" panel of report.html in real headless Chromium: its sliders run the same
 * prediction code as `scale-bench predict`, so the numbers on the page must equal the Node
 * evaluator's at the same (n, w), with no CSP violation or console error; warnings follow the
 * width slider, and a hostile model name stays inert text. Skipped where no Chromium is installed.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/report/html.js';
import { whatIfData } from '../src/report/html/what-if.js';
import { evaluator } from '../src/predict/evaluator.js';
import { analyse } from '../src/analyse/index.js';
import { SIZE_METRIC_LABEL } from '../src/report/text.js';
import type { RunResult } from '../src/results/schema.js';
import { CHROMIUM, launchChromium } from './helpers/browser.js';
import { HOSTILE_MODEL, makeFixture } from './helpers/analysis-fixture.js';

if (process.env.CI && !existsSync(CHROMIUM)) {
  throw new Error(`CI=${process.env.CI} but no Chromium at ${CHROMIUM}: .ci/run must install Debian's chromium`);
}

interface PanelReading {
  size: number;
  workers: number;
  wall: { estimate: string; low: string; high: string; text: string };
  memory: string;
  memoryTitle: string;
  memoryMetric: string;
  warnings: string[];
  law: string;
}

declare const document: {
  getElementById(id: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
};

/** Equal up to the last bits: Node's and Chromium's V8 may round Math.exp/log differently in the 16th digit. */
function same(actual: string | number, expected: number | null | undefined): void {
  expect(expected).not.toBeNull();
  expect(Math.abs(Number(actual) - expected!)).toBeLessThanOrEqual(1e-12 * Math.abs(expected!));
}

async function read(page: Page): Promise<PanelReading> {
  return page.evaluate(() => {
    const attr = (id: string, name: string) => document.getElementById(id)?.getAttribute(name) ?? '';
    return {
      size: Number(attr('what-if', 'data-size')),
      workers: Number(attr('what-if', 'data-workers')),
      wall: { estimate: attr('what-if-wall', 'data-estimate'), low: attr('what-if-wall', 'data-low'), high: attr('what-if-wall', 'data-high'), text: document.getElementById('what-if-wall')?.textContent ?? '' },
      memory: attr('what-if-memory', 'data-estimate'),
      memoryTitle: document.getElementById('what-if-memory-title')?.textContent ?? '',
      memoryMetric: attr('what-if-memory', 'data-metric'),
      warnings: Array.from(document.querySelectorAll('#what-if-warnings li')).map((li) => li.textContent ?? ''),
      law: document.getElementById('what-if-law')?.textContent ?? '',
    };
  });
}

describe.skipIf(!existsSync(CHROMIUM))('report.html what-if panel in headless Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const fixture = makeFixture();
  const data = whatIfData({ runs: [fixture] })!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-bench-what-if-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml({ runs: [fixture] }));
    ({ context, page } = await launchChromium(dir));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => (document.getElementById('what-if')?.getAttribute('data-size') ?? '') !== '');
  });

  afterAll(async () => {
    await context?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs under the page CSP without errors', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('shows exactly what the Node evaluator predicts at the sliders’ (n, w)', async () => {
    const panel = await read(page);
    const model = data.models[0]!;
    const expected = evaluator.predict(model, panel.size, panel.workers, data.table);
    expect(panel.workers).toBe(Math.max(...model.widths));
    same(panel.wall.estimate, expected.wallMs!.estimate);
    same(panel.wall.low, expected.wallMs!.low);
    same(panel.wall.high, expected.wallMs!.high);
    same(panel.memory, expected.memoryBytes!.estimate);
    // The fixture predates cellMemoryBytes: the panel says it shows the process peak RSS, and warns.
    expect(expected.memoryMetric).toBe('peakRssBytes');
    expect(panel.memoryMetric).toBe('peakRssBytes');
    expect(panel.memoryTitle).toBe(SIZE_METRIC_LABEL.peakRssBytes);
    expect(panel.law).toContain(`memory: ${SIZE_METRIC_LABEL.peakRssBytes} `);
    expect(panel.law).toBe(`${panel.law.split('; memory: ')[0]}; memory: ${expected.memoryLaw}`);
    expect(panel.warnings.some((w) => w.includes('predate cellMemoryBytes'))).toBe(true);
    expect(panel.wall.text).toMatch(/^\S+ (ms|s|µs|min|h) \[\S+ (ms|s|µs|min|h), \S+ (ms|s|µs|min|h)\]$/);
    expect(panel.law).toContain('t ∝ n^');
  });

  it('follows the width slider, combining the laws and warning beyond 2x the widest width', async () => {
    const model = data.models[0]!;
    const widest = Math.max(...model.widths);
    await page.locator('#what-if-workers').fill(String(widest * 3));
    const panel = await read(page);
    expect(panel.workers).toBe(widest * 3);
    const expected = evaluator.predict(model, panel.size, panel.workers, data.table);
    same(panel.wall.estimate, expected.wallMs!.estimate);
    expect(panel.law).toMatch(/S\(\d+\)/);
    expect(panel.warnings.some((w) => w.includes(`the widest measured width (${widest})`))).toBe(true);
    expect(panel.warnings.some((w) => w.includes('cores'))).toBe(true);
  });

  it('follows the size slider on a log scale', async () => {
    const before = await read(page);
    await page.locator('#what-if-size').fill('1000');
    const after = await read(page);
    expect(after.size).toBeGreaterThan(before.size);
    expect(after.size).toBeCloseTo(Math.max(...data.models[0]!.sizes) * data.limits.warnSize, -2);
    expect(Number(after.wall.estimate)).toBeGreaterThan(Number(before.wall.estimate));
    same(after.wall.estimate, evaluator.predict(data.models[0]!, after.size, after.workers, data.table).wallMs!.estimate);
  });

  it('labels the memory as the cell memory for results that have it, and shows the Node evaluator’s value', async () => {
    const legacy = makeFixture();
    // The same run with what issue 17 measures: the table once plus every worker's tensors, linear in n.
    const result: RunResult = {
      ...legacy.result,
      cells: legacy.result.cells.map((c) => ({ ...c, trials: c.trials.map((t) => ({ ...t, cellMemoryBytes: c.cell.size * 100 + c.cell.workers * c.cell.size * 80 })) })),
    };
    const input = { runs: [{ result, analysis: analyse(result) }] };
    const withCell = whatIfData(input)!;
    expect(withCell.models.every((m) => m.memoryMetric === 'cellMemoryBytes')).toBe(true);
    const file = join(dir, 'cell-memory.html');
    writeFileSync(file, renderHtml(input));
    const second = await context.newPage();
    const errors: string[] = [];
    second.on('pageerror', (e) => errors.push(e.message));
    try {
      await second.goto(pathToFileURL(file).href);
      await second.waitForFunction(() => (document.getElementById('what-if')?.getAttribute('data-size') ?? '') !== '');
      const panel = await read(second);
      const expected = evaluator.predict(withCell.models[0]!, panel.size, panel.workers, withCell.table);
      expect(panel.memoryMetric).toBe('cellMemoryBytes');
      expect(panel.memoryTitle).toBe(SIZE_METRIC_LABEL.cellMemoryBytes);
      same(panel.memory, expected.memoryBytes!.estimate);
      expect(panel.law).toContain(`memory: ${SIZE_METRIC_LABEL.cellMemoryBytes} `);
      expect(panel.law.endsWith(`; memory: ${expected.memoryLaw}`)).toBe(true);
      expect(panel.warnings.some((w) => w.includes('peak RSS'))).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('switches models, and a hostile model name is inert text', async () => {
    const index = data.models.findIndex((m) => m.model === HOSTILE_MODEL);
    expect(index).toBeGreaterThan(0);
    await page.locator('#what-if-model').selectOption(String(index));
    const panel = await read(page);
    const expected = evaluator.predict(data.models[index]!, panel.size, panel.workers, data.table);
    same(panel.wall.estimate, expected.wallMs!.estimate);
    expect(await page.locator('#what-if-model option').nth(index).textContent()).toContain(HOSTILE_MODEL);
    expect(consoleErrors).toEqual([]);
  });
});
