/**
 * `scale-bench history add|show|check|export` and `run --history` end to end, with results files
 * written by the CLI (fake runner): a regression fails the check once it is significant and new,
 * --confirm re-runs the suspect cells, exports are Hunter-readable, a corrupt line exits 2.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runCli } from './helpers/cli.js';
import { parseRunResult } from '../src/results/file.js';
import type { RunResult } from '../src/results/schema.js';

const SWEEP = ['--models', 'linear,mlp-small', '--sizes', '1k,2k', '--workers', '1,2', '--repeats', '3', '--runner', 'fake', '--quiet'];
const SUBJECT = 'mlp-small|classification|n=1000|w=1|job-parallel';

let template: RunResult;
let templateFile: string;

function commitOf(k: number): string {
  return `${k.toString(16).padStart(4, '0')}${'c0ffee'.repeat(6)}`.slice(0, 40);
}

/**
 * Results files of `count` nightly runs made from the template: run k on day k at commit k, its trial
 * times moved by a deterministic ±1% noise, and mlp-small's times multiplied by `slowdown` from run `slowFrom` on.
 */
function nightlies(dir: string, from: number, count: number, slowFrom: number, slowdown = 1.3): string[] {
  const files: string[] = [];
  for (let k = from; k < from + count; k++) {
    const run: RunResult = structuredClone(template);
    run.runId = `nightly-${k}`;
    run.startedAt = new Date(Date.UTC(2026, 0, 1 + k)).toISOString();
    run.environment.gitCommit = commitOf(k);
    run.cells.forEach((cell, c) => {
      const factor = (1 + 0.01 * Math.sin(k * 12.9898 + c * 78.233)) * (k >= slowFrom && cell.cell.model === 'mlp-small' ? slowdown : 1);
      for (const trial of cell.trials) {
        trial.wallMs *= factor;
        trial.samplesPerSec = (trial.samples / trial.wallMs) * 1000;
      }
    });
    const file = join(dir, run.runId, 'results.json');
    mkdirSync(join(dir, run.runId), { recursive: true });
    writeFileSync(file, JSON.stringify(run));
    files.push(file);
  }
  return files;
}

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'sb-hist-cli-'));
  const made = await runCli(['run', ...SWEEP, '--out', out, '--run-id', 'template', '--report', 'json']);
  expect(made.code, made.stderr).toBe(0);
  templateFile = join(out, 'template', 'results.json');
  template = parseRunResult(JSON.parse(readFileSync(templateFile, 'utf8')), templateFile);
});

