/**
 * The history store: records from a run (compact, validated), appends under a lock, de-duplication,
 * errors naming file and line, a torn last line, stale and held locks, and two processes appending at
 * once with records longer than PIPE_BUF.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeEnvironment, makeRunResult, TEST_MACHINE_ID } from './helpers/run-result.js';
import { analyse } from '../src/analyse/index.js';
import { historyRecords, runKey } from '../src/history/records.js';
import { appendRecords, historyFile, readHistory } from '../src/history/store.js';
import { historyRecordSchema, type HistoryRecord } from '../src/history/schema.js';
import { appendUnderLock, withFileLock } from '../src/results/write.js';
import type { RunResult } from '../src/results/schema.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sb-history-'));
}

/** A sweep like --quick's: 5 models x 3 sizes x 3 widths, with a real-looking run id and commit. */
function quickLikeRun(startedAt = '2026-01-01T00:00:00.000Z'): RunResult {
  const cells = [];
  const params: Record<string, number> = { linear: 11, logistic: 33, 'mlp-small': 2_000, 'mlp-deep': 40_000, 'cnn-small': 9_000 };
  for (const [model, count] of Object.entries(params)) {
    for (const size of [1000, 2000, 4000]) {
      for (const workers of [1, 2, 3]) {
        const wallMs = [1.1, 1.2, 1.3].map((t) => t * size * Math.sqrt(count) * (1 + 0.3 * (workers - 1)) * 1e-3);
        cells.push({ model, size, workers, wallMs, modelInfo: { params: count, trainFlopsPerSample: 6 * count } });
      }
    }
  }
  const result = makeRunResult(cells, { runId: '20260101-000000.000Z-ab12', environment: { gitCommit: 'f'.repeat(40) } });
  return { ...result, startedAt };
}

function records(result: RunResult, branch = 'main'): HistoryRecord[] {
  return historyRecords(result, analyse(result), { commit: result.environment.gitCommit ?? 'unknown', branch }).records;
}

describe('history records', () => {
  it('one per cell and per fitted law, each valid and at most 2 KB; a --quick-sized run is about 30 KB', () => {
    const result = quickLikeRun();
    const all = records(result);
    expect(all.filter((r) => r.kind === 'cell')).toHaveLength(45);
    expect(all.filter((r) => r.kind === 'size-law').length).toBeGreaterThan(0);
    expect(all.filter((r) => r.kind === 'width-law').length).toBeGreaterThan(0);
    expect(all.filter((r) => r.kind === 'complexity-law').length).toBeGreaterThan(0);
    for (const record of all) {
      expect(historyRecordSchema.parse(record)).toEqual(record);
      expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThanOrEqual(2048);
    }
    const bytes = all.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)) + 1, 0);
    expect(bytes).toBeLessThan(40_000);
    // No raw trials: a cell record holds medians and intervals only.
    expect(JSON.stringify(all[0])).not.toMatch(/trials":\[/);
  });

  it('carries the run identity; the run key is stable and differs when a run id repeats at another time', () => {
    const a = quickLikeRun('2026-01-01T00:00:00.000Z');
    const b = { ...a, startedAt: '2026-01-02T00:00:00.000Z' };
    expect(runKey(a)).toBe(runKey({ ...a }));
    expect(runKey(a)).not.toBe(runKey(b));
    const [first] = records(a, 'feature/x');
    expect(first).toMatchObject({ v: 1, run: runKey(a), runId: a.runId, date: a.startedAt, commit: 'f'.repeat(40), branch: 'feature/x', machine: a.environment.machineId, backend: a.environment.backend, runner: a.environment.runner });
  });

  it('a merged run of two machines: each cell under the machine that ran it, laws under the primary machine', async () => {
    const other = { ...makeEnvironment({ machineId: 'other-machine', backend: 'cpu' }) };
    const result = makeRunResult(
      [
        { model: 'linear', size: 1000 },
        { model: 'linear', size: 2000, machineId: 'other-machine' },
      ],
      { machines: { [TEST_MACHINE_ID]: makeEnvironment(), 'other-machine': other } },
    );
    const all = records(result);
    expect(all.filter((r) => r.kind === 'cell').map((r) => [r.machine, r.backend])).toEqual([
      [TEST_MACHINE_ID, makeEnvironment().backend],
      ['other-machine', 'cpu'],
    ]);
    expect(all.filter((r) => r.kind !== 'cell').every((r) => r.machine === TEST_MACHINE_ID)).toBe(true);
    const dir = tempDir();
    const outcome = await appendRecords(dir, all);
    expect(outcome.files.map((f) => f.split('/').slice(-2).join('/')).sort()).toEqual(['main/other-machine.jsonl', `main/${TEST_MACHINE_ID}.jsonl`]);
  });

  it('leaves out cells without an ok repetition, and says so', () => {
    const result = makeRunResult([
      { model: 'linear', size: 1000 },
      { model: 'linear', size: 2000, trialOverrides: [0, 1, 2, 3, 4, 5].map(() => ({ state: 'errored' as const, error: 'boom' })) },
    ]);
    const outcome = historyRecords(result, analyse(result), { commit: 'c', branch: 'main' });
    expect(outcome.skippedCells).toEqual([result.cells[1]!.cell.id]);
    expect(outcome.records.filter((r) => r.kind === 'cell')).toHaveLength(1);
  });
});

