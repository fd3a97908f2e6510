/** Budgets and gate settings can live in the config file, like every other run setting. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

function configWith(settings: object): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-gate-'));
  const file = join(dir, 'scale-bench.config.json');
  writeFileSync(file, JSON.stringify({ models: ['linear'], sizes: [1000, 2000, 4000], workers: [1, 2], repeats: 5, report: ['json'], ...settings }));
  return { dir, file };
}

describe('gate settings in a config file', () => {
  it('a budget from the file fails the run (exit 1) naming the budget and the measured value', async () => {
    const { dir, file } = configWith({ assert: ['linear.exponent<=0.5'] });
    const { code, stdout, stderr } = await runCli(['run', '--runner', 'fake', '--config', file, '--out', join(dir, 'out')]);
    expect(code, stderr).toBe(1);
    expect(`${stdout}${stderr}`).toMatch(/linear\.exponent<=0\.5/);
    expect(`${stdout}${stderr}`).toMatch(/1\.0\d/);
  });

  it('a budget the run meets passes (exit 0)', async () => {
    const { dir, file } = configWith({ assert: ['linear.exponent<=1.5'] });
    const { code, stderr } = await runCli(['run', '--runner', 'fake', '--config', file, '--out', join(dir, 'out')]);
    expect(code, stderr).toBe(0);
  });

  it('a malformed budget in the file is a usage error naming the file (exit 2)', async () => {
    const { dir, file } = configWith({ assert: ['linear.exponent<<1'] });
    const { code, stderr } = await runCli(['run', '--runner', 'fake', '--config', file, '--out', join(dir, 'out')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/scale-bench\.config\.json: assert/);
  });
});
