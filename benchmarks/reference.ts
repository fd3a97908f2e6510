/**
 * scale-bench against PyTorch, side by side: `npm run bench -- --reference torch`.
 *
 * Both sides train the same built-in architectures on the same rows (written once to a temporary
 * file that reference_torch.py reads), with the same batch size, batch order, Adam learning rate
 * and epoch definition, on one thread, a fresh model per trial, the warm-up excluded and the last
 * loss read back inside the timed region. scale-bench runs its training loop in this process at
 * width 1 (what a width-1 cell runs in its worker); PyTorch runs in one long-lived Python process.
 * Trials alternate side by side within each round, and the ratio is taken round by round, so drift
 * in the load of a shared machine hits both sides alike.
 *
 * Run: npx tsx benchmarks/reference.ts [--models a,b] [--rounds n] [--size n]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Table from 'cli-table3';
import { initBackend, type BackendInfo, type Tf } from '../src/backends/index.js';
import { calibratePeakFlops } from '../src/backends/calibrate.js';
import { BUILTIN_MODELS } from '../src/models/catalog.js';
import { describeModel } from '../src/models/flops.js';
import { batchOrder, prepareData, type PreparedData } from '../src/models/data.js';
import { trainAndEvaluate } from '../src/models/train.js';
import { generate, GENERATORS } from '../src/data/generators/index.js';
import type { BuiltinModelName } from '../src/results/schema.js';
import { findTorchPython, torchLayers, TorchServer, type TorchProbe } from './torch-client.js';

export interface ReferenceOptions {
  models?: BuiltinModelName[];
  /** Training rows per trial (default 16,000, as `--sizes 16k`). */
  size?: number;
  /** Rounds; each runs the same number of trials on both sides (default 5). */
  rounds?: number;
  batchSize?: number;
  learningRate?: number;
  /** A round runs enough trials per side to last about this long (default 300 ms). */
  minRoundMs?: number;
  /** Python interpreters to try, in order (default: $SCALE_BENCH_PYTHON, python3, /usr/bin/python3). */
  pythons?: string[];
  log?: (line: string) => void;
}

/**
 * One side's trials of a model: samples per second of wall time (the headline), per second of the
 * process's CPU time (robust to other processes taking the CPU away), and CPU over wall.
 */
export interface SideResult {
  samplesPerSec: number[];
  samplesPerCpuSec: number[];
  cpuPerWall: number[];
}

export interface ModelComparison {
  model: BuiltinModelName;
  trainFlopsPerSample: number;
  scaleBench: SideResult;
  torch: SideResult;
  /** scale-bench / PyTorch median samples/s, one per round. */
  roundRatios: number[];
  /** The same on samples per CPU second. */
  roundCpuRatios: number[];
}

export interface ReferenceResult {
  /** When the run started (ISO 8601). */
  startedAt: string;
  /** The machine: CPU model and logical cores. */
  machine: { cpu: string; cores: number };
  /** scale-bench's package version. */
  scaleBenchVersion: string;
  backend: BackendInfo;
  /** Calibrated matmul peak of this thread, by the wall clock (the CLI's MFU denominator). */
  peakFlopsPerSec: number;
  /** The same by this process's CPU time (at least the wall-time peak): the denominator of MFU on samples per CPU second. */
  peakCpuFlopsPerSec: number;
  size: number;
  batchSize: number;
  learningRate: number;
  /** null when PyTorch could not run; `skipped` says why. */
  torch: TorchProbe | null;
  skipped?: string;
  models: ModelComparison[];
}

