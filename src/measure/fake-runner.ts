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

export interface FakeRunnerOptions {
  /** Multiply a model's time by this factor, e.g. {"mlp-deep": 2}. */
  slowdown?: Record<string, number>;
  /** Subtract this from a model's quality, e.g. {"mlp-small": 0.1}. */
  qualityDrop?: Record<string, number>;
  /** Cells whose id contains one of these strings throw. */
  failCells?: string[];
  /** Relative noise amplitude per trial (default 0.02). */
  noise?: number;
  /** Wall-clock milliseconds each cell takes, so tests can interrupt a run mid-sweep (default 0). */
  delayMs?: number;
  /** USL contention and coherency of the simulated machine (default 0.05 and 0.005). */
  sigma?: number;
  kappa?: number;
  /** A slowed machine (other programs' load), as opposed to slower code: see FakeMachineLoad. */
  machine?: FakeMachineLoad;
}

/**
 * Load from outside the benchmark: the cells it covers take `factor` times longer, and so does the canary read
 * for them, so the gate's canary logic can be tested in milliseconds.
 */
export interface FakeMachineLoad {
  /** How much slower the loaded machine runs, e.g. 1.5. */
  factor: number;
  /** Cells whose id contains one of these run on the loaded machine; all cells when absent. */
  cells?: string[];
  /** Share of the slowdown the canary sees (default 1: all of it; 0: a burst the canary missed). */
  canarySees?: number;
  /** The load during the confirm step's re-runs: 'same' (default: it persists) or 'gone' (a burst that passed). */
  inConfirm?: 'same' | 'gone';
  /** Share of the slowdown the canary read around the re-runs sees (default `canarySees`). */
  confirmCanarySees?: number;
}

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

export function parseFakeOptions(json: string | undefined): FakeRunnerOptions {
  if (!json) return {};
  try {
    return JSON.parse(json) as FakeRunnerOptions;
  } catch {
    throw new Error(`SCALE_BENCH_FAKE is not valid JSON: ${json}`);
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
    return {
      repetition,
      state: 'ok',
      wallMs,
      samplesPerSec: (samples / wallMs) * 1000,
      samples,
      cpuMs: wallMs * Math.min(w, plan.cores),
      peakRssBytes: FAKE_BASE_RSS_BYTES + job.table.x.byteLength + w * (20e6 + params * 4 * 4),
      peakTensorBytes: job.table.x.byteLength + params * 4 * 4,
      finalLoss: regression ? 0.05 : 0.4,
      quality: { metric: regression ? 'r2' : 'accuracy', value: quality },
    };
  }

  /** The simulated process's RSS before any cell: the fixed part of every trial's peakRssBytes. */
  rssBytes(): number {
    return FAKE_BASE_RSS_BYTES;
  }

  async close(): Promise<void> {}
}