describe('history add, show, check', () => {
  it('finds a 30% slowdown once it is significant, fails the check on that commit only, and names it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-hist-'));
    const history = join(root, 'history');
    const add = await runCli(['history', 'add', ...nightlies(root, 0, 17, 12), '--dir', history, '--branch', 'main']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toMatch(/history: 16 records of run nightly-0 \(commit 0000c0ffee, branch main\)/);

    const summary = join(root, 'summary.md');
    const env = { GITHUB_STEP_SUMMARY: summary, GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/widget' };
    const check = await runCli(['history', 'check', '--dir', history], { env });
    expect(check.code, check.stdout + check.stderr).toBe(1);
    expect(check.stdout).toMatch(/^FAILED: \d+ series moved to a new, worse level/);
    expect(check.stdout).toContain(`wallMs of ${SUBJECT} [branch main, machine ${template.environment.machineId} (cpu), fake runner]: worse by +`);
    expect(check.stdout).toMatch(/from commit 000cc0ffee \(2026-01-13, run nightly-12\); permutation p = 0\.000\d+, 12 runs before, 5 after/);
    expect(check.stdout).not.toMatch(/linear\|/); // linear did not change
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toMatch(/## scale-bench history check: failed/);
    expect(markdown).toContain(`[\`000cc0ffee\`](https://github.com/acme/widget/commit/${commitOf(12)})`);

    const json = await runCli(['history', 'check', '--dir', history, '--json', '--metric', 'wallMs']);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { passed: boolean; failures: Array<{ subject: string; changePoint: { index: number; commit: string; step: number } }> };
    expect(parsed.passed).toBe(false);
    expect(parsed.failures.map((f) => f.subject).sort()).toEqual(template.cells.filter((c) => c.cell.model === 'mlp-small').map((c) => c.cell.id).sort());
    for (const failure of parsed.failures) expect(failure.changePoint).toMatchObject({ index: 12, commit: commitOf(12) });

    // The next commit, still slow: the change was already found before it, so it does not fail again.
    await runCli(['history', 'add', ...nightlies(root, 17, 1, 12), '--dir', history, '--branch', 'main']);
    const next = await runCli(['history', 'check', '--dir', history]);
    expect(next.code, next.stdout).toBe(0);
    expect(next.stdout).toMatch(/^PASSED/);
    expect(next.stdout).toMatch(/already known before the newest commit \(not failing\): \d+ series/);

    const show = await runCli(['history', 'show', '--dir', history, '--metric', 'wallMs']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/history: 288 records of 18 runs in 1 file; 8 series/);
    expect(show.stdout).toMatch(/change points in 4 series:/);
    expect(show.stdout).toMatch(/no change point in 4 series/);

    // `report --history` gives a saved run's reports the trends.
    const out = join(root, 'report');
    const report = await runCli(['report', join(root, 'nightly-17', 'results.json'), '--history', history, '--report', 'html,markdown', '--out', out]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('id="panel-history-0"');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/### History: change points[\s\S]*\d+ series stay at a worse level found before the newest commit/);
  });

  it('--confirm re-runs only the suspect cells: a re-run back at the old level passes, a slow one fails', async () => {
    const setUp = async () => {
      const root = mkdtempSync(join(tmpdir(), 'sb-hist-'));
      const history = join(root, 'history');
      const files = nightlies(root, 0, 17, 12);
      await runCli(['history', 'add', ...files, '--dir', history, '--branch', 'main']);
      return { root, args: ['history', 'check', '--dir', history, '--metric', 'wallMs', '--confirm', files[16]!, '--out', join(root, 'confirm'), '--runner', 'fake'] };
    };

    const first = await setUp();
    const transient = await runCli(first.args);
    expect(transient.code, transient.stdout + transient.stderr).toBe(0);
    expect(transient.stderr).toMatch(/confirm: re-running 4 suspect cells of nightly-16 once/);
    expect(transient.stderr).toMatch(/the re-run is not 5\.0% or more worse than the level before \([+-]\d\.\d%\): not confirmed, not failing/);
    const rerun = readdirSync(join(first.root, 'confirm'));
    expect(rerun).toHaveLength(1);
    const rerunResult = parseRunResult(JSON.parse(readFileSync(join(first.root, 'confirm', rerun[0]!, 'results.json'), 'utf8')), 'rerun');
    expect(rerunResult.cells.map((c) => c.cell.model)).toEqual(['mlp-small', 'mlp-small', 'mlp-small', 'mlp-small']);

    const second = await setUp();
    const real = await runCli(second.args, { env: { SCALE_BENCH_FAKE: JSON.stringify({ slowdown: { 'mlp-small': 1.3 } }) } });
    expect(real.code, real.stdout + real.stderr).toBe(1);
    expect(real.stderr).toMatch(/the re-run is worse too \(\+[23]\d\.\d%.*: confirmed/);
    expect(real.stdout).toMatch(/^FAILED: 4 series/);
  });

  it('exports one row per record; one subject exported is a Hunter-readable table', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-hist-'));
    const history = join(root, 'history');
    await runCli(['history', 'add', ...nightlies(root, 0, 3, 99), '--dir', history, '--branch', 'main']);
    const all = await runCli(['history', 'export', '--dir', history, '--csv']);
    expect(all.code).toBe(0);
    const rows = parse(all.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(3 * 16);
    expect(Object.keys(rows[0]!).slice(0, 4)).toEqual(['time', 'commit', 'branch', 'run']);

    const out = join(root, 'mlp.csv');
    const one = await runCli(['history', 'export', '--dir', history, '--csv', '--kind', 'cell', '--subject', SUBJECT, '-o', out]);
    expect(one.code).toBe(0);
    const table = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(table.map((r) => r.commit)).toEqual([0, 1, 2].map(commitOf));
    // What Hunter's CSV importer does: parse the time column, float() every metric column.
    for (const row of table) {
      expect(Number.isNaN(Date.parse(row.time!))).toBe(false);
      for (const column of ['wall_ms', 'wall_ms_low', 'wall_ms_high', 'throughput', 'peak_rss_bytes', 'quality']) expect(Number.isFinite(Number.parseFloat(row[column]!)), column).toBe(true);
    }
    const bad = await runCli(['history', 'export', '--dir', history]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--csv/);
  });

  it('a corrupt line exits 2 naming the file and line; no history, a bad flag: exit 2', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-hist-'));
    const history = join(root, 'history');
    await runCli(['history', 'add', ...nightlies(root, 0, 1, 99), '--dir', history, '--branch', 'main']);
    const file = join(history, 'main', `${template.environment.machineId}.jsonl`);
    appendFileSync(file, '{"v":1,"kind":"cell","run":\n');
    for (const command of ['show', 'check']) {
      const outcome = await runCli(['history', command, '--dir', history]);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain(`${file}:17: is not JSON`);
      expect(outcome.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await runCli(['history', 'show', '--dir', join(root, 'none')])).stderr).toMatch(/no history here/);
    expect((await runCli(['history', 'show', '--dir', history, '--metric', 'speed'])).stderr).toMatch(/--metric: "speed" is not one of wallMs/);
    expect((await runCli(['history', 'show', '--dir', history, '--min-step', '300%'])).code).toBe(2);
  });

  it('two `history add` processes at once lose nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-hist-'));
    const history = join(root, 'history');
    const files = nightlies(root, 0, 6, 99);
    const adds = await Promise.all([
      runCli(['history', 'add', ...files.slice(0, 3), '--dir', history, '--branch', 'main']),
      runCli(['history', 'add', ...files.slice(3), '--dir', history, '--branch', 'main']),
    ]);
    for (const add of adds) expect(add.code, add.stderr).toBe(0);
    const lines = readFileSync(join(history, 'main', `${template.environment.machineId}.jsonl`), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(6 * 16);
    expect(new Set(lines.map((line) => (JSON.parse(line) as { runId: string }).runId)).size).toBe(6);
  });
});

