/** The CLI end to end with the instant fake runner: flags, files written, JSON shape, exit codes. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { defaultWidths } from '../src/config/defaults.js';
import { runCli } from './helpers/cli.js';
import { parseRunResult } from '../src/results/file.js';

function tempOut(): string {
  return mkdtempSync(join(tmpdir(), 'sb-cli-'));
}

describe('scale-bench run (fake runner)', () => {
  it('--json prints only JSON, covering every model x size x width', async () => {
    const out = tempOut();
    const { code, stdout } = await runCli(['run', '--runner', 'fake', '--models', 'linear,mlp-deep', '--sizes', '1k,2k,4k', '--workers', '1,2,3', '--repeats', '5', '--out', out, '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { result: unknown; analysis: { sizeScaling: unknown[] }; reportDir: string };
    const result = parseRunResult(parsed.result, 'stdout');
    expect(result).toEqual(parsed.result);
    expect(result.cells).toHaveLength(2 * 3 * 3);
    const keys = new Set(result.cells.map((cell) => `${cell.cell.model}|${cell.cell.size}|${cell.cell.workers}`));
    for (const model of ['linear', 'mlp-deep']) for (const size of [1000, 2000, 4000]) for (const w of [1, 2, 3]) expect(keys.has(`${model}|${size}|${w}`)).toBe(true);
    for (const cell of result.cells) {
      expect(cell.trials).toHaveLength(5);
      for (const trial of cell.trials) {
        expect(trial.state).toBe('ok');
        expect(trial.samplesPerSec).toBeGreaterThan(0);
        expect(Number.isFinite(trial.quality.value)).toBe(true);
      }
    }
    expect(result.complete).toBe(true);
    expect(result.environment.runner).toBe('fake');
    expect(parsed.analysis.sizeScaling.length).toBeGreaterThan(0);
    // The saved results equal what was printed.
    const saved = parseRunResult(JSON.parse(readFileSync(join(parsed.reportDir, 'results.json'), 'utf8')), 'results.json');
    expect(saved.cells).toEqual(result.cells);
    for (const file of ['report.html', 'cells.csv', 'summary.md', 'analysis.json']) expect(existsSync(join(parsed.reportDir, file))).toBe(true);
  });

  it('prints the Findings, the cells and the warnings on a terminal run', async () => {
    const out = tempOut();
    const { code, stdout, stderr } = await runCli(['run', '--runner', 'fake', '--quick', '--out', out, '--report', 'json']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\nFindings: /);
    expect(stdout).toMatch(/n\^b/);
    expect(stdout).toMatch(/Cells: median wall time/);
    expect(stdout).toMatch(/results and reports: /);
    expect(stdout).not.toMatch(/NaN|Infinity|undefined/);
    // Non-TTY progress: one line per cell on stderr.
    expect(stderr.split('\n').filter((line) => line.startsWith('✓')).length).toBe(5 * 3 * defaultWidths(availableParallelism()).length);
    expect(stdout).not.toMatch(/\u001b\[/); // NO_COLOR
  });

  it('--request-rows sets inference rows per request; the old --batch-sizes is hidden from --help and warns', async () => {
    const help = await runCli(['run', '--help']);
    expect(help.stdout).toMatch(/--request-rows <list>/);
    expect(help.stdout).not.toMatch(/--batch-sizes/);
    const args = ['run', '--runner', 'fake', '--mode', 'inference', '--models', 'linear', '--sizes', '1k', '--workers', '1', '--concurrency', '1', '--report', 'json', '--json'];
    const renamed = await runCli([...args, '--request-rows', '1,8', '--out', tempOut()]);
    expect(renamed.code).toBe(0);
    expect(renamed.stderr).not.toMatch(/deprecated/);
    const old = await runCli([...args, '--batch-sizes', '1,8', '--out', tempOut()]);
    expect(old.code).toBe(0);
    expect(old.stderr).toMatch(/warning: --batch-sizes is deprecated; use --request-rows/);
    const rows = (stdout: string) => (JSON.parse(stdout) as { result: { cells: Array<{ cell: { batchSize?: number } }> } }).result.cells.map((c) => c.cell.batchSize);
    expect(rows(old.stdout)).toEqual([1, 8]);
    expect(rows(renamed.stdout)).toEqual(rows(old.stdout));
  });

  it('exits 3 and names the failed cells when some cells fail', async () => {
    const out = tempOut();
    const { code, stderr } = await runCli(['run', '--runner', 'fake', '--models', 'linear,logistic', '--sizes', '1k,2k', '--workers', '1', '--out', out, '--quiet'], {
      env: { SCALE_BENCH_FAKE: JSON.stringify({ failCells: ['logistic|classification|n=2000'] }) },
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/results and reports/);
  });

  it('exits 2 with one clear line for bad flags, never a stack trace', async () => {
    for (const args of [
      ['run', '--sizes', 'ten'],
      ['run', '--models', 'nope'],
      ['run', '--workers', '0'],
      ['run', '--backend', 'gpu'],
      ['run', '--report', 'pdf'],
      ['run', '--no-such-flag'],
      ['report', 'missing.json'],
    ]) {
      const { code, stderr, stdout } = await runCli(args[0] === 'run' ? [...args, '--runner', 'fake'] : args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).not.toMatch(/\n\s+at /);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^(scale-bench: |error: )/);
    }
  });

  it('prints --help with examples and exit codes, and --version', async () => {
    const help = await runCli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:/);
    expect(help.stdout).toMatch(/Exit codes:/);
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('regenerates reports from saved results with `report`', async () => {
    const out = tempOut();
    const first = await runCli(['run', '--runner', 'fake', '--models', 'linear', '--sizes', '1k,2k', '--workers', '1,2', '--out', out, '--json', '--report', 'json']);
    const { reportDir } = JSON.parse(first.stdout) as { reportDir: string };
    const again = tempOut();
    const { code } = await runCli(['report', join(reportDir, 'results.json'), '--out', again, '--report', 'csv,markdown']);
    expect(code).toBe(0);
    expect(readFileSync(join(again, 'cells.csv'), 'utf8')).toMatch(/linear/);
  });
});