describe('history store', () => {
  it('appends to <dir>/<branch>/<machine>.jsonl and reads back every record', async () => {
    const dir = tempDir();
    const result = quickLikeRun();
    const all = records(result, 'feature/a b');
    const outcome = await appendRecords(dir, all);
    expect(outcome).toEqual({ added: all.length, duplicates: 0, files: [historyFile(dir, 'feature/a b', result.environment.machineId)] });
    expect(outcome.files[0]).toBe(join(dir, 'feature_a_b', `${result.environment.machineId}.jsonl`));
    const read = await readHistory(dir);
    expect(read.records.map((r) => r.record)).toEqual(all);
    expect(read.records[2]).toMatchObject({ line: 3 });
  });

  it('adding the same run twice stores it once; concatenated copies are read once and counted', async () => {
    const dir = tempDir();
    const all = records(quickLikeRun());
    await appendRecords(dir, all);
    expect(await appendRecords(dir, all)).toMatchObject({ added: 0, duplicates: all.length });
    const file = historyFile(dir, 'main', all[0]!.machine);
    // Merging two stores by concatenation, e.g. a restored cache onto a checkout of the history branch.
    appendFileSync(file, readFileSync(file));
    const read = await readHistory(dir);
    expect(read.records).toHaveLength(all.length);
    expect(read.duplicates).toBe(all.length);
  });

  it('a bad line is an error naming the file, the line and the field, never skipped', async () => {
    const dir = tempDir();
    const all = records(quickLikeRun()).slice(0, 3);
    await appendRecords(dir, all);
    const file = historyFile(dir, 'main', all[0]!.machine);
    const good = readFileSync(file, 'utf8');
    const cases: Array<[string, RegExp]> = [
      ['{"v":1,"kind":"cell"', /:4: is not JSON/],
      [JSON.stringify({ ...all[0], wallMs: ['fast', null, null] }), /:4: field wallMs\.0: /],
      [JSON.stringify({ ...all[0], kind: 'mystery' }), /:4: field kind: "mystery" is not one of cell, size-law/],
      [JSON.stringify({ ...all[0], v: 2 }), /:4: has record version 2; .*newer scale-bench/],
      ['[1,2]', /:4: is not a history record/],
    ];
    for (const [line, message] of cases) {
      writeFileSync(file, `${good}${line}\n`);
      await expect(readHistory(dir)).rejects.toThrow(message);
      await expect(readHistory(dir)).rejects.toThrow(file.split('/').pop()!);
    }
    await expect(readHistory(join(dir, 'nope'))).rejects.toThrow(/no history here/);
  });

  it('a line cut off by an interrupted write is reported; the next append starts on a fresh line', async () => {
    const dir = tempDir();
    const all = records(quickLikeRun());
    await appendRecords(dir, all.slice(0, 2));
    const file = historyFile(dir, 'main', all[0]!.machine);
    appendFileSync(file, JSON.stringify(all[2]).slice(0, 40));
    await expect(readHistory(dir)).rejects.toThrow(/:3: is cut off \(the last line has no newline: a write was interrupted\)/);
    await appendRecords(dir, all.slice(3, 5));
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[2]).toBe(JSON.stringify(all[2]).slice(0, 40));
    expect(JSON.parse(lines[3]!)).toEqual(all[3]);
    await expect(readHistory(dir)).rejects.toThrow(/:3: is not JSON/);
  });
});

describe('file lock', () => {
  it('breaks a lock left by a process that is gone', async () => {
    const dir = tempDir();
    const file = join(dir, 'h.jsonl');
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: Date.now(), token: 'dead' }));
    await appendUnderLock(file, () => 'a\n', { timeoutMs: 2000 });
    expect(readFileSync(file, 'utf8')).toBe('a\n');
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('waits for a live holder, then gives up naming the lock file and its holder', async () => {
    const dir = tempDir();
    const file = join(dir, 'h.jsonl');
    let release!: () => void;
    const held = withFileLock(file, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setTimeout(r, 50));
    await expect(appendUnderLock(file, () => 'b\n', { timeoutMs: 300 })).rejects.toThrow(new RegExp(`still locked after 0 s by process ${process.pid} .*h\\.jsonl\\.lock`));
    const waiting = appendUnderLock(file, () => 'c\n', { timeoutMs: 5000 });
    release();
    await held;
    await waiting;
    expect(readFileSync(file, 'utf8')).toBe('c\n');
  });
});

/** A child process that appends `count` records of about 6 KB (beyond PIPE_BUF) through appendUnderLock. */
function appender(file: string, writer: string, count: number, dedupe: boolean): Promise<number | null> {
  const module = pathToFileURL(join(process.cwd(), 'dist/results/write.js')).href;
  const script = `
    const { appendUnderLock } = await import(${JSON.stringify(module)});
    for (let i = 0; i < ${count}; i++) {
      const line = JSON.stringify({ writer: ${JSON.stringify(writer)}, i, pad: 'x'.repeat(6000) }) + '\\n';
      await appendUnderLock(${JSON.stringify(file)}, (current) => ${dedupe} && current.includes('"i":' + i + ',') ? null : line);
    }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

describe('two processes appending at once', () => {
  it('lose no record and tear none (records of 6 KB, beyond the 4 KB PIPE_BUF)', async () => {
    const file = join(tempDir(), 'shared.jsonl');
    expect(await Promise.all([appender(file, 'a', 150, false), appender(file, 'b', 150, false)])).toEqual([0, 0]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(300);
    const parsed = lines.map((line) => JSON.parse(line) as { writer: string; i: number; pad: string });
    for (const writer of ['a', 'b']) expect(parsed.filter((p) => p.writer === writer).map((p) => p.i)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(parsed.every((p) => p.pad.length === 6000)).toBe(true);
    expect(readdirSync(join(file, '..'))).toEqual(['shared.jsonl']);
  });

  it('decide under the lock: the same records added by both are stored once', async () => {
    const file = join(tempDir(), 'shared.jsonl');
    await Promise.all([appender(file, 'a', 100, true), appender(file, 'b', 100, true)]);
    const indices = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => (JSON.parse(line) as { i: number }).i);
    expect(indices.sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