describe('run --history', () => {
  it('ten fake runs of one commit: no change point, even at a loose alpha; the reports show the history', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-hist-run-'));
    const history = join(root, 'history');
    const summary = join(root, 'step-summary.md');
    for (let seed = 1; seed <= 10; seed++) {
      const run = await runCli(['run', '--runner', 'fake', '--quick', '--workers', '1,2', '--seed', String(seed), '--out', join(root, 'reports'), '--run-id', `r${seed}`, '--report', 'json,html,markdown', '--quiet', '--history', history, '--commit', commitOf(1), '--branch', 'main'], {
        env: { GITHUB_STEP_SUMMARY: summary },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/history: \d+ records of run r\d+ \(commit 0001c0ffee, branch main\)/);
    }
    const strict = await runCli(['history', 'show', '--dir', history]);
    expect(strict.stdout).toMatch(/history: \d+ records of 10 runs/);
    expect(strict.stdout).toMatch(/inconclusive for \d+ series: fewer than 14 runs/);
    const loose = await runCli(['history', 'show', '--dir', history, '--alpha', '0.05']);
    expect(loose.stdout).toMatch(/no change point in \d+ series \(none in any tested series\)/);
    expect(loose.stdout).not.toMatch(/change points in/);
    expect((await runCli(['history', 'check', '--dir', history, '--alpha', '0.05'])).code).toBe(0);

    const html = readFileSync(join(root, 'reports', 'r10', 'report.html'), 'utf8');
    expect(html).toContain('<section id="history"><h2>History</h2>');
    expect(readFileSync(join(root, 'reports', 'r10', 'summary.md'), 'utf8')).toContain('### History: change points');
    expect(readFileSync(summary, 'utf8')).toMatch(/### History: change points/);
    expect(existsSync(join(history, 'main'))).toBe(true);
  });
});
