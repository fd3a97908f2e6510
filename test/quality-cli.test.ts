/**
 * Training to a target, learning curves and honest quality labels, end to end through the CLI with the
 * instant fake runner (which simulates convergence: see src/measure/fake-runner.ts).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseRunResult } from '../src/results/file.js';
import type { Analysis } from '../src/analyse/schema.js';

const out = (): string => mkdtempSync(join(tmpdir(), 'sb-quality-'));

async function runJson(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await runCli(['run', '--runner', 'fake', '--out', out(), '--json', ...args], { env });
  expect(code, stderr).toBe(0);
  const parsed = JSON.parse(stdout) as { result: unknown; analysis: Analysis; reportDir: string };
  return { result: parseRunResult(parsed.result, 'stdout'), analysis: parsed.analysis, reportDir: parsed.reportDir };
}

describe('--target: time to a target quality', () => {
  const sweep = ['--models', 'linear,mlp-small', '--sizes', '2k,4k,8k', '--workers', '1,2', '--target', 'accuracy=0.8', '--target', 'r2=0.9'];

  it('records time-to-target, epochs-to-target and converged per trial, and the summaries per cell', async () => {
    // Five repetitions, as MLPerf's rule (the mean of the 3 middle runs of 5) is checked below.
    const { result, analysis, reportDir } = await runJson([...sweep, '--repeats', '5']);
    expect(result.plan.convergence).toEqual({ targets: [{ metric: 'accuracy', value: 0.8 }, { metric: 'r2', value: 0.9 }], evalEvery: 0.25, maxEpochs: 50 });
    expect(result.cells).toHaveLength(12);
    for (const cell of result.cells) {
      const seeds = new Set(cell.trials.map((t) => t.seed));
      expect(seeds.size).toBe(cell.trials.length); // each repetition its own seed
      for (const t of cell.trials) {
        expect(t.converged).toBe(true);
        expect(t.timeToTargetMs).toBeGreaterThan(0);
        expect(t.epochsToTarget).toBeGreaterThan(0);
        expect(t.evalMs).toBeGreaterThan(0);
        expect(t.stopReason).toBe('target');
        expect(t.quality.value).toBeGreaterThanOrEqual(cell.cell.model === 'linear' ? 0.9 : 0.8);
      }
    }
    for (const c of analysis.cells) {
      expect(c.timeToTarget).toMatchObject({ status: 'converged', runs: 5, converged: 5, target: c.cell.model === 'linear' ? 0.9 : 0.8 });
      // MLPerf: the mean of the 3 middle runs of 5.
      const times = result.cells.find((r) => r.cell.id === c.cellId)!.trials.map((t) => t.timeToTargetMs!).sort((a, b) => a - b);
      expect(c.timeToTarget!.mlperfMs).toBeCloseTo((times[1]! + times[2]! + times[3]!) / 3, 9);
      expect(c.timeToTarget!.medianMs!.value).toBe(times[2]);
      expect(c.budget).toMatchObject({ kind: 'to-target' });
    }
    // Fitted against n like any time, and against width with statistical efficiency.
    expect(analysis.sizeScaling.filter((s) => s.metric === 'timeToTargetMs')).toHaveLength(4);
    expect(analysis.timeToTargetScaling).toHaveLength(6);
    // job-parallel replicas of one seed converge alike: statistical efficiency 1.
    for (const s of analysis.timeToTargetScaling!) expect(s.points.find((p) => p.workers === 2)!.statisticalEfficiency).toBe(1);
    const csv = readFileSync(join(reportDir, 'cells.csv'), 'utf8');
    expect(csv.split('\r\n').find((line) => line.startsWith('run_id,'))).toContain('time_to_target_mlperf_ms,time_to_target_median_ms,epochs_to_target_median,converged_runs');
    expect(csv).toMatch(/,5\/5\r\n/);
    expect(readFileSync(join(reportDir, 'summary.md'), 'utf8')).toMatch(/### Quality[\s\S]*time to accuracy 0\.8 at w=1 \(MLPerf score\): n=2k/);
  });

  it('shows them in the terminal tables', async () => {
    const { code, stdout } = await runCli(['run', '--runner', 'fake', '--out', out(), '--report', 'json', ...sweep]);
    expect(code).toBe(0);
    // The cells table holds the time to target per width, and the quality with its budget.
    expect(stdout).toMatch(/Cells: time to target \(MLPerf score, epochs\) by pool width w/);
    expect(stdout).toMatch(/│ +[\d.]+ ms, [\d.]+ ep │ +[\d.]+ ms, [\d.]+ ep │ acc 0\.8\d\d \(end, [\d.]+ epochs\)/);
    expect(stdout).toMatch(/time to R² 0\.9 at w=1 \(MLPerf score\): n=2k/);
    expect(stdout).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('a cell where more than one repetition missed the target is not-converged, never a number; budgets fail on it', async () => {
    const env = { SCALE_BENCH_FAKE: JSON.stringify({ neverConverge: ['n=4000'] }) };
    const { analysis } = await runJson(['--models', 'mlp-small', '--sizes', '2k,4k', '--workers', '1', '--target', 'accuracy=0.8', '--max-epochs', '30'], env);
    const missed = analysis.cells.find((c) => c.cell.size === 4000)!;
    expect(missed.timeToTarget).toMatchObject({ status: 'not-converged', mlperfMs: null, medianMs: null, converged: 0 });
    expect(analysis.warnings.some((w) => w.code === 'not-converged' && w.subject === missed.cellId)).toBe(true);

    const args = ['run', '--runner', 'fake', '--out', out(), '--quiet', '--models', 'mlp-small', '--sizes', '2k,4k', '--workers', '1', '--target', 'accuracy=0.8', '--max-epochs', '30'];
    const failed = await runCli([...args, '--assert', 'timeToTarget@n=4k<=2s'], { env });
    expect(failed.code).toBe(1);
    expect(failed.stderr + failed.stdout).toMatch(/did not reach its target/);
    const passed = await runCli([...args, '--assert', 'timeToTarget@n=2k<=2s'], { env });
    expect(passed.code).toBe(0);
  });

  it('data-parallel weak scaling pays in epochs: statistical efficiency below 1, times hardware speedup', async () => {
    const { analysis } = await runJson(['--mode', 'data-parallel', '--scaling', 'weak', '--models', 'mlp-small', '--sizes', '8k', '--workers', '1,2', '--target', 'accuracy=0.8']);
    const [sweep] = analysis.timeToTargetScaling!;
    const w2 = sweep!.points.find((p) => p.workers === 2)!;
    expect(sweep!.scaling).toBe('weak');
    expect(w2.statisticalEfficiency!).toBeLessThan(0.95);
    expect(w2.predictedSpeedup!).toBeCloseTo(w2.hardwareSpeedup! * w2.statisticalEfficiency!, 12);
    expect(w2.epochsToTarget!).toBeGreaterThan(sweep!.points[0]!.epochsToTarget!);
  });
});

describe('learning curves and the quality suite', () => {
  it('run quality prints fitted learning curves with intervals and the size needed for the target', async () => {
    const { code, stdout } = await runCli(['run', 'quality', '--runner', 'fake', '--out', out(), '--report', 'json,png']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/mlp-small learning curve: error = [\d.,]+·n\^\(−[\d.]+ \[[\d.]+, [\d.]+\]\) \+ [\d.]+ \[[\d.]+, [\d.]+\] \(R² [\d.]+\) over 6 sizes/);
    expect(stdout).toMatch(/accuracy 0\.85 needs n ≈ [\d.]+k? \[[\d.]+k?, [\d.]+k?\]/);
  });

  it('a learning curve needs 4 sizes and training to convergence; stopping at the target fits nothing', async () => {
    const patient = await runJson(['--models', 'mlp-small', '--sizes', '1k,2k,4k,8k,16k', '--workers', '1', '--patience', '4', '--target', 'accuracy=0.85', '--repeats', '3']);
    const [curve] = patient.analysis.learningCurves!;
    expect(curve).toMatchObject({ verdict: 'power-law', metric: 'accuracy' });
    expect(curve!.fit!.alpha.low).not.toBeNull();
    expect(curve!.sizeForTarget).toMatchObject({ quality: 0.85, reachable: true });
    expect(curve!.band.length).toBeGreaterThan(0);
    const stopped = await runJson(['--models', 'mlp-small', '--sizes', '1k,2k,4k,8k', '--workers', '1', '--target', 'accuracy=0.8', '--repeats', '3']);
    expect(stopped.analysis.learningCurves![0]).toMatchObject({ verdict: 'stopped-at-target', fit: null, sizeForTarget: null });
    const few = await runJson(['--models', 'mlp-small', '--sizes', '1k,2k,4k', '--workers', '1', '--patience', '4', '--repeats', '3']);
    expect(few.analysis.learningCurves![0]).toMatchObject({ verdict: 'too-few-sizes', fit: null });
  });
});

describe('honest labels for the fixed budget', () => {
  it('every quality says its budget, and a quality at or below the trivial predictor is flagged undertrained with the fix', async () => {
    const env = { SCALE_BENCH_FAKE: JSON.stringify({ qualityDrop: { linear: 1.5 } }) };
    const { analysis } = await runJson(['--models', 'linear,mlp-small', '--sizes', '1k,2k', '--workers', '1', '--repeats', '3'], env);
    const linear = analysis.cells.filter((c) => c.cell.model === 'linear');
    for (const c of linear) {
      expect(c.quality!.value).toBeLessThan(0);
      expect(c.undertrained!.fix).toMatch(/--epochs \d+ .*--target r2=0\.9/);
    }
    for (const c of analysis.cells.filter((c) => c.cell.model === 'mlp-small')) expect(c.undertrained).toBeUndefined();
    expect(analysis.cells.find((c) => c.cell.size === 1000)!.budget).toEqual({ kind: 'fixed', epochs: 1, steps: 4, batchSize: 256 });
    expect(analysis.warnings.filter((w) => w.code === 'undertrained')).toHaveLength(2);
    const { stdout } = await runCli(['run', '--runner', 'fake', '--out', out(), '--report', 'json', '--models', 'linear', '--sizes', '1k', '--workers', '1', '--repeats', '3'], { env });
    expect(stdout).toMatch(/R² -0\.510 \(1 epoch, 4 steps\) undertrained/);
  });
});

describe('--target beside --data, and in a config file', () => {
  it('a bare name is the column to predict, metric=value the quality to reach', async () => {
    const { result } = await runJson(['--data', 'fixtures/data/iris.csv', '--target', 'species', '--target', 'accuracy=0.7', '--models', 'logistic', '--sizes', '60,120', '--workers', '1', '--repeats', '3']);
    expect(result.plan.datasets[0]!.source?.target).toBe('species');
    expect(result.plan.convergence?.targets).toEqual([{ metric: 'accuracy', value: 0.7 }]);
    // A user file has no known generating model: no ideal quality, but the trivial predictor still applies.
    expect(result.cells[0]!.idealQuality).toBeUndefined();
    expect(result.cells[0]!.trivialQuality?.metric).toBe('accuracy');
  });

  it('a config file\'s "targets" are checked with the file named', async () => {
    const dir = out();
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ models: ['mlp-small'], targets: ['f1=0.9'] }));
    const { code, stderr } = await runCli(['run', '--runner', 'fake', '--config', file, '--out', dir, '--quiet']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.json: targets "f1=0\.9": unknown metric "f1"/);
  });
});

describe('bad targets exit 2 with the fix', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown metric', ['--target', 'f1=0.8'], /--target "f1=0\.8": unknown metric "f1"; the metrics are accuracy and r2/],
    ['a target the task cannot have', ['--models', 'linear', '--target', 'accuracy=0.8'], /--target accuracy=0\.8: accuracy is a classification metric and no model in this sweep does classification \(linear: regression\); use --target r2=0\.8/],
    ['a target above 1', ['--target', 'accuracy=1.2'], /--target "accuracy=1\.2": accuracy is at most 1, so 1\.2 can never be reached/],
    ['--max-epochs 0', ['--target', 'accuracy=0.8', '--max-epochs', '0'], /--max-epochs 0: a trial needs at least 1 epoch to reach a target; .*--max-epochs 50/],
    ['a target above the ideal model', ['--models', 'mlp-small', '--target', 'accuracy=0.99'], /--target accuracy=0\.99: the best any model can reach on "classification" is accuracy 0\.9\d\d ± 0\.00\d .*choose a target below it/],
    ['a model without a target for its task', ['--models', 'linear,mlp-small', '--target', 'accuracy=0.8'], /model "linear" trains on regression data .* add --target r2=0\.9/],
    ['a metric given twice', ['--target', 'accuracy=0.8', '--target', 'acc=0.7'], /accuracy is given twice; give one target per metric/],
    ['--epochs with --target', ['--models', 'mlp-small', '--target', 'accuracy=0.8', '--epochs', '3'], /--epochs sets a fixed training budget; .*drop --epochs or use --max-epochs/],
    ['--max-epochs without a target', ['--max-epochs', '5'], /--max-epochs applies when training to a target: add --target/],
    ['--target in inference mode', ['--mode', 'inference', '--models', 'mlp-small', '--target', 'accuracy=0.8'], /--target trains models, --mode inference serves them/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const { code, stderr, stdout } = await runCli(['run', '--runner', 'fake', '--out', out(), '--quiet', ...args]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }
});
