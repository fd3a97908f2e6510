#!/usr/bin/env node
/**
 * `npm run bench`: scale-bench's own performance, measured in one run on this machine.
 *   (a) harness overhead: samples/s through scale-bench vs the same loop run directly (target >= 0.97)
 *   (b) dataset generation: values/s for 1,000,000 x 32 (target >= 50 million)
 *   (c) worker cold start per backend
 *   (d) end-to-end time of `run --quick` and of the default sweep
 * plus the per-kernel training throughput of benchmarks/throughput.ts when it is there, and with
 * --reference torch the same training side by side with PyTorch (benchmarks/reference.ts).
 * Writes everything as JSON (reports/bench/) and prints the headline numbers.
 *
 * The TypeScript benchmark modules are loaded with tsx (a devDependency); the CLI and the pool's worker
 * run from dist/, which `npm run bench` builds first.
 *
 * Flags:
 *   --skip-default        leave out the default sweep (the long part: minutes)
 *   --only <list>         run only some of: overhead,datagen,coldstart,throughput,e2e
 *   --rounds <n>          overhead rounds (default 21)
 *   --reference torch     also train the built-in models in PyTorch, interleaved with scale-bench, and
 *                         print the ratios (needs a Python with torch; without one it says why and goes on)
 *   --reference-rounds n  rounds of that comparison (default 5)
 *   --json-out <file>     where to write the JSON (default reports/bench/bench-<time>.json)
 *   --smoke               tiny sizes and the fake runner for the sweeps: checks this script in seconds
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const SECTIONS = ['overhead', 'datagen', 'coldstart', 'throughput', 'reference', 'e2e'];
const REFERENCES = ['torch'];
const DATAGEN_TARGET = 50e6;

function usage(message) {
  process.stderr.write(
    `run-bench: ${message}\nusage: npm run bench -- [--skip-default] [--only ${SECTIONS.join(',')}] [--rounds n] ` +
      `[--reference torch] [--reference-rounds n] [--json-out file] [--smoke]\n`,
  );
  process.exit(2);
}

function parse(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        'skip-default': { type: 'boolean', default: false },
        only: { type: 'string' },
        rounds: { type: 'string' },
        reference: { type: 'string' },
        'reference-rounds': { type: 'string' },
        'json-out': { type: 'string' },
        smoke: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (error) {
    usage(error.message);
  }
  const { values } = parsed;
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : SECTIONS;
  for (const name of only) if (!SECTIONS.includes(name)) usage(`--only: unknown benchmark "${name}"; choose from ${SECTIONS.join(', ')}`);
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 1)) usage(`--rounds: "${values.rounds}" is not a whole number >= 1`);
  const reference = values.reference;
  if (reference !== undefined && !REFERENCES.includes(reference)) usage(`--reference: unknown reference "${reference}"; choose from ${REFERENCES.join(', ')}`);
  if (values.only && only.includes('reference') && reference === undefined) usage('--only reference needs --reference torch');
  const referenceRounds = values['reference-rounds'] === undefined ? undefined : Number(values['reference-rounds']);
  if (referenceRounds !== undefined && (!Number.isInteger(referenceRounds) || referenceRounds < 1)) {
    usage(`--reference-rounds: "${values['reference-rounds']}" is not a whole number >= 1`);
  }
  return { skipDefault: values['skip-default'], only, rounds, reference, referenceRounds, jsonOut: values['json-out'], smoke: values.smoke };
}

async function load(name) {
  return tsImport(`./${name}.ts`, import.meta.url);
}

const fmt = (x, digits = 0) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const seconds = (ms) => `${fmt(ms / 1000, 1)} s`;
const mark = (ok) => (ok ? 'ok' : 'BELOW TARGET');

function describeOverhead(o) {
  const fit = o.fitSamplesPerSec === null ? '' : `; model.fit by hand: ${fmt(o.fitSamplesPerSec)} samples/s (scale-bench is ${fmt(o.harness / o.fitSamplesPerSec, 2)}x)`;
  return [
    `(a) harness overhead   ${o.model} n=${fmt(o.size)} w=1 on ${o.backend}, ${o.rounds} alternating rounds`,
    `    through scale-bench ${fmt(o.harness)} samples/s vs direct ${fmt(o.direct)} samples/s (medians)`,
    `    overhead ratio ${fmt(o.ratio, 3)} (median of per-round ratios; target >= ${o.target}) ${mark(o.ratio >= o.target)}`,
    `    ratio of medians ${fmt(o.ratioOfMedians, 3)}, of the fastest trials ${fmt(o.ratioOfBest, 3)} (the least disturbed by other load)`,
    `    per trial outside the timed phase: ${fmt(o.perTrialOverheadMs, 1)} ms; pool start incl. calibration: ${fmt(o.runnerStartMs)} ms${fit}`,
  ];
}

function describeDatagen(d) {
  const rows = d.generators.map((g) => `${g.generator} ${fmt(g.valuesPerSec / 1e6, 1)}M`).join(', ');
  return [
    `(b) data generation    ${fmt(d.rows)} x 32: ${fmt(d.valuesPerSec / 1e6, 1)} million values/s (slowest 32-feature generator; target >= 50) ${mark(d.valuesPerSec >= DATAGEN_TARGET)}`,
    `    per generator (values/s): ${rows}`,
  ];
}

function describeColdStart(c) {
  const parts = c.backends.map((b) =>
    b.available ? `${b.backend} ${fmt(b.medianMs)} ms (backend init ${fmt(b.medianInitMs)} ms)` : `${b.backend} not available`,
  );
  return [`(c) worker cold start  width ${c.width}: ${parts.join(', ')}`];
}

function describeE2e(e) {
  const lines = [`(d) end to end         CLI start-up (--version) ${fmt(e.cliStartupMs)} ms`];
  for (const run of e.runs) {
    lines.push(
      `    scale-bench ${run.name === 'quick' ? 'run --quick' : 'run (default sweep)'}: ${seconds(run.wallMs)}, ${run.okCells}/${run.cells} cells ok, ` +
        `${run.timedShare === null ? 'fake runner' : `${fmt(run.timedShare * 100)}% of it timed training`} (exit ${run.exitCode})`,
    );
  }
  return lines;
}

function describeThroughput(t) {
  if (t && typeof t.summary === 'string') return [`    throughput: ${t.summary}`];
  const numbers = Object.entries(t ?? {}).filter(([, v]) => typeof v === 'number');
  return [`    throughput: ${numbers.length ? numbers.map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ') : 'see the JSON'}`];
}

async function main() {
  const options = parse(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) usage('dist/ is missing: run `npm run build` first (npm run bench does).');
  const { readMachineFacts, machineId } = await import(pathToFileURL(join(ROOT, 'dist', 'measure', 'environment.js')).href);
  const { writeFileAtomic } = await import(pathToFileURL(join(ROOT, 'dist', 'results', 'write.js')).href);
  const facts = readMachineFacts();
  const machine = { machineId: machineId(facts), ...facts };
  const startedAt = new Date();
  const out = { tool: 'scale-bench self-benchmark', startedAt: startedAt.toISOString(), machine, options, results: {}, errors: {} };
  const lines = [];
  const say = (more) => {
    for (const line of more) process.stdout.write(`${line}\n`);
    lines.push(...more);
  };

  say([`scale-bench self-benchmark on ${facts.cpuModel}, ${facts.cores} cores, ${fmt(facts.totalMemoryBytes / 2 ** 30)} GiB, ${facts.os}, Node ${facts.node}${options.smoke ? ' (smoke: tiny sizes, fake sweeps)' : ''}`]);

  const steps = {
    overhead: async () => {
      const { runOverheadBench } = await load('overhead');
      const result = await runOverheadBench(options.smoke ? { size: 2000, rounds: 2, fit: false } : { ...(options.rounds ? { rounds: options.rounds } : {}) });
      return [result, describeOverhead(result)];
    },
    datagen: async () => {
      const { runDatagenBench } = await load('datagen');
      const result = await runDatagenBench(options.smoke ? { rows: 50_000, repeats: 1, generators: ['regression', 'classification'] } : {});
      return [result, describeDatagen(result)];
    },
    coldstart: async () => {
      const { runColdStartBench } = await load('coldstart');
      const result = await runColdStartBench(options.smoke ? { backends: ['cpu'], repeats: 1 } : {});
      return [result, describeColdStart(result)];
    },
    throughput: async () => {
      if (!existsSync(join(HERE, 'throughput.ts'))) return [null, ['    throughput: benchmarks/throughput.ts not present, skipped']];
      const { runThroughputBench } = await load('throughput');
      const result = await runThroughputBench();
      return [result, describeThroughput(result)];
    },
    reference: async () => {
      const { runReferenceBench, renderReference } = await load('reference');
      const result = await runReferenceBench({
        ...(options.referenceRounds ? { rounds: options.referenceRounds } : {}),
        ...(options.smoke ? { models: ['logistic'], rounds: 1, size: 2048 } : {}),
        log: (line) => process.stderr.write(`    ${line}\n`),
      });
      return [result, ['    reference (PyTorch side by side):', ...renderReference(result).split('\n').map((line) => `    ${line}`)]];
    },
    e2e: async () => {
      const { runE2eBench } = await load('e2e');
      const result = await runE2eBench({ includeDefault: !options.skipDefault, ...(options.smoke ? { runner: 'fake', startupRepeats: 1 } : {}) });
      return [result, describeE2e(result)];
    },
  };

  // In this order: the quick, noise-sensitive micro-benchmarks first, the long sweeps last.
  for (const name of SECTIONS) {
    if (!options.only.includes(name)) continue;
    if (name === 'throughput' && options.smoke) continue;
    if (name === 'reference' && options.reference === undefined) continue;
    try {
      const [result, description] = await steps[name]();
      out.results[name] = result;
      say(description);
    } catch (error) {
      out.errors[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
      say([`${name}: FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`]);
    }
  }

  out.finishedAt = new Date().toISOString();
  out.summary = lines;
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const file = resolve(options.jsonOut ?? join(ROOT, 'reports', 'bench', `bench-${stamp}.json`));
  await writeFileAtomic(file, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`JSON: ${relative(process.cwd(), file) || file}\n`);
  return Object.keys(out.errors).length > 0 ? 1 : 0;
}

process.exitCode = await main();
