/**
 * The gate's false-alarm and detection rates, measured on real runs of this machine (`npm run bench:gate`):
 *
 *   for each of N tries:  run --save-baseline            (a fresh baseline)
 *                         run --baseline, same commit     (with a busy core during the run for the first L tries)
 *                         run --baseline, every cell S1 times slower (SCALE_BENCH_FAULTS slow), for each S
 *
 * A false alarm is a gated regression in a same-commit pair; a slowdown is caught when its run fails the gate.
 * Prints one line per run and the totals, and writes everything as JSON (reports/bench/gate-<time>.json).
 *
 * Flags:
 *   --tries <n>          baselines (default 10); each gets one same-commit run and one run per slowdown
 *   --loaded <n>         of the same-commit runs, how many run beside a busy core (default half the tries)
 *   --slowdowns <list>   code slowdown factors to detect (default 1.2,2)
 *   --sweep "<args>"     the sweep of every run (default "--quick --repeats 6")
 *   --out <dir>          where the runs go (default a temporary folder, removed at the end)
 *   --json-out <file>    where to write the JSON
 *   --smoke              the fake runner with a simulated load instead of a busy core: checks this script in seconds
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBusyLoop } from './busy-loop.js';
import type { Comparison } from '../src/gate/schema.js';
import { writeFileAtomic } from '../src/results/write.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'scale-bench.js');

export interface GateBenchOptions {
  tries: number;
  loaded: number;
  slowdowns: number[];
  sweep: string[];
  smoke: boolean;
  out?: string;
}

export interface GateBenchRun {
  try: number;
  kind: 'same-commit' | 'same-commit, busy core' | `${number}x slower`;
  exitCode: number | null;
  wallMs: number;
  regressions: number;
  /** The regressions' metric and subject. */
  regressed: string[];
  /** Verdicts the canary turned into 'inconclusive'; regressions the confirm step checked and confirmed. */
  canaryMedianChange: number | null;
  canaryAffected: number;
  confirmChecked: number;
  confirmConfirmed: number;
}

export interface GateBenchSummary {
  pairs: number;
  loadedPairs: number;
  falseAlarmRuns: number;
  falseAlarmRegressions: number;
  detection: Array<{ slowdown: number; caught: number; tries: number }>;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; wallMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr, wallMs: performance.now() - started }));
  });
}

