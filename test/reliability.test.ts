/**
 * Faults a long sweep must survive: each row of the fault tables in docs/reliability.md that names this file has a test here.
 * Real-runner tests use tiny sizes so a cell takes milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli } from './helpers/cli.js';
import { parseRunResult, readRunResult } from '../src/results/file.js';
import type { RunResult } from '../src/results/schema.js';

function tempOut(): string {
  return mkdtempSync(join(tmpdir(), 'sb-rel-'));
}

function onlyRun(out: string): string {
  const runs = readdirSync(out);
  expect(runs).toHaveLength(1);
  return join(out, runs[0]!);
}

const TINY = ['--models', 'linear', '--sizes', '200,400', '--workers', '1,2', '--repeats', '2', '--report', 'json'];
const FAULTY_CELL = 'linear|regression|n=200|w=2';

function statesById(result: RunResult): Record<string, string[]> {
  return Object.fromEntries(result.cells.map((cell) => [cell.cell.id, cell.trials.map((trial) => trial.state)]));
}

describe('faults in a cell (real tfjs runner)', () => {
  for (const [fault, state, reason] of [
    ['throw', 'errored', /injected failure/],
    ['exit', 'errored', /worker exited/],
    ['hang', 'timeout', /--cell-timeout/],
  ] as const) {
    it(`a cell that ${fault === 'exit' ? 'kills its worker' : fault + 's'} is recorded as ${state}, and the sweep goes on`, async () => {
      const out = tempOut();
      const { code, stderr } = await runCli(['run', ...TINY, '--cell-timeout', '3', '--out', out], {
        env: { SCALE_BENCH_FAULTS: JSON.stringify({ [fault]: [FAULTY_CELL] }) },
      });
      expect(code).toBe(3);
      expect(stderr).toMatch(/✗ linear regression n=200 w=2/);
      const result = await readRunResult(join(onlyRun(out), 'results.json'));
      expect(result.complete).toBe(false);
      const states = statesById(result);
      expect(states[`${FAULTY_CELL}|job-parallel`]).toEqual([state]);
      const failed = result.cells.find((cell) => cell.cell.id.startsWith(FAULTY_CELL))!;
      expect(failed.trials[0]!.error).toMatch(reason);
      // Every other cell, including those after the fault on replaced workers, finished.
      for (const [id, list] of Object.entries(states)) if (!id.startsWith(FAULTY_CELL)) expect(list, id).toEqual(['ok', 'ok']);
    });
  }
});

function spawnRun(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, done, stderr: () => stderr };
}

describe('interruption', () => {
  const SWEEP = ['run', '--runner', 'fake', '--models', 'linear,logistic', '--sizes', '1k,2k,4k', '--workers', '1,2', '--repeats', '3', '--report', 'json', '--quiet'];
  const SLOW = { SCALE_BENCH_FAKE: JSON.stringify({ delayMs: 150 }) };

  it('SIGINT mid-sweep leaves a valid results file, and --resume completes it equal to an uninterrupted run', async () => {
    const out = tempOut();
    const run = spawnRun([...SWEEP, '--out', out], SLOW);
    // Wait until a few cells are saved, then interrupt.
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        try {
          const dir = readdirSync(out)[0];
          if (dir) {
            const saved = JSON.parse(readFileSync(join(out, dir, 'results.json'), 'utf8')) as RunResult;
            if (saved.cells.length >= 3) {
              clearInterval(poll);
              run.child.kill('SIGINT');
              resolve();
            }
          }
        } catch {
          // Not written yet.
        }
        if (Date.now() - started > 30_000) {
          clearInterval(poll);
          reject(new Error('run never saved 3 cells'));
        }
      }, 20);
    });
    expect(await run.done).toBe(130);
    const runDir = onlyRun(out);
    const interrupted = await readRunResult(join(runDir, 'results.json'));
    expect(interrupted.complete).toBe(false);
    expect(interrupted.cells.length).toBeGreaterThanOrEqual(3);
    expect(interrupted.cells.length).toBeLessThan(12);

    const resumed = await runCli(['run', '--runner', 'fake', '--resume', runDir.split('/').pop()!, '--out', out, '--report', 'json', '--quiet']);
    expect(resumed.code).toBe(0);
    const final = await readRunResult(join(runDir, 'results.json'));
    expect(final.complete).toBe(true);

    const reference = tempOut();
    expect((await runCli([...SWEEP, '--out', reference])).code).toBe(0);
    const uninterrupted = await readRunResult(join(onlyRun(reference), 'results.json'));
    expect(final.cells).toEqual(uninterrupted.cells);
  });

  it('SIGKILL at any moment leaves either no results file or a complete, valid one', async () => {
    const out = tempOut();
    const run = spawnRun([...SWEEP, '--out', out], { SCALE_BENCH_FAKE: JSON.stringify({ delayMs: 40 }) });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    run.child.kill('SIGKILL');
    await run.done;
    const dir = readdirSync(out)[0];
    expect(dir).toBeDefined();
    const files = readdirSync(join(out, dir!));
    expect(files.filter((file) => file.endsWith('.tmp')).length).toBeLessThanOrEqual(1);
    const saved = parseRunResult(JSON.parse(readFileSync(join(out, dir!, 'results.json'), 'utf8')), 'results.json');
    expect(saved.cells.length).toBeGreaterThan(0);
  });
});

describe('bad files and impossible plans', () => {
  it('a corrupt or truncated results file is refused with the file named (exit 2)', async () => {
    const dir = tempOut();
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, '{"schemaVersion": 1, "cells": [');
    const wrongVersion = join(dir, 'old.json');
    writeFileSync(wrongVersion, JSON.stringify({ schemaVersion: 0, cells: [] }));
    const wrongShape = join(dir, 'shape.json');
    writeFileSync(wrongShape, JSON.stringify({ schemaVersion: 1, cells: 'x' }));
    for (const [file, message] of [
      [truncated, /truncated\.json: is not valid JSON/],
      [wrongVersion, /old\.json: has schemaVersion 0, but this scale-bench .* reads only version 1/],
      [wrongShape, /shape\.json: is not a valid scale-bench results file: field/],
    ] as const) {
      const { code, stderr } = await runCli(['report', file]);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--resume of an unknown run or a corrupt results file exits 2', async () => {
    const out = tempOut();
    const missing = await runCli(['run', '--runner', 'fake', '--resume', 'nope', '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--resume: no results for run "nope"/);
    mkdirSync(join(out, 'broken-run'));
    writeFileSync(join(out, 'broken-run', 'results.json'), '{"schemaVersion": 1, "runId": "broken-run", "cel');
    const corrupt = await runCli(['run', '--runner', 'fake', '--resume', 'broken-run', '--out', out]);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toMatch(/broken-run[\\/]results\.json: is not valid JSON/);
  });

  it('the memory preflight refuses a sweep that cannot fit, before training anything', async () => {
    const out = tempOut();
    const { code, stderr } = await runCli(['run', '--models', 'mlp-deep', '--sizes', '50m', '--workers', '1,2,3', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/not enough memory: the largest cell \(mlp-deep .*n=50000000, 3 workers\) needs about .* GiB/);
    expect(readdirSync(out)).toEqual([]);
  });
});
