#!/usr/bin/env node
/**
 * Writes assets/report.png, the README's screenshot: report.html of a saved run, opened in headless
 * Chromium at 1280x800 (the first screen: the Findings and the top of the charts).
 *
 *   npm run docs:screenshot -- reports/<run-id>/results.json [out.png] [--full]
 *
 * Without a results file it takes the newest reports/<run-id>/results.json. Needs `npm run build` and
 * Debian's chromium (or CHROMIUM_PATH). --full captures the whole page instead of the first screen.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { readRunResult } from '../dist/results/file.js';
import { buildReportInput } from '../dist/report/index.js';
import { renderHtml } from '../dist/report/html.js';

const args = process.argv.slice(2);
const full = args.includes('--full');
const [resultsArg, outArg] = args.filter((a) => a !== '--full');

function newestResults() {
  const dir = resolve('reports');
  const runs = existsSync(dir)
    ? readdirSync(dir)
        .map((name) => join(dir, name, 'results.json'))
        .filter((path) => existsSync(path))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  if (runs.length === 0) throw new Error('no reports/<run-id>/results.json: run `npx scale-bench run` first, or pass a results file');
  return runs[0];
}

const resultsFile = resolve(resultsArg ?? newestResults());
const out = resolve(outArg ?? join('assets', 'report.png'));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM_PATH`);

const dir = mkdtempSync(join(tmpdir(), 'scale-bench-shot-'));
try {
  const page = join(dir, 'report.html');
  writeFileSync(page, renderHtml(buildReportInput([await readRunResult(resultsFile)])));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const tab = context.pages()[0] ?? (await context.newPage());
    await tab.goto(pathToFileURL(page).href);
    await tab.waitForFunction(() => Object.keys(window.scaleBench?.charts ?? {}).length > 0);
    writeFileSync(out, await tab.screenshot({ fullPage: full }));
  } finally {
    await context.close();
  }
  console.log(`wrote ${out} from ${resultsFile}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