/** Counts of a finished comparison run (exit 0 or 1); throws on anything else, naming the run. */
function summariseRun(t: number, kind: GateBenchRun['kind'], outcome: Awaited<ReturnType<typeof cli>>): GateBenchRun {
  if (outcome.code !== 0 && outcome.code !== 1) throw new Error(`try ${t}, ${kind}: scale-bench exited ${outcome.code}: ${outcome.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const { comparison } = JSON.parse(outcome.stdout) as { comparison: Comparison };
  const regressed = comparison.metrics.filter((m) => m.gated && m.verdict === 'regressed');
  return {
    try: t,
    kind,
    exitCode: outcome.code,
    wallMs: outcome.wallMs,
    regressions: comparison.regressions,
    regressed: regressed.map((m) => `${m.metric} ${m.subject}`),
    canaryMedianChange: comparison.canary?.medianChange ?? null,
    canaryAffected: comparison.canary?.affectedVerdicts ?? 0,
    confirmChecked: comparison.confirm?.checked ?? 0,
    confirmConfirmed: comparison.confirm?.confirmed ?? 0,
  };
}

export function summariseGateBench(runs: readonly GateBenchRun[], options: Pick<GateBenchOptions, 'slowdowns'>): GateBenchSummary {
  const same = runs.filter((r) => r.kind.startsWith('same-commit'));
  return {
    pairs: same.length,
    loadedPairs: same.filter((r) => r.kind === 'same-commit, busy core').length,
    falseAlarmRuns: same.filter((r) => r.regressions > 0).length,
    falseAlarmRegressions: same.reduce((sum, r) => sum + r.regressions, 0),
    detection: options.slowdowns.map((slowdown) => {
      const tries = runs.filter((r) => r.kind === `${slowdown}x slower`);
      return { slowdown, caught: tries.filter((r) => r.exitCode === 1 && r.regressions > 0).length, tries: tries.length };
    }),
  };
}

export function describeRun(r: GateBenchRun): string {
  const canary = r.canaryMedianChange === null ? 'no canary' : `canary ${r.canaryMedianChange >= 0 ? '+' : ''}${(r.canaryMedianChange * 100).toFixed(0)}% (${r.canaryAffected} verdicts it explained)`;
  const confirm = r.confirmChecked > 0 ? `, confirm step ${r.confirmConfirmed}/${r.confirmChecked} confirmed` : '';
  return `try ${r.try} ${r.kind.padEnd(22)} exit ${r.exitCode}  ${String(r.regressions).padStart(3)} regressions  ${canary}${confirm}  ${(r.wallMs / 1000).toFixed(1)} s`;
}

export function describeSummary(s: GateBenchSummary): string[] {
  return [
    `false alarms: ${s.falseAlarmRegressions} regressions in ${s.pairs} same-commit pairs (${s.loadedPairs} with a busy core during the current run); ${s.falseAlarmRuns} of ${s.pairs} runs failed`,
    ...s.detection.map((d) => `detection: a ${d.slowdown}x slowdown of every cell failed the gate in ${d.caught} of ${d.tries} tries`),
  ];
}

/** Runs the whole measurement; `say` gets one line per run as it finishes. */
export async function runGateBench(options: GateBenchOptions, say: (line: string) => void = () => {}): Promise<{ runs: GateBenchRun[]; summary: GateBenchSummary }> {
  const out = options.out ?? mkdtempSync(join(tmpdir(), 'sb-gate-bench-'));
  const sweep = options.smoke
    ? ['--runner', 'fake', '--models', 'mlp-small,mlp-deep', '--sizes', '1000,2000', '--workers', '1,2', '--repeats', '6', '--warmup', '0']
    : options.sweep;
  const base = ['run', ...sweep, '--out', out, '--report', 'json'];
  const runs: GateBenchRun[] = [];
  try {
    for (let t = 1; t <= options.tries; t++) {
      const name = `try-${t}`;
      const saved = await cli([...base, '--quiet', '--save-baseline', name], {});
      if (saved.code !== 0) throw new Error(`try ${t}: the baseline run exited ${saved.code}: ${saved.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const compareArgs = [...base, '--json', '--baseline', name];
      const loaded = t <= options.loaded;
      let same;
      if (loaded && options.smoke) {
        // The fake runner cannot feel a busy core: it simulates one on the 2-worker cells instead.
        same = await cli(compareArgs, { SCALE_BENCH_FAKE: JSON.stringify({ machine: { factor: 1.6, cells: ['|w=2|'] } }) });
      } else if (loaded) {
        const loop = await startBusyLoop(0);
        try {
          same = await cli(compareArgs, {});
        } finally {
          await loop.stop();
        }
      } else same = await cli(compareArgs, {});
      runs.push(summariseRun(t, loaded ? 'same-commit, busy core' : 'same-commit', same));
      say(describeRun(runs.at(-1)!));
      for (const slowdown of options.slowdowns) {
        const env = options.smoke
          ? { SCALE_BENCH_FAKE: JSON.stringify({ slowdown: { 'mlp-small': slowdown, 'mlp-deep': slowdown } }) }
          : { SCALE_BENCH_FAULTS: JSON.stringify({ slow: { '|': slowdown } }) };
        runs.push(summariseRun(t, `${slowdown}x slower`, await cli(compareArgs, env)));
        say(describeRun(runs.at(-1)!));
      }
    }
  } finally {
    if (!options.out) rmSync(out, { recursive: true, force: true });
  }
  return { runs, summary: summariseGateBench(runs, options) };
}

function parseOptions(argv: string[]): GateBenchOptions & { jsonOut?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      tries: { type: 'string' },
      loaded: { type: 'string' },
      slowdowns: { type: 'string' },
      sweep: { type: 'string' },
      out: { type: 'string' },
      'json-out': { type: 'string' },
      smoke: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const count = (text: string | undefined, flag: string, fallback: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${flag}: "${text}" is not a whole number >= 0`);
    return n;
  };
  const tries = count(values.tries, '--tries', values.smoke ? 2 : 10);
  const slowdowns = (values.slowdowns ?? '1.2,2').split(',').map((s) => Number(s.trim()));
  if (slowdowns.some((s) => !(s > 1))) throw new Error(`--slowdowns: "${values.slowdowns}" must be factors above 1, e.g. 1.2,2`);
  return {
    tries,
    loaded: Math.min(tries, count(values.loaded, '--loaded', Math.ceil(tries / 2))),
    slowdowns,
    sweep: (values.sweep ?? '--quick --repeats 6').split(/\s+/).filter(Boolean),
    smoke: values.smoke === true,
    ...(values.out ? { out: resolve(values.out) } : {}),
    ...(values['json-out'] ? { jsonOut: resolve(values['json-out']) } : {}),
  };
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`gate-false-alarms: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const startedAt = new Date();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`gate false alarms and detection: ${options.tries} tries of \`scale-bench run ${options.smoke ? '(fake runner, smoke)' : options.sweep.join(' ')}\`, slowdowns ${options.slowdowns.join(', ')}`);
  const { runs, summary } = await runGateBench(options, say);
  for (const line of describeSummary(summary)) say(line);
  const jsonOut = options.jsonOut ?? join(ROOT, 'reports', 'bench', `gate-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFileAtomic(jsonOut, `${JSON.stringify({ startedAt: startedAt.toISOString(), options, summary, runs }, null, 2)}\n`);
  say(`wrote ${jsonOut}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`gate-false-alarms: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
