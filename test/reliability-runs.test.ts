/**
 * Issue 20, the run folder: a reused run id, two processes on one folder, resuming a copied or
 * doctored results file, and interrupts at any moment. Each test here failed before its fix.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli } from './helpers/cli.js';
import { readRunResult } from '../src/results/file.js';
import { LOCK_FILE } from '../src/results/run-folder.js';
import type { RunResult } from '../src/results/schema.js';

function tempOut(): string {
  return mkdtempSync(join(tmpdir(), 'sb-runs-'));
}

const FAKE = ['run', '--runner', 'fake', '--report', 'json,markdown', '--quiet'];
const BIG = ['--models', 'linear,logistic', '--sizes', '1k,2k', '--workers', '1,2'];
const SMALL = ['--models', 'linear', '--sizes', '1k', '--workers', '1'];

function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, done, stderr: () => stderr };
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a reused run id (issue 20.1)', () => {
  it('is refused with exit 2 naming --resume and a fresh id, and the finished run is untouched', async () => {
    const out = tempOut();
    expect((await runCli([...FAKE, ...BIG, '--run-id', 'ref', '--out', out])).code).toBe(0);
    const before = readFileSync(join(out, 'ref', 'results.json'), 'utf8');
    const again = await runCli([...FAKE, ...SMALL, '--run-id', 'ref', '--out', out, '--report', 'json']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--run-id ref: .*ref already holds a finished run with 8 of 8 cells\. Continue it with --resume ref, choose a fresh --run-id .* or pass --force/);
    expect(readFileSync(join(out, 'ref', 'results.json'), 'utf8')).toBe(before);
    expect(readdirSync(join(out, 'ref')).sort()).toEqual(['analysis.json', 'results.json', 'summary.md']);
  });

  it('--force replaces it, and nothing of the old run stays beside the new one', async () => {
    const out = tempOut();
    expect((await runCli([...FAKE, ...BIG, '--run-id', 'ref', '--out', out])).code).toBe(0);
    const forced = await runCli(['run', '--runner', 'fake', ...SMALL, '--run-id', 'ref', '--out', out, '--report', 'json', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/--force: replaced a finished run with 8 of 8 cells/);
    // summary.md of the 8-cell run would contradict the 1-cell results.json.
    expect(readdirSync(join(out, 'ref')).sort()).toEqual(['analysis.json', 'results.json']);
    expect((await readRunResult(join(out, 'ref', 'results.json'))).cells).toHaveLength(1);
  });

  it('a folder that is not a scale-bench run is refused even with --force', async () => {
    const out = tempOut();
    mkdirSync(join(out, 'src'));
    writeFileSync(join(out, 'src', 'main.c'), 'int main;');
    const { code, stderr } = await runCli([...FAKE, ...SMALL, '--run-id', 'src', '--out', out, '--force']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/already exists and is not a scale-bench run folder \(it holds main\.c\)/);
    expect(readdirSync(join(out, 'src'))).toEqual(['main.c']);
  });

  it('two concurrent runs with one id: the second is refused while the first owns the folder, which keeps all its cells', async () => {
    const out = tempOut();
    const first = spawnCli([...FAKE, ...BIG, '--run-id', 'same', '--out', out], { SCALE_BENCH_FAKE: JSON.stringify({ delayMs: 1000 }) });
    await until(() => existsSync(join(out, 'same', 'results.json')), 'the first run to save');
    for (const extra of [[], ['--force']]) {
      const second = await runCli([...FAKE, ...SMALL, '--run-id', 'same', '--out', out, ...extra]);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(new RegExp(`run folder .*same is in use by process ${first.child.pid}`));
    }
    const resumeMeanwhile = await runCli(['run', '--runner', 'fake', '--resume', 'same', '--out', out, '--quiet']);
    expect(resumeMeanwhile.code).toBe(2);
    expect(resumeMeanwhile.stderr).toMatch(/is in use by process/);
    expect(await first.done).toBe(0);
    const result = await readRunResult(join(out, 'same', 'results.json'));
    expect(result.cells).toHaveLength(8);
    expect(result.complete).toBe(true);
    expect(existsSync(join(out, 'same', LOCK_FILE))).toBe(false);
  });

  it('a lock left by a killed run is stale: the next run takes the folder over', async () => {
    const out = tempOut();
    const killed = spawnCli([...FAKE, ...BIG, '--out', out], { SCALE_BENCH_FAKE: JSON.stringify({ delayMs: 300 }) });
    await until(() => readdirSync(out).some((dir) => existsSync(join(out, dir, 'results.json'))), 'the run to save');
    const runId = readdirSync(out)[0]!;
    expect(existsSync(join(out, runId, LOCK_FILE))).toBe(true);
    killed.child.kill('SIGKILL');
    await killed.done;
    expect(existsSync(join(out, runId, LOCK_FILE))).toBe(true);
    const resumed = await runCli(['run', '--runner', 'fake', '--resume', runId, '--out', out, '--quiet', '--report', 'json']);
    expect(resumed.code).toBe(0);
    expect((await readRunResult(join(out, runId, 'results.json'))).complete).toBe(true);
    expect(existsSync(join(out, runId, LOCK_FILE))).toBe(false);
  });
});

async function interruptedRun(out: string): Promise<string> {
  const run = spawnCli([...FAKE, ...BIG, '--out', out, '--report', 'json'], { SCALE_BENCH_FAKE: JSON.stringify({ delayMs: 200 }) });
  await until(() => readdirSync(out).some((dir) => existsSync(join(out, dir, 'results.json'))), 'the run to save');
  run.child.kill('SIGINT');
  expect(await run.done).toBe(130);
  return readdirSync(out)[0]!;
}

describe('--resume (issue 20.2 and 20.3)', () => {
  it('writes to the folder it read, not to the run id inside the file', async () => {
    const out = tempOut();
    const original = await interruptedRun(out);
    const before = readFileSync(join(out, original, 'results.json'), 'utf8');
    cpSync(join(out, original), join(out, 'copy'), { recursive: true });
    const resumed = await runCli(['run', '--runner', 'fake', '--resume', 'copy', '--out', out, '--report', 'json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`says it is run "${original}"; it is resumed as "copy"`));
    expect(readFileSync(join(out, original, 'results.json'), 'utf8')).toBe(before);
    const copy = await readRunResult(join(out, 'copy', 'results.json'));
    expect(copy.complete).toBe(true);
    expect(copy.runId).toBe('copy');
    expect(copy.plan.runId).toBe('copy');
  });

  it('a results file whose plan.runId points outside --out is refused, and nothing is written outside', async () => {
    const root = tempOut();
    const out = join(root, 'a', 'b');
    mkdirSync(out, { recursive: true });
    const id = await interruptedRun(out);
    const file = join(out, id, 'results.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
    writeFileSync(file, JSON.stringify({ ...saved, plan: { ...saved.plan, runId: '../../pwned' } }));
    const { code, stderr } = await runCli(['run', '--runner', 'fake', '--resume', id, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/results\.json: field plan\.runId: "\.\.\/\.\.\/pwned" is not a run id/);
    expect(existsSync(join(root, 'pwned'))).toBe(false);
    expect(readdirSync(root)).toEqual(['a']);
  });

  for (const [name, edit, message] of [
    ['empty cells', (plan: RunResult['plan']) => ({ ...plan, cells: [] }), /field plan\.cells: holds no cells: there is nothing to run/],
    ['repeats 1e9', (plan: RunResult['plan']) => ({ ...plan, repeats: 1e9 }), /field plan\.repeats: 1000000000 is out of range: a whole number from 1 to 1000/],
    ['a cell timeout of 0', (plan: RunResult['plan']) => ({ ...plan, cellTimeoutMs: 0 }), /field plan\.cellTimeoutMs: 0 is out of range: more than 0 ms/],
    ['a cell timeout of -5', (plan: RunResult['plan']) => ({ ...plan, cellTimeoutMs: -5 }), /field plan\.cellTimeoutMs: -5 is out of range/],
    ['an unknown model', (plan: RunResult['plan']) => ({ ...plan, cells: plan.cells.map((cell) => ({ ...cell, model: 'gpt-9' })) }), /field plan\.cells\.0\.model: unknown model "gpt-9"; the models that can run are linear/],
    ['a size out of range', (plan: RunResult['plan']) => ({ ...plan, cells: plan.cells.map((cell) => ({ ...cell, size: 1e12 })) }), /field plan\.cells\.0\.size: 1000000000000 is out of range: a whole number from 10 to 50000000/],
    ['a learning rate of 50', (plan: RunResult['plan']) => ({ ...plan, training: { ...plan.training, learningRate: 50 } }), /field plan\.training\.learningRate: 50 is out of range/],
  ] as const) {
    it(`a saved plan with ${name} is refused (exit 2 naming the file and field) before anything runs`, async () => {
      const out = tempOut();
      const id = await interruptedRun(out);
      const file = join(out, id, 'results.json');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
      writeFileSync(file, JSON.stringify({ ...saved, plan: edit(saved.plan) }));
      const { code, stderr } = await runCli(['run', '--runner', 'fake', '--resume', id, '--out', out], { timeoutMs: 30_000 });
      expect(code).toBe(2);
      expect(stderr).toContain(`${file}: field plan.`);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at |internal error/);
      expect(existsSync(join(out, id, LOCK_FILE))).toBe(false);
    });
  }
});

describe('interrupts at any moment (issue 20.5)', () => {
  it('SIGINT or SIGTERM at 10 moments across the first 2 seconds: exit 130, one line, results named only if they exist', async () => {
    for (let moment = 0; moment < 10; moment++) {
      const out = tempOut();
      const signal = moment % 2 === 0 ? 'SIGINT' : 'SIGTERM';
      // The real runner: its pool starts in this window, where an interrupt used to crash. The sweep must outlast
      // the last moment on any machine: it takes about 40 s on a 2-core runner here (the fused training step made
      // the earlier 100-400-sample sweep finish in 1.9 s, and a faster CI machine completed it before +1800 ms).
      const run = spawnCli(['run', '--models', 'linear,logistic', '--sizes', '4000,8000,16000', '--workers', '1,2', '--repeats', '3', '--epochs', '1000', '--report', 'json', '--quiet', '--out', out], {
        SCALE_BENCH_SIGNALS_READY_FD: '3',
      });
      // Moments count from the launcher's first line: before it, Node is still starting and no program can answer a signal.
      await new Promise<void>((resolve) => run.child.stdio[3]!.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, moment * 200));
      run.child.kill(signal);
      const code = await run.done;
      const where = `${signal} at +${moment * 200} ms: ${run.stderr()}`;
      expect(code, where).toBe(130);
      const lines = run.stderr().split('\n').filter((line) => line !== '');
      expect(lines, where).toHaveLength(1);
      expect(lines[0], where).toMatch(new RegExp(`^scale-bench: interrupted \\(${signal}\\)`));
      expect(lines[0], where).not.toMatch(/Ctrl-C/);
      const named = /saved in (\S+results\.json)/.exec(lines[0]!)?.[1];
      const files = readdirSync(out).flatMap((dir) => readdirSync(join(out, dir)).map((name) => join(out, dir, name)));
      if (named) {
        expect((await readRunResult(named)).complete, where).toBe(false);
      } else {
        expect(files.filter((file) => file.endsWith('results.json')), where).toEqual([]);
      }
      expect(files.filter((file) => file.endsWith(LOCK_FILE)), where).toEqual([]);
    }
  });
});
