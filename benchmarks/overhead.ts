/**
 * Harness overhead: the samples/s scale-bench reports for a width-1 cell, against the same training run
 * directly in this thread (same backend via initBackend, same model via BUILTIN_MODELS, same data, same
 * trainAndEvaluate loop), and against tfjs's own model.fit, which is what a user would write by hand.
 *
 * Both sides run in this one process, alternating round by round (ABBA order), so drift in machine load
 * affects them alike. The harness side goes through the real PoolRunner: a warm piscina worker, the
 * shared-memory dataset, the start barrier and the RSS sampler, exactly as `scale-bench run` uses them.
 *
 * Run: npx tsx benchmarks/overhead.ts [model] [size] [rounds]   (needs `npm run build` for the worker)
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BackendChoice, BackendName, BenchmarkPlan, DatasetSpec } from '../src/results/schema.js';
import { buildPlan } from '../src/plan/build.js';
import { heldOutRows } from '../src/data/rows.js';
import { datasetSeed } from '../src/measure/scheduler.js';
import { generate } from '../src/data/generators/index.js';
import type { DataTable } from '../src/data/table.js';
import { PoolRunner } from '../src/modes/pool-runner.js';
import { initBackend, type Tf } from '../src/backends/index.js';
import { BUILTIN_MODELS } from '../src/models/catalog.js';
import { prepareData, type PreparedData } from '../src/models/data.js';
import { trainAndEvaluate } from '../src/models/train.js';

export interface OverheadBenchOptions {
  /** Built-in model (default mlp-small). */
  model?: string;
  /** Training rows (default 16,000). */
  size?: number;
  /** Timed rounds; each runs one harness trial and one direct trial (default 21). */
  rounds?: number;
  /** Backend for both sides (default auto, which is what `scale-bench run` uses). */
  backend?: BackendChoice;
  /** Also time model.fit on the same data (default true). */
  fit?: boolean;
}

export interface OverheadSummary {
  /** Median samples/s of the harness trials. */
  harness: number;
  /** Median samples/s of the direct trials. */
  direct: number;
  /**
   * The headline: median over rounds of harness / direct within the round. 1 means the harness costs
   * nothing; the target is >= 0.97. Pairing by round cancels the drift of a busy machine.
   */
  ratio: number;
  /** Ratio of the two medians (unpaired): harness / direct. */
  ratioOfMedians: number;
  /**
   * Ratio of the fastest trials: harness / direct. Other load only ever slows a trial down, so on a
   * busy machine the best of each side is the closest to its undisturbed speed.
   */
  ratioOfBest: number;
}

export interface OverheadBenchResult extends OverheadSummary {
  model: string;
  size: number;
  workers: 1;
  backend: BackendName;
  rounds: number;
  /** Samples/s of every timed harness trial, in round order. */
  harnessSamplesPerSec: number[];
  /** Samples/s of every timed direct trial, in round order. */
  directSamplesPerSec: number[];
  /** Median samples/s of model.fit on the same data and model (null when not measured). */
  fitSamplesPerSec: number | null;
  /** Median time per harness trial outside its timed phase (dispatch, model build, evaluation, reply), in ms. */
  perTrialOverheadMs: number;
  /** Time to start the pool (worker, backend, peak-FLOP/s calibration), paid once per run, in ms. */
  runnerStartMs: number;
  target: number;
}

export const OVERHEAD_TARGET = 0.97;

function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Ratios of paired harness/direct throughputs (same round); pure, so it is tested on its own. */
export function summariseOverhead(harness: readonly number[], direct: readonly number[]): OverheadSummary {
  if (harness.length === 0 || harness.length !== direct.length) {
    throw new RangeError(`need as many harness as direct trials (at least one), got ${harness.length} and ${direct.length}`);
  }
  const h = median(harness);
  const d = median(direct);
  return {
    harness: h,
    direct: d,
    ratio: median(harness.map((value, i) => value / direct[i]!)),
    ratioOfMedians: h / d,
    ratioOfBest: Math.max(...harness) / Math.max(...direct),
  };
}

interface Fixture {
  plan: BenchmarkPlan;
  spec: DatasetSpec;
  table: DataTable;
  nTest: number;
  dataKey: string;
}

function fixture(model: string, size: number, backend: BackendChoice): Fixture {
  const plan = buildPlan({ models: [model], sizes: [size], workers: [1], repeats: 1, warmup: 0, backend }, availableParallelism());
  const spec = plan.datasets[0]!;
  const nTest = heldOutRows(size, plan.training.testFraction);
  const seed = datasetSeed(plan.seed, spec.name);
  return { plan, spec, nTest, table: generate(spec, size + nTest, seed), dataKey: `${spec.name}|${size + nTest}|${seed}` };
}

