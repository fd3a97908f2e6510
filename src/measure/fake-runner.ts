/**
 * A deterministic, instant stand-in for the tfjs runner, for tests of everything downstream of measurement
 * (scheduling, saving, analysis, reports, comparison). Its numbers follow a known model: time per sample
 * per model, linear in data size, and USL-shaped contention across widths, with seeded noise.
 * Selected with the hidden flag `--runner fake`; knobs come from the SCALE_BENCH_FAKE environment variable
 * (JSON, see FakeRunnerOptions) so end-to-end tests can make one model slower or one cell fail.
 */
import type { BenchmarkPlan, ModelInfo, TrialResult } from '../results/schema.js';
import type { BackendFacts } from './environment.js';
import type { CanaryProbe, CellJob, CellMeasurement, Runner, TrialProgress } from './runner.js';
import { failedTrial } from './failures.js';
import { estimatedParams, estimatedUsPerSample } from '../models/cost.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { repetitionSeed, targetFor } from '../models/schedule.js';
import { z } from 'zod';
import { parseJsonVariable } from '../config/parse.js';

/**
 * Load from outside the benchmark: the cells it covers take `factor` times longer, and so does the canary read
 * for them, so the gate's canary logic can be tested in milliseconds.
 */
const fakeMachineLoadSchema = z
  .object({
    /** How much slower the loaded machine runs, e.g. 1.5. */
    factor: z.number().positive(),
    /** Cells whose id contains one of these run on the loaded machine; all cells when absent. */
    cells: z.array(z.string()).optional(),
    /** Share of the slowdown the canary sees (default 1: all of it; 0: a burst the canary missed). */
    canarySees: z.number().min(0).max(1).optional(),
    /** The load during the confirm step's re-runs: 'same' (default: it persists) or 'gone' (a burst that passed). */
    inConfirm: z.enum(['same', 'gone']).optional(),
    /** Share of the slowdown the canary read around the re-runs sees (default `canarySees`). */
    confirmCanarySees: z.number().min(0).max(1).optional(),
  })
  .strict();

export type FakeMachineLoad = z.infer<typeof fakeMachineLoadSchema>;

const fakeRunnerOptionsSchema = z
  .object({
    /** Multiply a model's time by this factor, e.g. {"mlp-deep": 2}. */
    slowdown: z.record(z.string(), z.number().positive()).optional(),
    /** Subtract this from a model's quality, e.g. {"mlp-small": 0.1}. */
    qualityDrop: z.record(z.string(), z.number()).optional(),
    /** Cells whose id contains one of these strings throw. */
    failCells: z.array(z.string()).optional(),
    /** Relative noise amplitude per trial (default 0.02). */
    noise: z.number().nonnegative().optional(),
    /** Wall-clock milliseconds each cell takes, so tests can interrupt a run mid-sweep (default 0). */
    delayMs: z.number().nonnegative().optional(),
    /** USL contention and coherency of the simulated machine (default 0.05 and 0.005). */
    sigma: z.number().nonnegative().optional(),
    kappa: z.number().nonnegative().optional(),
    /** start() throws an Error with this message, as a runner that cannot start would. */
    startError: z.string().optional(),
    /** Training to a target: relative spread of the steps a repetition needs to converge (default 0.1). */
    convergenceCv: z.number().nonnegative().optional(),
    /** Training to a target: cells whose id contains one of these never get closer than 0.2 to their asymptote. */
    neverConverge: z.array(z.string()).optional(),
    /** A slowed machine (other programs' load), as opposed to slower code: see fakeMachineLoadSchema. */
    machine: fakeMachineLoadSchema.optional(),
  })
  .strict();

export type FakeRunnerOptions = z.infer<typeof fakeRunnerOptionsSchema>;


/** Resident set size of the simulated process before any cell, in bytes. */
const FAKE_BASE_RSS_BYTES = 80e6;

/** Canary reading of the simulated machine at width 1, in ms. */
const FAKE_CANARY_MS = 6;

const QUALITY: Record<string, number> = {
  linear: 0.99,
  logistic: 0.8,
  'mlp-small': 0.9,
  'mlp-deep': 0.93,
  'cnn-small': 0.95,
};

/** FNV-1a, so noise depends only on (seed, cell, repetition). */
function hashToUnit(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
}

/** Reads the SCALE_BENCH_FAKE knobs; a malformed value is a usage error naming the variable, never ignored. */
export function parseFakeOptions(json: string | undefined): FakeRunnerOptions {
  return parseJsonVariable('SCALE_BENCH_FAKE', json, fakeRunnerOptionsSchema) ?? {};
}

/**
 * A simulated training run to a target. The held-out quality approaches an asymptote that rises with
 * n as a learning curve, asymptote(n) = best − 0.6·n^(−0.35), from the trivial predictor's quality,
 * exponentially in optimizer steps: quality(e) = asymptote − gap·exp(−steps(e) / τ), with τ = 40 steps
 * scaled by the repetition's seeded noise; larger global batches make each step worth sqrt(batch / 256)
 * steps, so weak scaling needs more epochs (statistical efficiency below 1). An evaluation that gains
 * less than 1e-4 counts as no improvement for --patience.
 */
