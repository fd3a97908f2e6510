/**
 * The gate on a machine that is not quiet, with the real tfjs runner, as a user meets it in CI: a baseline,
 * then the same commit while another process keeps one core busy (a child this test starts and stops), and
 * then a real slowdown of the code (an injected delay) with the machine left alone. The first must not fail
 * and must say the machine's speed changed; the second must still fail. Tiny sizes keep it to seconds a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { startBusyLoop, type BusyLoop } from '../benchmarks/busy-loop.js';
import type { ComparisonFile } from '../src/report/json.js';

const SWEEP = ['run', '--models', 'mlp-small', '--sizes', '1000,2000', '--workers', '1,2', '--repeats', '6', '--warmup', '1', '--report', 'json'];

interface RunJson {
  comparison: ComparisonFile['comparison'];
  gatePassed: boolean;
}

describe('the gate under load (real tfjs runner)', () => {
  let out: string;
  let loop: BusyLoop | undefined;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'sb-load-'));
    const saved = await runCli([...SWEEP, '--out', out, '--quiet', '--save-baseline', 'quiet']);
    expect(saved.code, saved.stderr).toBe(0);
  });

  afterAll(async () => {
    await loop?.stop();
  });

  it('the same commit with a busy core during the run: 0 regressions, and the output names the speed change', async () => {
    loop = await startBusyLoop(0);
    let loaded;
    try {
      loaded = await runCli([...SWEEP, '--out', out, '--baseline', 'quiet']);
    } finally {
      await loop.stop();
    }
    expect(loaded.code, `${loaded.stdout}\n${loaded.stderr}`).toBe(0);
    expect(loaded.stdout).toMatch(/PASSED: 0 regressions/);
    // The canary was read under the same load as the cells, and the comparison says how much it moved.
    expect(loaded.stdout).toMatch(/machine speed \(canary, current vs baseline reading per cell\): median [+-]\d+% over 4 cells \([+-]\d+% to [+-]\d+%\)/);
    expect(loaded.stdout).toMatch(/^machine speed: canary 64 matmuls 128×128 per worker, \d+ readings; w=1 [\d.]+ \/ [\d.]+ \/ [\d.]+ ms, w=2 /m);
  });

  it('a real 3x slowdown of the code on the unloaded machine is still caught, and confirmed by the re-run', async () => {
    const slow = await runCli([...SWEEP, '--out', out, '--baseline', 'quiet', '--json'], {
      env: { SCALE_BENCH_FAULTS: JSON.stringify({ slow: { 'mlp-small|': 3 } }) },
    });
    expect(slow.code, slow.stderr).toBe(1);
    const { comparison, gatePassed } = JSON.parse(slow.stdout) as RunJson;
    expect(gatePassed).toBe(false);
    const regressed = comparison.metrics.filter((m) => m.gated && m.verdict === 'regressed');
    expect(regressed.some((m) => m.metric === 'wallMs')).toBe(true);
    for (const m of regressed) expect(m.confirmation?.verdict, `${m.metric} ${m.subject}`).toBe('regressed');
    expect(slow.stderr).toMatch(/^confirm: \d+ cells? behind a regression/m);
  });
});
