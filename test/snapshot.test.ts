/**
 * Output snapshots: what the CLI prints and every report format it writes, for fixed inputs.
 * Taken before a refactoring, they prove it changed no byte a user sees; a deliberate change of the
 * output updates them (`npx vitest run test/snapshot.test.ts -u`) in the same commit that explains it.
 * Machine-specific values (paths, times, the machine fingerprint) are replaced by placeholders.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { gitCommit, machineId, readMachineFacts } from '../src/measure/environment.js';

const FIXTURES = join(process.cwd(), 'fixtures', 'baselines');

function files(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    })
    .sort();
}

const facts = readMachineFacts();
/** This machine's fingerprint as the reports print it, longest first so no value is half-replaced. */
const MACHINE_STRINGS: Array<[string, string]> = (
  [
    [facts.cpuModel, '<CPU>'],
    [facts.os, '<OS>'],
    [facts.node, '<NODE>'],
    [gitCommit() ?? '<no commit>', '<COMMIT>'],
    [machineId(facts), '<MACHINE-ID>'],
  ] as Array<[string, string]>
).sort((a, b) => b[0].length - a[0].length);

/** Replaces what differs from machine to machine and run to run. */
function normalise(text: string, out: string): string {
  let normalised = text.split(out).join('<OUT>').split(process.cwd()).join('<CWD>');
  for (const [value, placeholder] of MACHINE_STRINGS) normalised = normalised.split(value).join(placeholder);
  return normalised
    .replace(/<CPU>, \d+ cores, [\d.]+ GiB/g, '<CPU>, <N> cores, <MEM> GiB')
    .replace(/(<th scope="row">(?:hostname|logical cores|memory)<\/th><td>)[^<]*/g, '$1<MACHINE>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<TIME>')
    .replace(/("(?:cpuModel|hostname|os|node|gitCommit|machineId|arch)": )"[^"]*"/g, '$1"<MACHINE>"')
    .replace(/("(?:totalMemoryBytes|cores)": )\d+/g, '$1<N>')
    // When each canary reading was taken, in ms since the run started: wall-clock, so it differs run to run.
    .replace(/("atMs": )\d+/g, '$1<MS>')
    .replace(/^backend: (.*?), .*$/gm, 'backend: $1, <MACHINE>');
}

/** Every file the command wrote, as text (PNG files as their size and a hash: their pixels depend on the font rasteriser). */
function dump(out: string): string {
  return files(out)
    .filter((path) => !path.endsWith('vitest-results.json'))
    .map((path) => {
      const name = relative(out, path);
      const bytes = readFileSync(path);
      if (name.endsWith('.png')) return `=== ${name}\n<png ${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}>`;
      return `=== ${name}\n${shortenLongLines(collapseWhatIfScript(normalise(bytes.toString('utf8'), out)))}`;
    })
    .join('\n');
}

/** The what-if panel's script is the prediction code itself (many lines): kept as a hash, like chart.js. */
function collapseWhatIfScript(text: string): string {
  return text.replace(/<script>\(function \(\) \{\n  'use strict';\n  var el = document\.getElementById\('what-if-data'\);[\s\S]*?<\/script>/, (script) => `<script><what-if panel, ${script.length} chars, sha256 ${createHash('sha256').update(script).digest('hex').slice(0, 16)}></script>`);
}

/** The HTML report inlines chart.js and its data on single lines of hundreds of KB: kept as a hash and a prefix. */
function shortenLongLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.length > 2000 ? `${line.slice(0, 200)}... <${line.length} chars, sha256 ${createHash('sha256').update(line).digest('hex').slice(0, 16)}>` : line))
    .join('\n');
}

function temp(): string {
  return mkdtempSync(join(tmpdir(), 'sb-snap-'));
}

async function snapshotCommand(args: (out: string) => string[], file: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const out = temp();
  const { code, stdout, stderr } = await runCli(args(out), { env: { COLUMNS: '120', ...env } });
  const text = [`exit ${code}`, '--- stdout', normalise(stdout, out), '--- stderr', normalise(stderr, out), '--- files', dump(out)].join('\n');
  await expect(text).toMatchFileSnapshot(`./__snapshots__/${file}.txt`);
}

describe('output snapshots', () => {
  it('run --runner fake (job-parallel): terminal output and every report format', async () => {
    await snapshotCommand(
      (out) => ['run', '--runner', 'fake', '--models', 'linear,mlp-small,mlp-deep', '--sizes', '1k,2k,4k', '--workers', '1,2', '--repeats', '5', '--run-id', 'snap', '--out', out],
      'run-fake-job-parallel',
    );
  });

  it('run --runner fake in data-parallel and inference modes', async () => {
    await snapshotCommand(
      (out) => ['run', '--runner', 'fake', '--mode', 'data-parallel', '--models', 'mlp-small', '--sizes', '2k,4k', '--workers', '1,2', '--run-id', 'snap', '--out', out, '--report', 'csv,markdown,json'],
      'run-fake-data-parallel',
    );
    await snapshotCommand(
      (out) => ['run', '--runner', 'fake', '--mode', 'inference', '--models', 'mlp-small', '--sizes', '2k', '--workers', '1,2', '--concurrency', '1,4', '--run-id', 'snap', '--out', out, '--report', 'csv,markdown,json'],
      'run-fake-inference',
    );
  });

  it('run --runner fake --json', async () => {
    await snapshotCommand(
      (out) => ['run', '--runner', 'fake', '--models', 'linear', '--sizes', '1k,2k', '--workers', '1,2', '--run-id', 'snap', '--out', out, '--json', '--report', 'json'],
      'run-fake-json',
    );
  });

  it('report over two saved runs (overlay): every format', async () => {
    await snapshotCommand((out) => ['report', join(FIXTURES, 'baseline.json'), join(FIXTURES, 'mlp-deep-2x-slower.json'), '--out', out], 'report-overlay');
  });

  it('compare: table, JSON and the files it writes', async () => {
    await snapshotCommand((out) => ['compare', join(FIXTURES, 'baseline.json'), join(FIXTURES, 'mlp-deep-2x-slower.json'), '--out', out, '--all'], 'compare-table');
    await snapshotCommand((out) => ['compare', join(FIXTURES, 'baseline.json'), join(FIXTURES, 'mlp-small-quality-drop-0.1.json'), '--json', '--out', out], 'compare-json');
  });

  it('predict: predictions, budget, backtest; JSON with --workers auto', async () => {
    await snapshotCommand((out) => ['predict', join(FIXTURES, 'baseline.json'), '--size', '16k,64k', '--workers', '1,8', '--budget', '10m', '--backtest'], 'predict-text');
    await snapshotCommand((out) => ['predict', join(FIXTURES, 'baseline.json'), '--size', '64k', '--workers', 'auto', '--model', 'mlp-small', '--json'], 'predict-json');
  });

  it('PNG charts are byte-stable for a fixed input on one machine', async () => {
    // Not a committed snapshot (the rasteriser may differ between machines): two renders must agree.
    const hashes: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const out = temp();
      const { code } = await runCli(['report', join(FIXTURES, 'baseline.json'), '--out', out, '--report', 'png']);
      expect(code).toBe(0);
      hashes.push(files(out).map((path) => createHash('sha256').update(readFileSync(path)).digest('hex')));
    }
    expect(hashes[0]!.length).toBeGreaterThan(0);
    expect(hashes[1]).toEqual(hashes[0]);
  });
});