export interface Spread {
  median: number;
  /** Half the interquartile range over the median. */
  halfIqrRel: number;
  min: number;
  max: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/** Median, half-IQR relative to it, and range; pure. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return {
    median,
    halfIqrRel: median > 0 ? (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 2 / median : 0,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

const median = (values: readonly number[]): number => spread(values).median;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function writeRows(dir: string, name: string, x: Float32Array, y: Float32Array): { x: string; y: string } {
  const files = { x: join(dir, `${name}.x.f32`), y: join(dir, `${name}.y.f32`) };
  writeFileSync(files.x, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  writeFileSync(files.y, new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
  return files;
}

interface Workload {
  model: BuiltinModelName;
  data: PreparedData;
  trainFlopsPerSample: number;
  order: number[];
}

/** Seeds the batch order, the same on both sides (scale-bench's loop and the order sent to Python). */
const ORDER_SEED = 42;

/** One scale-bench trial: a fresh model initialised from `seed`, one epoch in ORDER_SEED's batch order. */
async function scaleBenchTrial(tf: Tf, w: Workload, batchSize: number, learningRate: number, seed: number): Promise<{ sps: number; cpuPerWall: number }> {
  const model = BUILTIN_MODELS[w.model].build(tf, w.data.spec, seed);
  try {
    let cpuUs = 0;
    const cpu0 = process.cpuUsage();
    const out = await trainAndEvaluate(tf, model, w.data, {
      epochs: 1,
      batchSize,
      learningRate,
      seed: ORDER_SEED,
      onTrainEnd: () => {
        const c = process.cpuUsage(cpu0);
        cpuUs = c.user + c.system;
      },
    });
    return { sps: out.samples / (out.trainMs / 1000), cpuPerWall: cpuUs / 1000 / out.trainMs };
  } finally {
    model.dispose();
  }
}

export async function runReferenceBench(options: ReferenceOptions = {}): Promise<ReferenceResult> {
  const models = options.models ?? (Object.keys(BUILTIN_MODELS) as BuiltinModelName[]);
  const size = options.size ?? 16_000;
  const rounds = options.rounds ?? 5;
  const batchSize = options.batchSize ?? 256;
  const learningRate = options.learningRate ?? 0.01;
  const minRoundMs = options.minRoundMs ?? 300;
  const log = options.log ?? (() => {});
  const pythons = options.pythons ?? [...(process.env['SCALE_BENCH_PYTHON'] ? [process.env['SCALE_BENCH_PYTHON']] : []), 'python3', '/usr/bin/python3'];

  const startedAt = new Date().toISOString();
  const machine = { cpu: cpus()[0]?.model ?? 'unknown CPU', cores: availableParallelism() };
  const { tf, info: backend } = await initBackend('wasm', { stockKernels: false, threads: 1 });
  const about = { startedAt, machine, scaleBenchVersion: packageVersion(), backend, size, batchSize, learningRate };
  const found = findTorchPython(pythons);
  if ('reason' in found) return { ...about, peakFlopsPerSec: 0, peakCpuFlopsPerSec: 0, torch: null, skipped: found.reason, models: [] };
  const dir = mkdtempSync(join(tmpdir(), 'sb-reference-'));
  const server = new TorchServer(found.python);
  const workloads: Workload[] = [];
  try {
    const probe = await server.probe();
    log(`PyTorch ${probe.torch} (${found.python}), ${probe.threads} thread, BLAS ${probe.blas.library}, 1024² matmul ${probe.matmulGflops.toFixed(1)} GFLOP/s`);
    for (const model of models) {
      const spec = GENERATORS[BUILTIN_MODELS[model].defaultGenerator].defaultSpec;
      const nTest = Math.max(1, Math.round(size * 0.2));
      const table = generate(spec, size + nTest, 42);
      const data = prepareData(tf, { x: table.x, y: table.y, nTrain: size, nTest, spec });
      const probeModel = BUILTIN_MODELS[model].build(tf, spec, 1);
      const layers = torchLayers(probeModel);
      const trainFlopsPerSample = describeModel(probeModel, model).trainFlopsPerSample;
      probeModel.dispose();
      // PyTorch trains on the same rows and targets: standardised for regression, as scale-bench trains.
      const y = table.y.slice(0, size);
      if (spec.task === 'regression') for (let i = 0; i < size; i++) y[i] = ((y[i] as number) - data.targetScale.mean) / data.targetScale.sd;
      const files = writeRows(dir, model, table.x.slice(0, size * spec.features), y);
      await server.load(model, layers, { ...files, rows: size, features: spec.features, task: spec.task, classes: spec.classes, imageShape: spec.imageShape ?? null, batchSize });
      workloads.push({ model, data, trainFlopsPerSample, order: batchOrder(Math.ceil(size / batchSize), 1, ORDER_SEED) });
    }

    const results = new Map<BuiltinModelName, ModelComparison>();
    const perRound = new Map<BuiltinModelName, number>();
    for (const w of workloads) {
      // Warm-up (not counted): JIT, operator caches, allocator; it also sizes the rounds.
      const sb = await scaleBenchTrial(tf, w, batchSize, learningRate, 1);
      const pt = await server.train(w.model, w.order, learningRate, 1);
      const slowestMs = Math.max((size / sb.sps) * 1000, pt.seconds * 1000);
      perRound.set(w.model, Math.min(20, Math.max(1, Math.ceil(minRoundMs / slowestMs))));
      results.set(w.model, {
        model: w.model,
        trainFlopsPerSample: w.trainFlopsPerSample,
        scaleBench: { samplesPerSec: [], samplesPerCpuSec: [], cpuPerWall: [] },
        torch: { samplesPerSec: [], samplesPerCpuSec: [], cpuPerWall: [] },
        roundRatios: [],
        roundCpuRatios: [],
      });
    }
    // Calibrated after the warm-ups, once V8 has compiled the kernels in the background: compiler
    // threads count in the process's CPU time and would lower a CPU-time peak measured earlier. The
    // CPU-time peak is at least the wall-time one (a round's CPU time cannot exceed its wall time
    // on one thread), so MFU on CPU time is never flattered by an unlucky calibration.
    const peakFlopsPerSec = await calibratePeakFlops(tf);
    const peakCpuFlopsPerSec = Math.max(peakFlopsPerSec, await calibratePeakFlops(tf, { clock: 'cpu' }));
    const base = { ...about, peakFlopsPerSec, peakCpuFlopsPerSec };
    for (let round = 0; round < rounds; round++) {
      for (const w of workloads) {
        const r = results.get(w.model) as ModelComparison;
        const sbRound: number[] = [];
        const ptRound: number[] = [];
        const sbCpuRound: number[] = [];
        const ptCpuRound: number[] = [];
        for (let t = 0; t < (perRound.get(w.model) as number); t++) {
          // Alternate which side goes first, so neither always runs right after the other.
          const sides = (round + t) % 2 === 0 ? (['sb', 'pt'] as const) : (['pt', 'sb'] as const);
          for (const side of sides) {
            const seed = 1 + round * 100 + t;
            if (side === 'sb') {
              const sb = await scaleBenchTrial(tf, w, batchSize, learningRate, seed);
              sbRound.push(sb.sps);
              sbCpuRound.push(sb.sps / sb.cpuPerWall);
              r.scaleBench.cpuPerWall.push(sb.cpuPerWall);
            } else {
              const pt = await server.train(w.model, w.order, learningRate, seed);
              ptRound.push(pt.samples / pt.seconds);
              ptCpuRound.push(pt.samples / pt.cpuSeconds);
              r.torch.cpuPerWall.push(pt.cpuSeconds / pt.seconds);
            }
          }
        }
        r.scaleBench.samplesPerSec.push(...sbRound);
        r.torch.samplesPerSec.push(...ptRound);
        r.scaleBench.samplesPerCpuSec.push(...sbCpuRound);
        r.torch.samplesPerCpuSec.push(...ptCpuRound);
        r.roundRatios.push(median(sbRound) / median(ptRound));
        r.roundCpuRatios.push(median(sbCpuRound) / median(ptCpuRound));
      }
      log(`round ${round + 1}/${rounds} done`);
    }
    return { ...base, torch: probe, models: [...results.values()] };
  } finally {
    server.close();
    for (const w of workloads) w.data.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ReferenceTarget {
  name: string;
  measured: number | null;
  target: number;
  /** 'inconclusive' when the comparison is not fair (PyTorch on the reference BLAS) or was not measured. */
  verdict: 'ok' | 'BELOW TARGET' | 'inconclusive';
}

/** Model FLOP/s over the calibrated peak, on wall time and on CPU time (null without a peak). */
export function mfu(result: ReferenceResult, m: ModelComparison): { wall: number | null; cpu: number | null } {
  const of = (samples: number[], peak: number): number | null =>
    samples.length > 0 && peak > 0 ? (median(samples) * m.trainFlopsPerSample) / peak : null;
  return { wall: of(m.scaleBench.samplesPerSec, result.peakFlopsPerSec), cpu: of(m.scaleBench.samplesPerCpuSec, result.peakCpuFlopsPerSec) };
}

/**
 * The targets one run can check: scale-bench / PyTorch for cnn-small and mlp-small (on CPU time, the
 * steadier ratio on a shared machine) and mlp-deep's MFU (on CPU time against the CPU-time peak).
 */
export function referenceTargets(result: ReferenceResult): ReferenceTarget[] {
  const find = (m: BuiltinModelName): ModelComparison | undefined => result.models.find((c) => c.model === m);
  const unfair = result.torch?.blas.reference === true;
  const ratio = (m: BuiltinModelName): number | null => {
    const c = find(m);
    return c && c.roundCpuRatios.length > 0 ? median(c.roundCpuRatios) : null;
  };
  const deep = find('mlp-deep');
  const deepMfu = deep ? mfu(result, deep).cpu : null;
  const verdict = (measured: number | null, target: number, fair: boolean): ReferenceTarget['verdict'] =>
    measured === null || !fair ? 'inconclusive' : measured >= target ? 'ok' : 'BELOW TARGET';
  return [
    { name: 'cnn-small / PyTorch', measured: ratio('cnn-small'), target: 0.5, fair: !unfair },
    { name: 'mlp-small / PyTorch', measured: ratio('mlp-small'), target: 0.5, fair: !unfair },
    { name: 'mlp-deep MFU', measured: deepMfu, target: 0.8, fair: true },
  ]
    .filter((t) => t.measured !== null)
    .map((t) => ({ name: t.name, measured: t.measured, target: t.target, verdict: verdict(t.measured, t.target, t.fair) }));
}

const fmtRate = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** The side-by-side table and the lines around it; pure. */
export function renderReference(result: ReferenceResult): string {
  if (!result.torch) return `reference torch: not run: ${result.skipped ?? 'unknown reason'}`;
  const t = result.torch;
  const lines = [
    `${result.startedAt.slice(0, 10)} on ${result.machine.cpu} (${result.machine.cores} cores): scale-bench ${result.scaleBenchVersion} ` +
      `(tfjs ${result.backend.tfjsVersion}, ${result.backend.name} ${result.backend.backendVersion}) vs PyTorch ${t.torch} (Python ${t.python})`,
    `one thread each, n=${result.size.toLocaleString('en-US')}, batch ${result.batchSize}, Adam lr ${result.learningRate}, 1 epoch per trial`,
    `PyTorch BLAS: ${t.blas.library}${t.blas.provider ? ` (${t.blas.provider})` : ''}; 1024² matmul ${t.matmulGflops.toFixed(1)} GFLOP/s on ${t.threads} thread`,
  ];
  if (t.blas.reference) {
    lines.push(
      'WARNING: PyTorch runs on the reference BLAS: NOT A FAIR COMPARISON (it makes scale-bench look several times faster). ' +
        'Install an optimised BLAS (Debian: apt-get install libopenblas0-pthread) and rerun.',
    );
  }
  lines.push(
    `scale-bench: ${result.backend.name} (SIMD ${String(result.backend.wasmSimd)}), calibrated matmul peak ${(result.peakFlopsPerSec / 1e9).toFixed(1)} GFLOP/s ` +
      `per thread (${(result.peakCpuFlopsPerSec / 1e9).toFixed(1)} per CPU second)`,
  );
  const table = new Table({
    style: { head: [], border: [] },
    head: ['model', 'scale-bench samples/s', 'PyTorch samples/s', 'ratio (rounds)', 'ratio, CPU time', 'scale-bench GFLOP/s', 'MFU wall, CPU', 'CPU/wall sb, pt'],
  });
  let busy = false;
  for (const m of result.models) {
    const sb = spread(m.scaleBench.samplesPerSec);
    const pt = spread(m.torch.samplesPerSec);
    const ratio = spread(m.roundRatios);
    const cpuRatio = spread(m.roundCpuRatios);
    const gflops = (sb.median * m.trainFlopsPerSample) / 1e9;
    const use = mfu(result, m);
    const cpuSb = median(m.scaleBench.cpuPerWall);
    const cpuPt = median(m.torch.cpuPerWall);
    if (cpuSb < 0.9 || cpuPt < 0.9) busy = true;
    table.push([
      m.model,
      `${fmtRate(sb.median)} ±${pct(sb.halfIqrRel)}`,
      `${fmtRate(pt.median)} ±${pct(pt.halfIqrRel)}`,
      `${ratio.median.toFixed(2)} [${ratio.min.toFixed(2)}-${ratio.max.toFixed(2)}]`,
      `${cpuRatio.median.toFixed(2)} [${cpuRatio.min.toFixed(2)}-${cpuRatio.max.toFixed(2)}]`,
      gflops.toFixed(2),
      `${use.wall === null ? 'n/a' : pct(use.wall)}, ${use.cpu === null ? 'n/a' : pct(use.cpu)}`,
      `${cpuSb.toFixed(2)}, ${cpuPt.toFixed(2)}`,
    ]);
  }
  lines.push(table.toString());
  lines.push(
    'samples/s: median over trials ±half the IQR; ratio: scale-bench / PyTorch, median of per-round ratios [min-max], on wall time ' +
      'and on process CPU time; MFU: model FLOP/s over the calibrated matmul peak, by wall time and by CPU time; targets use CPU time',
  );
  if (busy) lines.push('note: CPU/wall below 0.9 on some side: other processes took the CPU; the wall-time numbers are low and noisy, the CPU-time ratio is the steadier one');
  for (const target of referenceTargets(result)) {
    const shown = target.name.endsWith('MFU') ? pct(target.measured ?? 0) : (target.measured ?? 0).toFixed(2);
    const why = target.verdict === 'inconclusive' ? ' (PyTorch on the reference BLAS)' : '';
    lines.push(`target ${target.name} >= ${target.name.endsWith('MFU') ? pct(target.target) : target.target}: ${shown} ${target.verdict}${why}`);
  }
  return lines.join('\n');
}

function parseCli(argv: string[]): ReferenceOptions {
  const options: ReferenceOptions = { log: (line) => process.stderr.write(`${line}\n`) };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => argv[++i] ?? '';
    if (arg === '--models') options.models = value().split(',') as BuiltinModelName[];
    else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--size') options.size = Number(value());
    else throw new Error(`reference: unknown argument "${arg}"; use --models a,b, --rounds n, --size n`);
  }
  for (const m of options.models ?? []) {
    if (!(m in BUILTIN_MODELS)) throw new Error(`reference: --models: unknown model "${m}"; choose from ${Object.keys(BUILTIN_MODELS).join(', ')}`);
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runReferenceBench(parseCli(process.argv.slice(2)))
    .then((result) => process.stdout.write(`${renderReference(result)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
