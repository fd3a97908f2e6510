/**
 * The CI gate end to end through the built CLI with the fake runner: named baselines, exit codes,
 * messages, JSON, budgets, malformed input, and $GITHUB_STEP_SUMMARY.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import type { ComparisonFile } from '../src/report/json.js';

/** Small sweep: 2 models x 2 sizes x 2 widths, 6 repetitions (enough for the exact test to fire). */
const SWEEP = ['--runner', 'fake', '--models', 'mlp-small,mlp-deep', '--sizes', '1k,2k', '--workers', '1,2', '--repeats', '6', '--warmup', '0', '--report', 'json,markdown'];
const SLOW = { SCALE_BENCH_FAKE: JSON.stringify({ slowdown: { 'mlp-deep': 2 } }) };

/** Run folders in start order (by the startedAt each one recorded, not by name). */
function runDirs(out: string): string[] {
  const startedAt = (dir: string) => (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { startedAt: string }).startedAt;
  return readdirSync(out)
    .filter((name) => name !== 'baselines')
    .map((name) => join(out, name))
    .sort((a, b) => startedAt(a).localeCompare(startedAt(b)));
}

describe('run --save-baseline / --baseline', () => {
  let out: string;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'sb-gate-'));
    const saved = await runCli(['run', ...SWEEP, '--out', out, '--quiet', '--save-baseline', 'main']);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stderr).toContain(`baseline saved: ${join(out, 'baselines', 'main.json')}`);
  });

  it('an identical re-run against the baseline passes (exit 0), naming the raw gate', async () => {
    const { code, stdout, stderr } = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('gate: raw: same machine fingerprint and backend');
    expect(stdout).toMatch(/PASSED: 0 regressions, 0 improvements/);
    expect(stdout).toMatch(/geometric mean of wall-time ratios \(current \/ baseline\) over 8 cells: 1\.000x/);
    // The run's own reports include the comparison.
    const latest = runDirs(out).at(-1)!;
    expect(readFileSync(join(latest, 'summary.md'), 'utf8')).toContain('### Comparison');
    expect(existsSync(join(latest, 'comparison.json'))).toBe(true);
  });

  it('a 2x slower mlp-deep fails the run (exit 1) and names every regressed cell with its change', async () => {
    const { code, stdout } = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main'], { env: SLOW });
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAILED: \d+ regressions/);
    for (const size of [1000, 2000]) {
      for (const w of [1, 2]) {
        expect(stdout).toContain(`regressed wallMs of mlp-deep|classification|n=${size}|w=${w}|job-parallel: +100.0%`);
      }
    }
    expect(stdout).not.toMatch(/regressed wallMs of mlp-small/);
  });

  it('the confirm step re-runs regressed cells after the sweep; a burst of load that is gone by then fails nothing', async () => {
    // Load the canary did not see, on one cell, gone by the time the confirm step runs.
    const burst = { SCALE_BENCH_FAKE: JSON.stringify({ machine: { factor: 1.6, cells: ['mlp-deep|classification|n=2000|w=1'], canarySees: 0, inConfirm: 'gone' } }) };
    const confirmed = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main', '--json'], { env: burst });
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stderr).toMatch(/^confirm: \d+ cells? behind a regression runs? once more, with the canary read around each/m);
    expect(confirmed.stderr).toContain('  re-run ✓ mlp-deep classification n=2k w=1');
    const parsed = JSON.parse(confirmed.stdout) as { comparison: ComparisonFile['comparison']; result: { cells: Array<{ confirmation?: unknown }> } };
    expect(parsed.comparison.regressions).toBe(0);
    expect(parsed.comparison.confirm!.confirmed).toBe(0);
    const m = parsed.comparison.metrics.find((x) => x.metric === 'wallMs' && x.subject === 'mlp-deep|classification|n=2000|w=1|job-parallel')!;
    expect(m.verdict).toBe('inconclusive');
    expect(m.note).toMatch(/^not confirmed: the re-run after the sweep measured/);
    expect(parsed.result.cells.filter((c) => c.confirmation).length).toBeGreaterThan(0);
    // --no-confirm: the first measurement decides.
    const unconfirmed = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main', '--no-confirm'], { env: burst });
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).not.toContain('confirm:');
    expect(unconfirmed.stdout).toContain('regressed wallMs of mlp-deep|classification|n=2000|w=1|job-parallel: +60.0%');
  });

  it('a slower machine is inconclusive, not a regression; --normalise canary judges times divided by it', async () => {
    const loaded = { SCALE_BENCH_FAKE: JSON.stringify({ machine: { factor: 1.5 } }) };
    const raw = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main'], { env: loaded });
    expect(raw.code, raw.stdout).toBe(0);
    expect(raw.stdout).toMatch(/inconclusive wallMs of mlp-deep\|classification\|n=1000\|w=1\|job-parallel: the machine's speed changed by \+50% \(canary\)/);
    expect(raw.stdout).toMatch(/machine speed \(canary, current vs baseline reading per cell\): median \+50% over 8 cells/);
    expect(raw.stdout).toMatch(/! the machine's speed changed between the runs by \+50% \(canary/);
    const normalised = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main', '--normalise', 'canary', '--json'], { env: loaded });
    expect(normalised.code).toBe(0);
    const c = (JSON.parse(normalised.stdout) as { comparison: ComparisonFile['comparison'] }).comparison;
    expect(c.canary?.normalised).toBe(true);
    for (const m of c.metrics.filter((x) => x.metric === 'wallMs')) {
      expect(Math.abs(m.change)).toBeLessThan(0.05);
      expect(m.note).toMatch(/^judged on times divided by the machine's slowdown/);
    }
    const bad = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main', '--normalise', 'cpu']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--normalise.*cpu.*none, canary/);
  });

  it('--json carries the comparison and the verdict; the failure lines go to stderr', async () => {
    const { code, stdout, stderr } = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main', '--json'], { env: SLOW });
    expect(code).toBe(1);
    const parsed = JSON.parse(stdout) as { gatePassed: boolean; comparison: { regressions: number; gateMode: string } };
    expect(parsed.gatePassed).toBe(false);
    expect(parsed.comparison.gateMode).toBe('raw');
    expect(parsed.comparison.regressions).toBeGreaterThanOrEqual(4);
    expect(stderr).toContain('regressed wallMs of mlp-deep|classification|n=1000|w=1|job-parallel');
  });

  it('wide enough thresholds let the 2x slowdown through', async () => {
    // Raw time doubled, and the time-vs-parameters exponent (2 models) grew by 0.2 (its band is absolute): both bands must be wider.
    const timeOnly = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main', '--threshold', 'wallMs=150%'], { env: SLOW });
    expect(timeOnly.code).toBe(1);
    expect(timeOnly.stdout).toMatch(/regressed paramsExponent of classification\|n=1000\|w=1\|job-parallel: \+0\.2\d\d /);
    expect(timeOnly.stdout).not.toMatch(/regressed wallMs/);
    const both = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main', '--threshold', 'wallMs=150%', '--threshold', 'exponent=0.5'], { env: SLOW });
    expect(both.code, both.stdout).toBe(0);
  });

  it('budgets pass and fail with messages naming the budget and the value', async () => {
    const pass = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main', '--assert', 'mlp-deep.exponent<=1.1']);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toMatch(/✓ mlp-deep\.exponent<=1\.1 passed: exponent 1\.\d+/);
    // Without a baseline, budgets alone gate the run.
    const fail = await runCli(['run', ...SWEEP, '--out', out, '--assert', 'efficiency@2>=0.99']);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/✗ efficiency@2>=0\.99 failed: efficiency 0\.9\d+ \(worst of 4, on .*\) is below the limit 0\.99/);
    expect(fail.stdout).toMatch(/FAILED: 1 of 1 budgets failed/);
  });

  it('a malformed budget or a missing baseline is exit 2, before anything runs', async () => {
    const before = runDirs(out).length;
    const bad = await runCli(['run', ...SWEEP, '--out', out, '--assert', 'mlp-deep.exponent=<1.1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--assert "mlp-deep.exponent=<1.1"');
    expect(bad.stderr).toContain('budget grammar: [model[@dataset].]metric[@selector]<op>number[unit]');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const missing = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'nightly']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--baseline nightly: no baseline at ${join(out, 'baselines', 'nightly.json')}`);
    expect(missing.stderr).toContain('--save-baseline nightly');
    const badName = await runCli(['run', ...SWEEP, '--out', out, '--save-baseline', '..oops']);
    expect(badName.code).toBe(2);
    expect(runDirs(out).length).toBe(before);
  });

  it('appends the Markdown summary to $GITHUB_STEP_SUMMARY', async () => {
    const summary = join(out, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    const { code } = await runCli(['run', ...SWEEP, '--out', out, '--baseline', 'main', '--quiet'], { env: { ...SLOW, GITHUB_STEP_SUMMARY: summary } });
    expect(code).toBe(1);
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n')).toBe(true);
    expect(text).toContain('### Comparison');
    expect(text).toContain('❌ failed');
    expect(text).toMatch(/🔴 regressed \| wallMs \| mlp-deep/);
  });
});

describe('scale-bench compare', () => {
  let out: string;
  let base: string;
  let same: string;
  let slow: string;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'sb-compare-'));
    for (const env of [{}, {}, SLOW]) {
      const r = await runCli(['run', ...SWEEP, '--out', out, '--quiet', '--report', 'json'], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    [base, same, slow] = runDirs(out).map((dir) => join(dir, 'results.json')) as [string, string, string];
  });

  it('exits 0 for no regression and 1 for a regression, naming cell and change', async () => {
    const ok = await runCli(['compare', base, same]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('PASSED');
    const bad = await runCli(['compare', base, slow]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('regressed wallMs of mlp-deep|classification|n=2000|w=2|job-parallel: +100.0%');
    expect(bad.stdout).toMatch(/mann-whitney-exact, p=0\.0022/);
  });

  it('accepts run folders and --json; writes --out files and the step summary', async () => {
    const summary = join(out, 'summary-compare.md');
    const dest = join(out, 'cmp');
    const { code, stdout } = await runCli(['compare', join(base, '..'), join(slow, '..'), '--json', '--out', dest], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(code).toBe(1);
    const file = JSON.parse(stdout) as ComparisonFile;
    expect(file.schemaVersion).toBe(1);
    expect(file.comparison.passed).toBe(false);
    expect(file.comparison.geometricMeanRatio).toBeCloseTo(Math.SQRT2, 6);
    expect(JSON.parse(readFileSync(join(dest, 'comparison.json'), 'utf8'))).toEqual(file);
    expect(readFileSync(join(dest, 'summary.md'), 'utf8')).toContain('### Comparison');
    expect(readFileSync(summary, 'utf8')).toContain('### Comparison');
  });

  it('--gate shape stops raw times from failing; --gate-config supplies budgets and thresholds', async () => {
    expect((await runCli(['compare', base, slow, '--gate', 'shape'])).code).toBe(0);
    const config = join(out, 'gate.json');
    writeFileSync(config, JSON.stringify({ assert: ['efficiency@2>=0.5'], threshold: { wallMs: '150%', exponent: 0.5 } }));
    expect((await runCli(['compare', base, slow, '--gate-config', config])).code).toBe(0);
    writeFileSync(config, JSON.stringify({ assert: ['efficiency@2>=0.99'] }));
    const failed = await runCli(['compare', base, same, '--gate-config', config]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('efficiency@2>=0.99 failed');
  });

  it('usage and input errors exit 2 with one line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['compare', base, join(out, 'missing.json')], /current .*missing\.json: no baseline at .*missing\.json/],
      [['compare', base], /missing required argument 'current'/],
      [['compare', base, same, '--assert', 'efficiency>=0.8'], /needs a pool width/],
      [['compare', base, same, '--threshold', '10'], /write 10% for 10 percent/],
    ];
    const garbage = join(out, 'garbage.json');
    writeFileSync(garbage, '{"schemaVersion": 1}');
    cases.push([['compare', garbage, same], /garbage\.json: is not a valid scale-bench results file/]);
    const badConfig = join(out, 'bad-config.json');
    writeFileSync(badConfig, '{"asserts": []}');
    cases.push([['compare', base, same, '--gate-config', badConfig], /bad-config\.json: is not a gate config/]);
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  });

  it('documents the exit codes in --help', async () => {
    const { code, stdout } = await runCli(['compare', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/0\s+no regression/);
    expect(stdout).toMatch(/1\s+a gated regression or a failed budget/);
    expect(stdout).toMatch(/2\s+usage or input error/);
    const run = await runCli(['run', '--help']);
    expect(run.stdout).toContain('--baseline <name|file>');
    expect(run.stdout).toContain('--assert <budget>');
  });
});