function simulateConvergence(job: CellJob, plan: BenchmarkPlan, repetition: number, best: number, globalBatch: number, options: FakeRunnerOptions) {
  const settings = plan.convergence!;
  const regression = job.spec.task === 'regression';
  const target = targetFor(settings.targets, job.spec.task);
  const never = options.neverConverge?.some((fragment) => job.cell.id.includes(fragment)) ?? false;
  const asymptote = Math.min(best, best - 0.6 * job.nTrain ** -0.35) - (never ? 0.2 : 0);
  const start = regression ? 0 : 1 / job.spec.classes;
  // The repetition's seed decides its luck, whatever the width: replicas of one seed converge alike.
  const z = 2 * hashToUnit(`${plan.seed}|${job.cell.model}|${job.cell.dataset}|${job.nTrain}|${repetition}|tau`) - 1;
  const tau = 40 * Math.max(0.2, 1 + (options.convergenceCv ?? 0.1) * Math.sqrt(3) * z);
  const stepsPerEpoch = Math.ceil(job.nTrain / globalBatch) * Math.sqrt(globalBatch / plan.training.batchSize);
  const at = (epochs: number): number => asymptote - (asymptote - start) * Math.exp(-(epochs * stepsPerEpoch) / tau);
  let bestSeen = -Infinity;
  let sinceBest = 0;
  let reached: number | undefined;
  let evaluations = 0;
  for (;;) {
    evaluations++;
    const epochs = Math.min(settings.maxEpochs, evaluations * settings.evalEvery);
    const q = at(epochs);
    if (q > bestSeen + 1e-4) {
      bestSeen = q;
      sinceBest = 0;
    } else {
      sinceBest++;
    }
    if (target && reached === undefined && q >= target.value) reached = epochs;
    let stopReason: 'target' | 'patience' | 'max-epochs' | undefined;
    if (reached !== undefined && settings.patience === undefined) stopReason = 'target';
    else if (settings.patience !== undefined && sinceBest >= settings.patience) stopReason = 'patience';
    else if (epochs >= settings.maxEpochs) stopReason = 'max-epochs';
    if (stopReason) {
      return { converged: reached !== undefined, epochsToTarget: reached, epochsTrained: epochs, evaluations, stopReason, finalQuality: q, bestQuality: Math.max(bestSeen, q) };
    }
  }
}

export class FakeRunner implements Runner {
  readonly kind = 'fake' as const;
  private plan: BenchmarkPlan | undefined;
  /** Cells take no time here, so the canary is read before every cell (interval 0). */
  readonly canary: CanaryProbe = {
    workload: { size: 128, matmuls: 64, intervalMs: 0 },
    read: async (cell, phase) => {
      const seed = this.plan?.seed ?? 0;
      const machine = this.options.machine;
      const seen = (phase === 'confirm' ? machine?.confirmCanarySees : undefined) ?? machine?.canarySees ?? 1;
      const load = 1 + (this.machineFactor(cell.id, phase) - 1) * seen;
      return Array.from({ length: cell.workers }, (_, worker) => {
        const noise = 1 + 0.01 * (2 * hashToUnit(`${seed}|${cell.id}|canary|${phase}|${worker}`) - 1);
        return FAKE_CANARY_MS * (1 + 0.05 * (cell.workers - 1)) * load * noise;
      });
    },
  };

  constructor(private readonly options: FakeRunnerOptions = {}) {}

  /** How much slower the simulated machine runs this cell now (1 = unloaded). */
  private machineFactor(cellId: string, phase: CellJob['phase']): number {
    const load = this.options.machine;
    if (!load) return 1;
    if (load.inConfirm === 'gone' && phase === 'confirm') return 1;
    return !load.cells || load.cells.some((fragment) => cellId.includes(fragment)) ? load.factor : 1;
  }

  async start(plan: BenchmarkPlan): Promise<BackendFacts> {
    if (this.options.startError !== undefined) throw new Error(this.options.startError);
    this.plan = plan;
    return {
      runner: 'fake',
      backend: 'cpu',
      tfjsVersion: 'fake',
      backendVersion: 'fake',
      kernelPatches: [],
      peakFlopsPerSec: 20e9,
    };
  }