function build(tf: Tf, f: Fixture): LayersModel {
  const definition = BUILTIN_MODELS[f.plan.cells[0]!.model as keyof typeof BUILTIN_MODELS];
  if (!definition) throw new Error(`unknown model "${f.plan.cells[0]!.model}"`);
  return definition.build(tf, f.spec, f.plan.seed);
}

async function directTrial(tf: Tf, f: Fixture, data: PreparedData): Promise<number> {
  const model = build(tf, f);
  try {
    const { epochs, batchSize, learningRate } = f.plan.training;
    const outcome = await trainAndEvaluate(tf, model, data, { epochs, batchSize, learningRate, seed: f.plan.seed });
    return (outcome.samples / outcome.trainMs) * 1000;
  } finally {
    model.dispose();
  }
}

/** model.fit on the same rows: the loop a user would write without scale-bench. */
async function fitTrial(tf: Tf, f: Fixture): Promise<number> {
  const model = build(tf, f);
  const rows = f.plan.cells[0]!.size;
  const features = f.spec.features;
  const x = tf.tensor2d(f.table.x.slice(0, rows * features), [rows, features]);
  const labels = f.table.y.slice(0, rows);
  const y =
    f.spec.task === 'classification'
      ? tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), f.spec.classes)
      : tf.tensor2d(labels, [rows, 1]);
  try {
    model.compile({
      optimizer: tf.train.adam(f.plan.training.learningRate),
      loss: f.spec.task === 'classification' ? 'categoricalCrossentropy' : 'meanSquaredError',
    });
    const started = performance.now();
    await model.fit(x, y, { batchSize: f.plan.training.batchSize, epochs: f.plan.training.epochs, shuffle: true, verbose: 0 });
    const ms = performance.now() - started;
    return (rows * f.plan.training.epochs * 1000) / ms;
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

export async function runOverheadBench(options: OverheadBenchOptions = {}): Promise<OverheadBenchResult> {
  const model = options.model ?? 'mlp-small';
  const size = options.size ?? 16_000;
  const rounds = options.rounds ?? 21;
  const f = fixture(model, size, options.backend ?? 'auto');
  const job = { cell: f.plan.cells[0]!, spec: f.spec, table: f.table, nTrain: size, nTest: f.nTest, dataKey: f.dataKey };

  const runner = new PoolRunner();
  const startedAt = performance.now();
  const facts = await runner.start(f.plan);
  const runnerStartMs = performance.now() - startedAt;
  // The direct side uses the backend the pool chose, so `auto` compares like with like.
  const { tf } = await initBackend(facts.backend, { stockKernels: f.plan.stockKernels, threads: 1 });
  const data = prepareData(tf, { x: f.table.x, y: f.table.y, nTrain: size, nTest: f.nTest, spec: f.spec });

  const harnessTrial = async (): Promise<{ samplesPerSec: number; overheadMs: number }> => {
    const started = performance.now();
    const measurement = await runner.runCell(job);
    const outerMs = performance.now() - started;
    const trial = measurement.trials[0];
    if (!trial || trial.state !== 'ok') throw new Error(`harness trial failed: ${trial?.error ?? 'no trial'}`);
    return { samplesPerSec: trial.samplesPerSec, overheadMs: outerMs - trial.wallMs };
  };

  const harness: number[] = [];
  const direct: number[] = [];
  const fit: number[] = [];
  const overheadMs: number[] = [];
  try {
    // Untimed: compile kernels and fault in memory on both sides.
    await harnessTrial();
    await directTrial(tf, f, data);
    if (options.fit !== false) await fitTrial(tf, f);
    for (let round = 0; round < rounds; round++) {
      const harnessFirst = round % 4 === 0 || round % 4 === 3;
      if (!harnessFirst) direct.push(await directTrial(tf, f, data));
      const h = await harnessTrial();
      harness.push(h.samplesPerSec);
      overheadMs.push(h.overheadMs);
      if (harnessFirst) direct.push(await directTrial(tf, f, data));
      if (options.fit !== false) fit.push(await fitTrial(tf, f));
    }
  } finally {
    data.dispose();
    await runner.close();
  }
  return {
    model,
    size,
    workers: 1,
    backend: facts.backend,
    rounds,
    ...summariseOverhead(harness, direct),
    harnessSamplesPerSec: harness,
    directSamplesPerSec: direct,
    fitSamplesPerSec: fit.length > 0 ? median(fit) : null,
    perTrialOverheadMs: median(overheadMs),
    runnerStartMs,
    target: OVERHEAD_TARGET,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [model, size, rounds] = process.argv.slice(2);
  const result = await runOverheadBench({
    ...(model ? { model } : {}),
    ...(size ? { size: Number(size) } : {}),
    ...(rounds ? { rounds: Number(rounds) } : {}),
  });
  console.log(JSON.stringify(result, null, 2));
}
