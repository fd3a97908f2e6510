/** The tool's own benchmarks: their arithmetic, and `npm run bench` printing every headline number. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summariseOverhead } from '../benchmarks/overhead.js';
import { summariseRun } from '../benchmarks/e2e.js';
import { makeRunResult } from './helpers/run-result.js';
import { defaultWidths } from '../src/config/defaults.js';

const RUN_BENCH = fileURLToPath(new URL('../benchmarks/run-bench.js', import.meta.url));

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_BENCH, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('summariseOverhead', () => {
  it('takes the median of paired ratios, and the ratio of medians beside it', () => {
    // Medians: harness 96, direct 100 -> 0.96. Paired ratios: 0.9, 1.0, 0.8 -> median 0.9.
    const s = summariseOverhead([90, 96, 120], [100, 96, 150]);
    expect(s.harness).toBe(96);
    expect(s.direct).toBe(100);
    expect(s.ratio).toBeCloseTo(0.9, 12);
    expect(s.ratioOfMedians).toBeCloseTo(0.96, 12);
    // Fastest: harness 120, direct 150.
    expect(s.ratioOfBest).toBeCloseTo(0.8, 12);
  });

  it('pairs cancel drift that the ratio of medians does not', () => {
    // The machine slows down round by round; the harness is always 2% slower than its paired direct trial.
    const direct = [100, 80, 60, 40];
    const harness = direct.map((d) => d * 0.98);
    expect(summariseOverhead(harness, direct).ratio).toBeCloseTo(0.98, 12);
  });

  it('refuses unpaired or empty samples', () => {
    expect(() => summariseOverhead([], [])).toThrow(/at least one/);
    expect(() => summariseOverhead([1, 2], [1])).toThrow(/as many harness as direct/);
  });
});

describe('summariseRun', () => {
  it('sums timed training over ok trials and counts fully-ok cells', () => {
    const result = makeRunResult(
      [
        { model: 'linear', size: 1000, wallMs: [100, 200, 300] },
        { model: 'linear', size: 2000, wallMs: [400, 500, 600], trialOverrides: [{}, {}, { state: 'errored', error: 'boom' }] },
      ],
      { environment: { runner: 'tfjs' } },
    );
    const s = summariseRun(result, 4000);
    expect(s.cells).toBe(2);
    expect(s.okCells).toBe(1);
    expect(s.timedTrainingMs).toBe(100 + 200 + 300 + 400 + 500);
    expect(s.timedShare).toBeCloseTo(1500 / 4000, 12);
    expect(summariseRun(result, 0).timedShare).toBe(0);
    const fake = makeRunResult([{ wallMs: [1] }], { environment: { runner: 'fake' } });
    expect(summariseRun(fake, 10).timedShare).toBeNull();
  });
});

describe('npm run bench (smoke)', () => {
  it('prints the overhead ratio, generation throughput, cold start and end-to-end times, and writes them as JSON', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sb-bench-')), 'bench.json');
    const { code, stdout, stderr } = await runBench(['--smoke', '--json-out', file]);
    expect(code, stderr + stdout).toBe(0);
    expect(stdout).toMatch(/\(a\) harness overhead .*mlp-small n=2,000 w=1/);
    expect(stdout).toMatch(/overhead ratio \d\.\d{3} \(median of per-round ratios; target >= 0\.97\)/);
    expect(stdout).toMatch(/ratio of medians \d\.\d{3}, of the fastest trials \d\.\d{3}/);
    expect(stdout).toMatch(/\(b\) data generation .*million values\/s/);
    expect(stdout).toMatch(/\(c\) worker cold start .*cpu \d[\d,]* ms/);
    // --quick: 5 models x 3 sizes x the default widths of this machine.
    const quickCells = 5 * 3 * defaultWidths(availableParallelism()).length;
    expect(stdout).toMatch(new RegExp(`run --quick: [\\d.]+ s, ${quickCells}/${quickCells} cells ok`));
    expect(stdout).toMatch(/run \(default sweep\): [\d.]+ s, \d+\/\d+ cells ok/);
    expect(stdout).not.toMatch(/NaN|undefined|FAILED/);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { results: Record<string, unknown>; errors: Record<string, unknown> };
    expect(Object.keys(json.results).sort()).toEqual(['coldstart', 'datagen', 'e2e', 'overhead']);
    expect(json.errors).toEqual({});
    const overhead = json.results['overhead'] as { ratio: number; harnessSamplesPerSec: number[] };
    expect(overhead.harnessSamplesPerSec).toHaveLength(2);
    expect(overhead.ratio).toBeGreaterThan(0);
  }, 60_000);

  it('rejects an unknown benchmark name with exit 2', async () => {
    const { code, stderr } = await runBench(['--only', 'nope']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--only: unknown benchmark "nope"/);
  });
});

describe('npm run bench --reference', () => {
  it('rejects an unknown reference, and --only reference without one, with exit 2', async () => {
    const unknown = await runBench(['--reference', 'jax']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--reference: unknown reference "jax"; choose from torch/);
    const bare = await runBench(['--only', 'reference']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--only reference needs --reference torch/);
  });
});

describe('benchmarks/revisions.ts', () => {
  it('compares two trees in alternating processes and prints one line per model', async () => {
    const script = fileURLToPath(new URL('../benchmarks/revisions.ts', import.meta.url));
    const here = fileURLToPath(new URL('..', import.meta.url));
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, '--against', here, '--models', 'linear', '--rounds', '1', '--trials', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(out.code, out.stderr).toBe(0);
    // The same tree on both sides: the same final loss.
    expect(out.stdout).toMatch(/^linear +[\d.]+[kM] -> +[\d.]+[kM] +x\d\.\d\d \(wall x\d\.\d\d\) +final loss (\d\.\d{4}) -> \1$/m);
  }, 120_000);
});
