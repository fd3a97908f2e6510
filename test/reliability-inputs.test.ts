/**
 * Issue 20, hostile input: numbers no model can train on, a results file no chart can draw,
 * names that would drive a terminal or a spreadsheet, files that are not UTF-8, and the minor
 * items (merge onto its own input, 11 workers, exponent notation). Each test failed before its fix.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { runCli } from './helpers/cli.js';
import { readRunResult } from '../src/results/file.js';
import type { RunResult } from '../src/results/schema.js';
import { utf8Guard } from '../src/data/utf8.js';
import { formatBytes, formatCount, formatMs, formatNumber, formatPercent } from '../src/config/format.js';
import { fmtFixed, fmtNumber } from '../src/report/text.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sb-inputs-'));
}

const ESCAPES = /[\u001b\u0007\u009b]/;
const EXPONENT = /\d[eE][+-]?\d/;

function regressionCsv(extra: string[]): string {
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 11},${(i * 1.5 + 2).toFixed(2)}`);
  return ['a,b,y', ...rows, ...extra].join('\n');
}

describe('numbers no model can train on (issue 20.4)', () => {
  for (const [where, extra, line, column] of [
    ['a target of 1e309 (Infinity in JavaScript)', '5,6,1e309', 42, 'target "y" holds "1e309"'],
    ['an input of -1e39 (beyond float32)', '7,-1e39,8.5', 42, 'column "b" holds "-1e39"'],
  ] as const) {
    it(`${where} is a bad value naming the line and column (exit 2), or a skipped row with --on-bad-row skip`, async () => {
      const dir = tempDir();
      const file = join(dir, 'data.csv');
      writeFileSync(file, regressionCsv([extra]));
      const failed = await runCli(['run', '--runner', 'fake', '--data', file, '--target', 'y', '--out', dir, '--quiet']);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain(`line ${line}: ${column}, a number too large to train on (tensors are float32: at most ±3.4×10^38)`);
      expect(failed.stderr).toMatch(/--on-bad-row skip/);
      const skipped = await runCli(['run', '--runner', 'fake', '--data', file, '--target', 'y', '--on-bad-row', 'skip', '--out', dir, '--report', 'json']);
      expect(skipped.code).toBe(0);
      expect(skipped.stderr).toMatch(new RegExp(`skipped 1 of 41 rows .*lines ${line}\\)`));
    });
  }

  it('a JSON number that parses as Infinity is a bad value too, not a missing one', async () => {
    const dir = tempDir();
    const file = join(dir, 'data.json');
    writeFileSync(file, `[${Array.from({ length: 30 }, (_, i) => `{"a": ${i}, "y": ${i}.25}`).join(',\n')},\n{"a": 1e309, "y": 3.5}]`);
    const { code, stderr } = await runCli(['run', '--runner', 'fake', '--data', file, '--target', 'y', '--out', dir, '--quiet']);
    expect(code).toBe(2);
    expect(stderr).toContain('record 31: column "a" holds a number beyond ±1.8×10^308, a number too large to train on');
  });
});

/** A saved run whose numbers are finite (so the file is valid) but absurd: what a diverged model or a doctored file holds. */
async function absurdResults(dir: string): Promise<string> {
  const run = await runCli(['run', '--runner', 'fake', '--models', 'linear,logistic', '--sizes', '1k,2k,4k', '--workers', '1,2', '--run-id', 'src', '--out', dir, '--report', 'json', '--quiet']);
  expect(run.code).toBe(0);
  const result = JSON.parse(readFileSync(join(dir, 'src', 'results.json'), 'utf8')) as RunResult;
  result.cells.forEach((cell, index) => {
    for (const trial of cell.trials) {
      if (cell.cell.model === 'linear') {
        trial.quality.value = -Number.MAX_VALUE;
        trial.finalLoss = Number.MAX_VALUE;
      }
      if (index === 3) Object.assign(trial, { wallMs: 1.7e308, peakRssBytes: 1.7e308, samplesPerSec: 1e308, cpuMs: 1e308 });
      if (index === 4) Object.assign(trial, { wallMs: 1e-300, samplesPerSec: 5e-324 });
    }
  });
  const file = join(dir, 'absurd.json');
  writeFileSync(file, JSON.stringify(result));
  await readRunResult(file);
  return file;
}

/** Every chart.js data point in the HTML report's embedded chart configurations. */
function chartPoints(html: string): Array<{ x: number; y: number }> {
  const json = /<script type="application\/json"[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1];
  expect(json).toBeDefined();
  const points: Array<{ x: number; y: number }> = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.datasets)) for (const set of record.datasets as Array<{ data?: Array<{ x: number; y: number }> }>) points.push(...(set.data ?? []));
    Object.values(record).forEach(walk);
  };
  walk(JSON.parse(json!));
  return points;
}

