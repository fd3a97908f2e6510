/**
 * Do predict's intervals hold on real training? The acceptance check of `scale-bench predict`:
 *
 *   1. sweep:  run --models mlp-small,mlp-deep --sizes 2k,4k,8k,16k --workers 1,2
 *   2. backtest: predict <sweep> --backtest   -> median |error| of the held-out largest size (goal ≤ 15%)
 *   3. predict <sweep> --size 64k --workers 1 -> a 95% prediction interval per model
 *   4. a separate run at 64k, w=1             -> does each measured median fall inside its interval?
 *
 * Timings depend on the machine being quiet: run it on an idle machine for numbers worth quoting.
 *
 * Run: npx tsx benchmarks/predict-check.ts [--out dir] [--sweep dir] [--check dir] [--runner fake]
 *      (needs `npm run build`; --sweep / --check reuse finished runs instead of measuring again)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunResult } from '../src/results/schema.js';
import type { PredictionFile } from '../src/predict/schema.js';

export const SWEEP_ARGS = ['--models', 'mlp-small,mlp-deep', '--sizes', '2k,4k,8k,16k', '--workers', '1,2'];
export const CHECK_ARGS = ['--models', 'mlp-small,mlp-deep', '--sizes', '64k', '--workers', '1'];
/** Goal for the held-out largest size: median |relative error| at most this. */
export const BACKTEST_GOAL = 0.15;

export interface PredictCheckOptions {
  /** Folder for the two runs (default: a new temporary folder). */
  out?: string;
  /** Reuse a finished sweep (run folder) instead of running it. */
  sweepDir?: string;
  /** Reuse a finished 64k run (run folder) instead of running it. */
  checkDir?: string;
  runner?: 'tfjs' | 'fake';
}

export interface ModelCheck {
  model: string;
  predicted: { estimate: number; low: number | null; high: number | null };
  /** Median wall time of the separate 64k run's repetitions, ms. */
  measured: number;
  inside: boolean;
}

export interface PredictCheckResult {
  commands: string[];
  sweepDir: string;
  checkDir: string;
  backtest: { medianAbsErrorLargestSize: number | null; coverageLargestSize: number | null; line: string };
  models: ModelCheck[];
  passed: { backtest: boolean; contains64k: boolean };
}

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/scale-bench.js', import.meta.url));

/** The built CLI in a child process; a non-zero exit is returned, not thrown. */
async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 * 2 ** 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : null, stdout: failed.stdout ?? '', stderr: failed.stderr ?? String(error) };
  }
}

async function run(args: string[], out: string, runId: string, runner: PredictCheckOptions['runner'], commands: string[]): Promise<string> {
  const full = ['run', ...args, '--out', out, '--run-id', runId, '--report', 'json', '--quiet', ...(runner === 'fake' ? ['--runner', 'fake'] : [])];
  commands.push(`scale-bench ${full.join(' ')}`);
  const { code, stderr } = await cli(full);
  const dir = join(out, runId);
  if (!readdirSync(out).includes(runId)) throw new Error(`scale-bench ${full.join(' ')} exited ${String(code)} without results:\n${stderr}`);
  return dir;
}

async function predict(args: string[], commands: string[]): Promise<PredictionFile> {
  const full = ['predict', ...args, '--json'];
  commands.push(`scale-bench ${full.join(' ')}`);
  const { code, stdout, stderr } = await cli(full);
  if (code !== 0) throw new Error(`scale-bench ${full.join(' ')} exited ${String(code)}:\n${stderr}`);
  return JSON.parse(stdout) as PredictionFile;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function runPredictCheck(options: PredictCheckOptions = {}): Promise<PredictCheckResult> {
  const out = options.out ?? mkdtempSync(join(tmpdir(), 'sb-predict-check-'));
  const commands: string[] = [];
  const sweepDir = options.sweepDir ?? (await run(SWEEP_ARGS, out, 'predict-check-sweep', options.runner, commands));
  const backtest = (await predict([sweepDir, '--backtest'], commands)).backtest!;
  const predictions = (await predict([sweepDir, '--size', '64k', '--workers', '1'], commands)).predictions;
  const checkDir = options.checkDir ?? (await run(CHECK_ARGS, out, 'predict-check-64k', options.runner, commands));
  const check = JSON.parse(readFileSync(join(checkDir, 'results.json'), 'utf8')) as RunResult;

  const models: ModelCheck[] = [];
  for (const p of predictions) {
    const cell = check.cells.find((c) => c.cell.model === p.model && c.cell.size === 64_000 && c.cell.workers === 1);
    const ok = cell?.trials.filter((t) => t.state === 'ok').map((t) => t.wallMs) ?? [];
    if (!p.wallMs || ok.length === 0) continue;
    const measured = median(ok);
    const inside = p.wallMs.low !== null && p.wallMs.high !== null && p.wallMs.low <= measured && measured <= p.wallMs.high;
    models.push({ model: p.model, predicted: p.wallMs, measured, inside });
  }
  const size = backtest.size;
  const line = `backtest, largest size held out: median |error| ${size.medianAbsError === null ? 'n/a' : `${(size.medianAbsError * 100).toFixed(1)}%`}, ${size.coverage === null ? 'no intervals' : `${Math.round(size.coverage * size.intervals)}/${size.intervals} inside`}`;
  return {
    commands,
    sweepDir,
    checkDir,
    backtest: { medianAbsErrorLargestSize: size.medianAbsError, coverageLargestSize: size.coverage, line },
    models,
    passed: {
      backtest: size.medianAbsError !== null && size.medianAbsError <= BACKTEST_GOAL,
      contains64k: models.length > 0 && models.every((m) => m.inside),
    },
  };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = flag('--out');
  const sweepDir = flag('--sweep');
  const checkDir = flag('--check');
  const result = await runPredictCheck({ ...(out ? { out } : {}), ...(sweepDir ? { sweepDir } : {}), ...(checkDir ? { checkDir } : {}), ...(flag('--runner') === 'fake' ? { runner: 'fake' as const } : {}) });
  for (const command of result.commands) console.log(`$ ${command}`);
  console.log(result.backtest.line, result.passed.backtest ? `(goal ≤ ${BACKTEST_GOAL * 100}%: met)` : `(goal ≤ ${BACKTEST_GOAL * 100}%: NOT met)`);
  for (const m of result.models) {
    const ms = (x: number | null) =>
      x === null ? 'n/a' : x >= 3_600_000 ? `${Number((x / 3_600_000).toPrecision(3))} h` : x >= 60_000 ? `${Number((x / 60_000).toPrecision(3))} min` : x >= 1000 ? `${(x / 1000).toPrecision(3)} s` : `${x.toPrecision(3)} ms`;
    console.log(`${m.model} at n=64k, w=1: predicted ${ms(m.predicted.estimate)} [${ms(m.predicted.low)}, ${ms(m.predicted.high)}], measured ${ms(m.measured)}: ${m.inside ? 'inside' : 'OUTSIDE'}`);
  }
  console.log(JSON.stringify(result, null, 2));
  process.exitCode = result.passed.backtest && result.passed.contains64k ? 0 : 1;
}