  async runCell(job: CellJob, onTrial?: (progress: TrialProgress) => void): Promise<CellMeasurement> {
    const plan = this.plan;
    if (!plan) throw new Error('FakeRunner.runCell called before start()');
    const { cell } = job;
    const params = estimatedParams(cell.model);
    const model: ModelInfo = { name: cell.model, params, forwardFlopsPerSample: 2 * params, trainFlopsPerSample: 6 * params };
    const trials: TrialResult[] = [];
    // 0 - warmup, not -warmup: with no warm-up the first repetition must be 0, not -0 (JSON writes both as 0).
    for (let repetition = 0 - plan.warmup; repetition < plan.repeats; repetition++) {
      onTrial?.({ cell, repetition });
      if (repetition < 0) continue;
      if (this.options.failCells?.some((fragment) => cell.id.includes(fragment))) {
        trials.push(failedTrial(repetition, 'errored', 'fake failure requested by SCALE_BENCH_FAKE.failCells'));
        break;
      }
      trials.push(this.trial(job, repetition, plan, params));
    }
    if (this.options.delayMs) await sleep(this.options.delayMs);
    return { model, coldStartMs: 250, threadsPerWorker: 1, trials };
  }

  private trial(job: CellJob, repetition: number, plan: BenchmarkPlan, params: number): TrialResult {
    const { cell } = job;
    const sigma = this.options.sigma ?? 0.05;
    const kappa = this.options.kappa ?? 0.005;
    const w = cell.workers;
    const contention = 1 + sigma * (w - 1) + kappa * w * (w - 1);
    const oversubscription = Math.max(1, w / plan.cores);
    const rerun = job.phase === 'confirm' ? '|confirm' : '';
    const noise = 1 + (this.options.noise ?? 0.02) * (2 * hashToUnit(`${plan.seed}|${cell.id}|${repetition}${rerun}`) - 1);
    const usPerSample = estimatedUsPerSample(cell.model) * (this.options.slowdown?.[cell.model] ?? 1) * this.machineFactor(cell.id, job.phase);
    const perReplicaSamples = job.nTrain * plan.training.epochs;
    const wallMs = ((perReplicaSamples * usPerSample) / 1000) * contention * oversubscription * noise;
    const samples = perReplicaSamples * w;
    const regression = job.spec.task === 'regression';
    const quality = (QUALITY[cell.model] ?? 0.8) - (this.options.qualityDrop?.[cell.model] ?? 0);
    const globalBatch = cell.mode === 'data-parallel' && cell.scaling === 'weak' ? plan.training.batchSize * w : plan.training.batchSize;
    if (plan.convergence) {
      const perEpochMs = wallMs / plan.training.epochs;
      const curve = simulateConvergence(job, plan, repetition, quality, globalBatch, this.options);
      const replicas = cell.mode === 'data-parallel' ? 1 : w;
      return {
        repetition,
        state: 'ok',
        wallMs: perEpochMs * curve.epochsTrained,
        samplesPerSec: (samples / (perEpochMs * plan.training.epochs)) * 1000,
        samples: job.nTrain * curve.epochsTrained * replicas,
        cpuMs: perEpochMs * curve.epochsTrained * Math.min(w, plan.cores),
        peakRssBytes: 80e6 + job.table.x.byteLength + w * (20e6 + params * 4 * 4),
        peakTensorBytes: job.table.x.byteLength + params * 4 * 4,
        finalLoss: regression ? 0.05 : 0.4,
        quality: { metric: regression ? 'r2' : 'accuracy', value: curve.finalQuality },
        converged: curve.converged,
        ...(curve.converged ? { timeToTargetMs: perEpochMs * (curve.epochsToTarget ?? 0), epochsToTarget: curve.epochsToTarget } : {}),
        epochsTrained: curve.epochsTrained,
        evalMs: curve.evaluations * ((job.nTest * usPerSample) / 3000),
        evaluations: curve.evaluations,
        stopReason: curve.stopReason,
        bestQuality: curve.bestQuality,
        steps: Math.round(curve.epochsTrained * Math.ceil(job.nTrain / globalBatch)),
        seed: repetitionSeed(plan.seed, repetition),
      };
    }
    return {
      repetition,
      state: 'ok',
      wallMs,
      samplesPerSec: (samples / wallMs) * 1000,
      samples,
      cpuMs: wallMs * Math.min(w, plan.cores),
      peakRssBytes: FAKE_BASE_RSS_BYTES + job.table.x.byteLength + w * (20e6 + params * 4 * 4),
      // What the cell adds: its table, and per worker a copy of the data, the weights and Adam's moments.
      cellMemoryBytes: job.table.x.buffer.byteLength + w * (job.table.x.byteLength + params * 4 * 4),
      rssBeforeCellBytes: FAKE_BASE_RSS_BYTES,
      peakTensorBytes: job.table.x.byteLength + params * 4 * 4,
      workerTensorBytes: w * (job.table.x.byteLength + params * 4 * 4),
      finalLoss: regression ? 0.05 : 0.4,
      quality: { metric: regression ? 'r2' : 'accuracy', value: quality },
      steps: plan.training.epochs * Math.ceil(job.nTrain / globalBatch),
    };
  }

  /** The simulated process's RSS before any cell: the fixed part of every trial's peakRssBytes. */
  rssBytes(): number {
    return FAKE_BASE_RSS_BYTES;
  }

  async close(): Promise<void> {}
}
