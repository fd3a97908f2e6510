/**
 * Training speed of this tree against another checkout of scale-bench (say, the previous release),
 * for "no model slower than before" and before/after tables.
 *
 * Each side runs in its own process (two copies of tfjs in one process would share a kernel
 * registry), the sides alternate round by round, and each reports samples per second of wall time
 * and of process CPU time per trial (CPU time is what other processes on a shared machine cannot
 * stretch). Both use their own `trainAndEvaluate` at width 1, n = 16,000, batch 256, Adam 0.01.
 *
 * Run: npx tsx benchmarks/revisions.ts --against <other tree> [--models a,b] [--rounds 5] [--trials 3]
 *      (the other tree needs node_modules: a symlink to this tree's works)
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuiltinModelName } from '../src/results/schema.js';

const MODELS = ['linear', 'logistic', 'mlp-small', 'mlp-deep', 'cnn-small'];
const HERE = resolve(fileURLToPath(new URL('..', import.meta.url)));

interface Trials {
  wall: number[];
  cpu: number[];
  loss: number[];
}

/** In a child process: train `models` `trials` times (after two uncounted trials) with the tree at `root`. */
async function measure(root: string, models: string[], trials: number): Promise<Record<string, Trials>> {
  // The other tree's modules, typed as this tree's (the functions used here kept their signatures).
  const load = <M>(path: string): Promise<M> => import(pathToFileURL(resolve(root, path)).href) as Promise<M>;
  const { initBackend } = await load<typeof import('../src/backends/index.js')>('src/backends/index.ts');
  const { BUILTIN_MODELS } = await load<typeof import('../src/models/catalog.js')>('src/models/catalog.ts');
  const { prepareData } = await load<typeof import('../src/models/data.js')>('src/models/data.ts');
  const { trainAndEvaluate } = await load<typeof import('../src/models/train.js')>('src/models/train.ts');
  const { generate, GENERATORS } = await load<typeof import('../src/data/generators/index.js')>('src/data/generators/index.ts');
  const { tf } = await initBackend('wasm', { stockKernels: false, threads: 1 });
  const out: Record<string, Trials> = {};
  for (const name of models) {
    const definition = BUILTIN_MODELS[name as BuiltinModelName];
    if (!definition) throw new Error(`revisions: the tree at ${root} has no model "${name}"`);
    const spec = GENERATORS[definition.defaultGenerator].defaultSpec;
    const table = generate(spec, 16_000 + 3_200, 42);
    const data = prepareData(tf, { x: table.x, y: table.y, nTrain: 16_000, nTest: 3_200, spec });
    const result: Trials = (out[name] = { wall: [], cpu: [], loss: [] });
    for (let t = 0; t < trials + 2; t++) {
      const model = definition.build(tf, spec, t);
      let cpuSeconds = 0;
      const cpu0 = process.cpuUsage();
      const trained = await trainAndEvaluate(tf, model, data, {
        epochs: 1,
        batchSize: 256,
        learningRate: 0.01,
        seed: 42,
        onTrainEnd: () => {
          const used = process.cpuUsage(cpu0);
          cpuSeconds = (used.user + used.system) / 1e6;
        },
      });
      model.dispose();
      if (t < 2) continue;
      result.wall.push(trained.samples / (trained.trainMs / 1000));
      result.cpu.push(trained.samples / cpuSeconds);
      result.loss.push(trained.finalLoss);
    }
    data.dispose();
  }
  return out;
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function compare(other: string, models: string[], rounds: number, trials: number): string {
  const trees = { this: HERE, other: resolve(other) };
  const all: Record<'this' | 'other', Record<string, Trials>> = { this: {}, other: {} };
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['this', 'other'] as const) : (['other', 'this'] as const)) {
      const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--measure', trees[side], models.join(','), String(trials)], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (child.status !== 0) throw new Error(`revisions: measuring ${trees[side]} failed: ${child.stderr.trim().split('\n').slice(-3).join(' ')}`);
      const measured = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Record<string, Trials>;
      for (const [model, t] of Object.entries(measured)) {
        const into = (all[side][model] ??= { wall: [], cpu: [], loss: [] });
        into.wall.push(...t.wall);
        into.cpu.push(...t.cpu);
        into.loss.push(...t.loss);
      }
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);
  const lines = [`this tree / ${trees.other}: samples per CPU second (the wall-time ratio in brackets), median of ${rounds} x ${trials} trials`];
  for (const model of models) {
    const a = all.this[model];
    const b = all.other[model];
    if (!a || !b) continue;
    lines.push(
      `${model.padEnd(10)} ${fmt(median(b.cpu)).padStart(8)} -> ${fmt(median(a.cpu)).padStart(8)}  x${(median(a.cpu) / median(b.cpu)).toFixed(2)} ` +
        `(wall x${(median(a.wall) / median(b.wall)).toFixed(2)})  final loss ${median(b.loss).toFixed(4)} -> ${median(a.loss).toFixed(4)}`,
    );
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--measure') {
    const [root, models, trials] = argv.slice(1);
    process.stdout.write(`${JSON.stringify(await measure(root as string, (models as string).split(','), Number(trials)))}\n`);
    return;
  }
  let against: string | undefined;
  let models = MODELS;
  let rounds = 5;
  let trials = 3;
  for (let i = 0; i < argv.length; i++) {
    const value = (): string => argv[++i] ?? '';
    if (argv[i] === '--against') against = value();
    else if (argv[i] === '--models') models = value().split(',');
    else if (argv[i] === '--rounds') rounds = Number(value());
    else if (argv[i] === '--trials') trials = Number(value());
    else throw new Error(`revisions: unknown argument "${argv[i]}"; use --against <tree>, --models a,b, --rounds n, --trials n`);
  }
  if (!against) throw new Error('revisions: --against <other tree> is required (e.g. a `git archive` of the previous release, with node_modules)');
  if (!(rounds >= 1 && trials >= 1)) throw new Error('revisions: --rounds and --trials must be >= 1');
  process.stdout.write(`${compare(against, models, rounds, trials)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
