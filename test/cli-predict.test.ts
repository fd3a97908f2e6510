/** `scale-bench predict` and the backtest line of `run`, end to end with the fake runner. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { predictionFileSchema } from '../src/predict/schema.js';

function runDir(out: string): string {
  const [id] = readdirSync(out);
  return join(out, id!);
}

describe('scale-bench predict (fake runner)', () => {
  let sweep: string;
  let oneWidth: string;
  let runStdout: string;

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-predict-'));
    const run = await runCli(['run', '--runner', 'fake', '--models', 'mlp-small', '--sizes', '1k,2k,4k,8k', '--workers', '1,2,3', '--repeats', '5', '--report', 'json', '--out', out]);
    expect(run.code).toBe(0);
    runStdout = run.stdout;
    sweep = runDir(out);
    const out1 = mkdtempSync(join(tmpdir(), 'sb-predict-'));
    expect((await runCli(['run', '--runner', 'fake', '--models', 'mlp-small', '--sizes', '1k,2k', '--workers', '1', '--report', 'json', '--out', out1])).code).toBe(0);
    oneWidth = runDir(out1);
  }, 120_000);

  it('run prints the backtest summary after a sweep with 4+ sizes, and not with fewer', async () => {
    expect(runStdout).toMatch(/backtest of the time laws: \d+ held-out cells, median \|error\| [\d.]+%, \d+\/\d+ inside the 95% prediction interval/);
    expect(runStdout).toContain(`scale-bench predict ${sweep} --backtest`);
    const out = mkdtempSync(join(tmpdir(), 'sb-predict-'));
    const small = await runCli(['run', '--runner', 'fake', '--models', 'mlp-small', '--sizes', '1k,2k,4k', '--workers', '1,2', '--report', 'json', '--out', out]);
    expect(small.stdout).not.toContain('backtest');
  });

  it('prints predictions with intervals, laws and warnings', async () => {
    const { code, stdout, stderr } = await runCli(['predict', sweep, '--size', '64k', '--workers', '1,8', '--backtest']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('estimate [95% prediction interval for one new measurement]');
    expect(stdout).toMatch(/64k │ 8 │ +\S+ (µs|ms|s|min|h) \[\S+ (µs|ms|s|min|h), \S+ (µs|ms|s|min|h)\]/);
    expect(stdout).toContain('t(n,1) ∝ n^');
    expect(stdout).toContain('from Amdahl');
    // The fake runner's trials carry cellMemoryBytes (linear in n), so memory is the cell's own, labelled so.
    expect(stdout).toContain('cell memory (data + tensors)');
    // Its memory is exactly a fixed part (weights and Adam's moments) plus 312 bytes per sample: the affine law.
    expect(stdout).toMatch(/memory, w=1: cell memory \(data \+ tensors\) ≈ \d+ KiB \+ 312 B·n at w=1/);
    expect(stdout).toContain('backtest of the memory laws (cell memory (data + tensors)):');
    expect(stdout).not.toContain('peak memory');
    expect(stdout).toContain('assumes a machine with at least 8 cores');
    expect(stdout).toContain('w=8 is 2.7x the widest measured width (3)');
    expect(stdout).toMatch(/backtest of the time laws: .*largest size held out .*widest width held out/);
  });

  it('--json is the versioned prediction file, times in ms and memory in bytes', async () => {
    const { code, stdout } = await runCli(['predict', join(sweep, 'results.json'), '--size', '16k', '--workers', '2', '--budget', '2m', '--backtest', '--json']);
    expect(code).toBe(0);
    const file = predictionFileSchema.parse(JSON.parse(stdout));
    expect(file.schemaVersion).toBe(2);
    expect(file.predictions[0]!.wallMs!.estimate).toBeGreaterThan(1);
    expect(file.predictions[0]!.memoryBytes!.estimate).toBeGreaterThan(1e6);
    expect(file.predictions[0]!.memoryMetric).toBe('cellMemoryBytes');
    expect(file.budget![0]!.budgetMs).toBe(120_000);
    expect(file.backtest!.summary.medianAbsError).toBeGreaterThanOrEqual(0);
    expect(file.backtest!.summary.coverage).not.toBeNull();
  });

  it.each([
    [['--size', 'lots'], /--size: "lots" is not a count/],
    [['--workers', 'many'], /--workers: "many" is not a count/],
    [['--budget', 'soon'], /--budget: "soon" is not a duration.*--budget 10m/],
    [['--quality', 'accuracy=0.9'], /--quality needs learning-curve data.*--target/],
    [['--workers', '64'], /--workers 64: 21x the widest width.*--force/],
  ])('exits 2 naming the fix for %j', async (args, message) => {
    const { code, stdout, stderr } = await runCli(['predict', sweep, ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/at \w+ \(/);
  });

  it('exits 2 when the results lack the law asked for: one width only and --workers 4', async () => {
    const { code, stderr } = await runCli(['predict', oneWidth, '--workers', '4']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--workers 4: mlp-small · classification was measured at one width only \(1\).*--workers 1,2,4/);
  });

  it('exits 2 for a missing results file', async () => {
    const { code, stderr } = await runCli(['predict', join(sweep, 'nope.json')]);
    expect(code).toBe(2);
    expect(stderr).toContain('no such file');
  });
});
