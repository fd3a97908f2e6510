/**
 * End-to-end time of the CLI as a user runs it: `scale-bench run --quick` and the default sweep, from
 * process start to exit, reports included. From each run's results it also tells how much of that time
 * was timed training, so the rest (start-up, warm-ups, model builds, evaluation, data, reports) shows.
 *
 * Run: npx tsx benchmarks/e2e.ts [--skip-default]   (needs `npm run build`)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { RunResult } from '../src/results/schema.js';

export interface E2eOptions {
  /** Also run the default sweep (minutes); default true. */
  includeDefault?: boolean;
  /** Runner for the sweeps: 'tfjs' (default) or 'fake' (instant; for testing this benchmark). */
  runner?: 'tfjs' | 'fake';
  /** Extra arguments for every `run`, e.g. ["--backend", "cpu"]. */
  extraArgs?: string[];
  /** CLI start-ups (`--version`) to time; the median is reported (default 3). */
  startupRepeats?: number;
}

export interface E2eRun {
  name: 'quick' | 'default';
  /** The command line after `scale-bench`. */
  args: string[];
  exitCode: number | null;
  /** Process start to exit, in ms. */
  wallMs: number;
  cells: number;
  /** Cells whose every repetition finished ok. */
  okCells: number;
  /** Sum of the counted trials' timed training (wall) over all cells, in ms. */
  timedTrainingMs: number;
  /** timedTrainingMs / wallMs: the share of the run spent in what is measured; null for the fake runner, whose times are invented. */
  timedShare: number | null;
}

export interface E2eBenchResult {
  /** Median time of `scale-bench --version` (Node start + loading the CLI), in ms. */
  cliStartupMs: number;
  runs: E2eRun[];
}

const BIN = fileURLToPath(new URL('../bin/scale-bench.js', import.meta.url));

function timeCli(args: string[]): Promise<{ code: number | null; ms: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, stderr }));
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Training time and cell counts of a finished run; pure. */
export function summariseRun(result: RunResult, wallMs: number): Pick<E2eRun, 'cells' | 'okCells' | 'timedTrainingMs' | 'timedShare'> {
  const timedTrainingMs = result.cells.reduce((sum, cell) => sum + cell.trials.reduce((s, t) => s + (t.state === 'ok' ? t.wallMs : 0), 0), 0);
  const okCells = result.cells.filter((cell) => cell.trials.length > 0 && cell.trials.every((t) => t.state === 'ok')).length;
  const timedShare = result.environment.runner === 'fake' ? null : wallMs > 0 ? timedTrainingMs / wallMs : 0;
  return { cells: result.cells.length, okCells, timedTrainingMs, timedShare };
}

async function sweep(name: E2eRun['name'], sweepArgs: string[], options: E2eOptions): Promise<E2eRun> {
  const out = mkdtempSync(join(tmpdir(), 'sb-bench-e2e-'));
  const runId = `bench-${name}`;
  const args = ['run', ...sweepArgs, '--quiet', '--out', out, '--run-id', runId, ...(options.runner === 'fake' ? ['--runner', 'fake'] : []), ...(options.extraArgs ?? [])];
  try {
    const { code, ms, stderr } = await timeCli(args);
    let summary: ReturnType<typeof summariseRun> = { cells: 0, okCells: 0, timedTrainingMs: 0, timedShare: null };
    try {
      summary = summariseRun(JSON.parse(readFileSync(join(out, runId, 'results.json'), 'utf8')) as RunResult, ms);
    } catch {
      throw new Error(`scale-bench ${args.join(' ')} exited ${String(code)} without results:\n${stderr}`);
    }
    return { name, args: args.map((arg) => (arg === out ? '<temp folder>' : arg)), exitCode: code, wallMs: ms, ...summary };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function runE2eBench(options: E2eOptions = {}): Promise<E2eBenchResult> {
  const startups: number[] = [];
  for (let i = 0; i < (options.startupRepeats ?? 3); i++) startups.push((await timeCli(['--version'])).ms);
  const runs = [await sweep('quick', ['--quick'], options)];
  if (options.includeDefault !== false) runs.push(await sweep('default', [], options));
  return { cliStartupMs: median(startups), runs };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runE2eBench({ includeDefault: !process.argv.includes('--skip-default') });
  console.log(JSON.stringify(result, null, 2));
}