describe('every reporter on a results file of absurd values (issue 20.4)', () => {
  const LIMITED = { NODE_OPTIONS: '--max-old-space-size=400' };
  for (const format of ['json', 'csv', 'markdown', 'html', 'png'] as const) {
    it(`${format}: finishes in bounded time and memory, with no NaN, Infinity or exponent notation on the terminal`, async () => {
      const dir = tempDir();
      const file = await absurdResults(dir);
      const out = join(dir, `out-${format}`);
      const started = Date.now();
      const { code, stdout, stderr } = await runCli(['report', file, '--report', format, '--out', out], { env: LIMITED, timeoutMs: 60_000 });
      expect(code, stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(readdirSync(out).length).toBeGreaterThan(0);
      // The terminal reporter runs for every `report` call.
      expect(stdout).not.toMatch(/NaN|Infinity|undefined/);
      expect(stdout).not.toMatch(EXPONENT);
      expect(stdout).toMatch(/R² -1\.8×10\^308/);
      if (format === 'png') for (const chart of readdirSync(join(out, 'charts'))) expect(readFileSync(join(out, 'charts', chart)).subarray(1, 4).toString()).toBe('PNG');
      if (format === 'html') {
        const points = chartPoints(readFileSync(join(out, 'report.html'), 'utf8'));
        expect(points.length).toBeGreaterThan(0);
        for (const { x, y } of points) for (const v of [x, y]) expect(Math.abs(v) <= 1e15 && (v === 0 || Math.abs(v) >= 1e-15), String(v)).toBe(true);
      }
      if (format === 'csv' || format === 'markdown') {
        const text = readFileSync(join(out, format === 'csv' ? 'cells.csv' : 'summary.md'), 'utf8');
        expect(text).not.toMatch(/NaN|Infinity/);
      }
    });
  }
});

describe('names and bytes from user files (issue 20.8)', () => {
  it('labels with terminal escapes reach neither stdout nor stderr raw; a =HYPERLINK file name is text in cells.csv', async () => {
    const dir = tempDir();
    const file = join(dir, '=HYPERLINK("evil.example","x").csv');
    const labels = ['cat\u001b[2J', 'dog\u001b]0;pwned\u0007', 'fox\u009b31m'];
    writeFileSync(file, ['a,b,label', ...Array.from({ length: 60 }, (_, i) => `${i},${i % 7},${labels[i % 3]}`)].join('\n'));
    const { code, stdout, stderr } = await runCli(['run', '--runner', 'fake', '--data', file, '--target', 'label', '--models', 'logistic', '--out', dir, '--run-id', 'r', '--report', 'csv,json']);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/3 classes \(cat\?\[2J, dog\?\]0;pwned\?, fox\?31m\)/);
    expect(stdout + stderr).not.toMatch(ESCAPES);
    const rows = parse(readFileSync(join(dir, 'r', 'cells.csv'), 'utf8'), { columns: true, comment: '#' }) as Array<Record<string, string>>;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.dataset).toBe(`'=HYPERLINK("evil.example","x").csv`);
      for (const value of Object.values(row)) expect(value, value).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('an error message with escapes from a hostile results file is printed without them', async () => {
    const dir = tempDir();
    const file = join(dir, 'evil\u001b[2J.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, runId: 'x\u001b]0;t\u0007' }));
    const { code, stderr } = await runCli(['report', file]);
    expect(code).toBe(2);
    expect(stderr).not.toMatch(ESCAPES);
    expect(stderr).toMatch(/evil\?\[2J\.json: is not a valid scale-bench results file/);
  });

  for (const [format, body, line] of [
    ['csv', Buffer.concat([Buffer.from('x,label\n1,a\n2,caf'), Buffer.from([0xe9]), Buffer.from('\n3,caf'), Buffer.from([0xe8]), Buffer.from('\n')]), 3],
    ['ndjson', Buffer.concat([Buffer.from('{"x":1,"label":"a"}\n{"x":2,"label":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]), 2],
    ['json', Buffer.concat([Buffer.from('[{"x":1,"label":"a"},\n{"x":2,"label":"caf'), Buffer.from([0xe9]), Buffer.from('"}]')]), 2],
  ] as const) {
    it(`a Latin-1 ${format} file is refused naming the line, instead of merging café and cafè into one class`, async () => {
      const dir = tempDir();
      const file = join(dir, `labels.${format}`);
      writeFileSync(file, body);
      const { code, stderr } = await runCli(['run', '--runner', 'fake', '--data', file, '--target', 'label', '--out', dir, '--quiet']);
      expect(code).toBe(2);
      expect(stderr).toContain(`labels.${format}: line ${line} is not valid UTF-8 (byte 0xE9)`);
      expect(stderr).toMatch(/iconv -f latin1 -t utf-8/);
    });
  }

  it('the UTF-8 check follows characters and lines across chunk boundaries', async () => {
    const text = Buffer.from('α,β\n€,😀\nok,ok\n');
    const drain = (chunks: Buffer[]) =>
      new Promise<string>((resolve, reject) => {
        const parts: Buffer[] = [];
        Readable.from(chunks)
          .pipe(utf8Guard('f.csv'))
          .on('data', (chunk: Buffer) => parts.push(chunk))
          .on('end', () => resolve(Buffer.concat(parts).toString('utf8')))
          .on('error', reject);
      });
    // Every split point, one byte at a time included: valid text passes through unchanged.
    for (let cut = 1; cut < text.length; cut++) expect(await drain([text.subarray(0, cut), text.subarray(cut)])).toBe(text.toString('utf8'));
    expect(await drain([...text].map((byte) => Buffer.from([byte])))).toBe(text.toString('utf8'));
    const bad = Buffer.concat([text, Buffer.from([0xf0, 0x9f])]);
    await expect(drain([bad])).rejects.toThrow(/f\.csv: line 4 is not valid UTF-8 \(byte 0xF0\)/);
    const badMiddle = Buffer.concat([Buffer.from('a\nb\n'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    for (let cut = 1; cut < badMiddle.length; cut++) {
      await expect(drain([badMiddle.subarray(0, cut), badMiddle.subarray(cut)])).rejects.toThrow(/line 3 is not valid UTF-8 \(byte 0xC3\)/);
    }
  });
});

describe('minor (issue 20.10)', () => {
  it('merge -o <one of its inputs> is refused, and the input is untouched', async () => {
    const dir = tempDir();
    for (const shard of ['1/2', '2/2']) {
      expect((await runCli(['run', '--runner', 'fake', '--quick', '--shard', shard, '--run-id', 'm', '--out', dir, '--report', 'json', '--quiet'])).code).toBe(0);
    }
    const first = join(dir, 'm-shard1of2', 'results.json');
    const before = readFileSync(first, 'utf8');
    const { code, stderr } = await runCli(['merge', first, join(dir, 'm-shard2of2', 'results.json'), '-o', join(dir, 'm-shard1of2', '.', 'results.json')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--output: .* is one of the inputs .*; merging into it would overwrite that shard's results/);
    expect(readFileSync(first, 'utf8')).toBe(before);
  });

  it('11 workers run without a MaxListenersExceededWarning', async () => {
    const dir = tempDir();
    const { code, stderr } = await runCli(['run', '--models', 'linear', '--sizes', '100', '--workers', '11', '--repeats', '1', '--warmup', '0', '--report', 'json', '--quiet', '--out', dir]);
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/MaxListenersExceeded|memory leak/);
  });

  it('terminal numbers never print in exponent notation, from the memory preflight to the formatters', async () => {
    const preflight = await runCli(['run', '--models', 'mlp-deep', '--sizes', '50m', '--workers', '256', '--out', tempDir()]);
    expect(preflight.code).toBe(2);
    expect(preflight.stderr).toMatch(/needs about [\d.]+ (GiB|TiB)/);
    expect(preflight.stderr).not.toMatch(EXPONENT);
    for (const value of [1e-9, 3.2e-7, 1.5e12 * 2 ** 30, 1e21, 5e300, -Number.MAX_VALUE]) {
      for (const text of [formatBytes(value), formatCount(value), formatMs(value), formatNumber(value), formatPercent(value), fmtFixed(value, 2), fmtNumber(value)]) {
        expect(text, `${value}: ${text}`).not.toMatch(EXPONENT);
      }
    }
    expect(formatMs(-Number.MAX_VALUE)).toBe('-3×10^303 min');
    expect(fmtNumber(1.23e-9)).toBe('1.23×10^-9');
  });

  it('no exponent in the run summary either, where replica differences printed with toExponential ("0.0e+0")', async () => {
    const dir = tempDir();
    const { code, stdout } = await runCli(['run', '--mode', 'data-parallel', '--models', 'linear', '--sizes', '200', '--workers', '1,2', '--repeats', '1', '--out', dir, '--report', 'json', '--details']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/replicas differ by at most \d/);
    expect(stdout).not.toMatch(EXPONENT);
  });
});
