/**
 * `scale-bench run --mode inference` end to end with real tfjs servers (wasm) on tiny sizes:
 * one trained model served at each width and load level, latency and errors recorded per level,
 * the load sweeps and knee in the analysis, and the table in the terminal summary.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { readRunResult } from '../src/results/file.js';
import { analyse } from '../src/analyse/index.js';

describe('scale-bench run --mode inference (real tfjs servers)', () => {
  it('serves one trained model at each width and level, with latency percentiles, errors and a knee field', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-inf-'));
    const { code, stdout, stderr } = await runCli([
      'run', '--mode', 'inference', '--models', 'logistic', '--sizes', '400', '--workers', '1,2',
      '--concurrency', '1,4', '--rate', '40', '--request-rows', '8', '--duration', '0.4',
      '--repeats', '2', '--warmup', '1', '--backend', 'wasm', '--out', out, '--report', 'json', '--details',
    ]);
    expect(code, stderr).toBe(0);
    const file = join(out, readdirSync(out)[0]!, 'results.json');
    const result = await readRunResult(file);
    // Nothing the inference mode writes may be dropped by the results schema.
    expect(result).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    expect(result.plan.inference).toEqual({ durationMs: 400 });
    expect(result.cells.map((c) => c.cell.id)).toEqual([
      'logistic|classification|n=400|w=1|inference|b=8|c=1',
      'logistic|classification|n=400|w=1|inference|b=8|c=4',
      'logistic|classification|n=400|w=1|inference|b=8|r=40',
      'logistic|classification|n=400|w=2|inference|b=8|c=1',
      'logistic|classification|n=400|w=2|inference|b=8|c=4',
      'logistic|classification|n=400|w=2|inference|b=8|r=40',
    ]);
    // Trained once: every cell serves the same model, so quality and initial weights agree.
    expect(new Set(result.cells.map((c) => c.trials[0]!.quality.value)).size).toBe(1);
    expect(new Set(result.cells.map((c) => c.initialWeightsChecksum)).size).toBe(1);
    for (const cell of result.cells) {
      expect(cell.threadsPerWorker).toBe(1);
      expect(cell.trials).toHaveLength(2);
      for (const trial of cell.trials) {
        expect(trial.state, trial.error).toBe('ok');
        const { p50, p95, p99, max } = trial.latency!;
        expect(p50).toBeGreaterThan(0);
        expect(p50).toBeLessThanOrEqual(p95);
        expect(p95).toBeLessThanOrEqual(p99);
        expect(p99).toBeLessThanOrEqual(max);
        expect(trial.errors).toBe(0);
        expect(trial.samples % 8).toBe(0); // whole requests of 8 rows
        expect(trial.samples / 8).toBe(trial.requests);
      }
    }
    // The open loop sends on schedule: 40 requests/s for 0.4 s.
    for (const cell of result.cells.filter((c) => c.cell.rate !== undefined)) {
      for (const trial of cell.trials) expect(trial.requests).toBe(16);
    }

    const analysis = analyse(result);
    const sweeps = analysis.inference!;
    expect(sweeps.map((s) => `w=${s.workers} ${s.loop}`)).toEqual(['w=1 closed', 'w=1 open', 'w=2 closed', 'w=2 open']);
    for (const sweep of sweeps) {
      expect(sweep.knee === null || sweep.points.some((p) => p.level === sweep.knee)).toBe(true);
      expect(sweep.kneeRule).toMatch(/p95/);
    }
    const inferenceCells = analysis.cells.filter((c) => c.inference);
    expect(inferenceCells).toHaveLength(6);
    // Width sweeps compare the same level and batch size only.
    expect(analysis.widthScaling.map((w) => w.key)).toContain('logistic|classification|n=400|inference|b=8|c=4');

    // The latency table is part of --details; the Findings name the knee, or that there was none.
    expect(stdout).toMatch(/Latency climbs past|No latency knee among the load levels run/);
    expect(stdout).toMatch(/Inference under load/);
    expect(stdout).toMatch(/predictions\/s/);
    expect(stdout).toMatch(/cell memory \(data \+ tensors\) by width: w=1 [\d.]+ [KM]iB, w=2 [\d.]+ [KM]iB; backend threads per worker: 1/);
    expect(stdout).not.toMatch(/NaN|Infinity|undefined/);
  });

  for (const [fault, reason] of [['exit', /worker exited/], ['hang', /did not stop/]] as const) {
    it(`a server that ${fault === 'exit' ? 'dies' : 'hangs'} fails its cell (exit 3) and the sweep goes on`, async () => {
      const out = mkdtempSync(join(tmpdir(), 'sb-inf-'));
      const { code, stderr } = await runCli(
        ['run', '--mode', 'inference', '--models', 'linear', '--sizes', '300', '--workers', '2,1', '--concurrency', '2', '--request-rows', '4',
          '--duration', '0.2', '--repeats', '1', '--warmup', '0', '--cell-timeout', '20', '--backend', 'wasm', '--out', out, '--report', 'json'],
        { env: { SCALE_BENCH_FAULTS: JSON.stringify({ [fault]: ['w=2|inference'] }) } },
      );
      expect(code, stderr).toBe(3);
      const result = await readRunResult(join(out, readdirSync(out)[0]!, 'results.json'));
      const states = Object.fromEntries(result.cells.map((c) => [c.cell.workers, c.trials[0]!]));
      expect(states[1]!.state).toBe('ok');
      expect(states[2]!.state).toBe('errored');
      expect(states[2]!.error).toMatch(reason);
    });
  }

  it('refuses inference flags without --mode inference, with exit code 2', async () => {
    const { code, stderr } = await runCli(['run', '--runner', 'fake', '--concurrency', '1,2', '--out', mkdtempSync(join(tmpdir(), 'sb-inf-'))]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--concurrency applies to --mode inference only/);
  });
});
