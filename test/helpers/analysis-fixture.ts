/**
 * A realistic RunResult + Analysis pair built by hand, for reporter tests.
 *
 * It does not use src/analyse.ts on purpose: reporters must be testable against an Analysis
 * whose every number is known in advance. The grid is 3 sizes x 2 models x widths 1..3
 * (plus width 4 for mlp-small at the largest size, so one sweep has a USL fit and the others
 * say why they have none), 3 repetitions per cell, on a 2-core machine.
 *
 * Known values the tests rely on (mlp-small, classification, job-parallel):
 * - wall time grows as n^1.02 +- 0.03 at every width;
 * - speedup follows the USL with sigma 0.03, kappa 0.02: S(2) = 2/1.07 = 1.869 (93.5 % efficient),
 *   S(3) = 3/1.18 = 2.542, S(4) = 4/1.33 = 3.008; peak at sqrt(0.97/0.02) = 6.96 workers.
 * The second model has a hostile name (HTML, CSV and Markdown metacharacters); its largest
 * cell at 3 workers failed on every repetition, so it has no statistics at all.
 */
import type { Analysis, AnalysisWarning, CellAnalysis, ComplexityScaling, QualityFlag, SizeScaling, WidthPoint, WidthScaling } from '../../src/analyse/schema.js';
import type { Cell, CellResult, Environment, ModelInfo, RunResult, TrialResult } from '../../src/results/schema.js';
import type { Comparison } from '../../src/gate/schema.js';
import type { SampleSummary } from '../../src/stats/types.js';

/** A model name that breaks out of HTML, CSV quoting and Markdown tables if not escaped. */
export const HOSTILE_MODEL = 'evil,"model"|<img src=x onerror=alert(1)></script><!--';
export const DATASET = 'classification';
export const SIZES = [1000, 2000, 4000] as const;
export const WIDTHS = [1, 2, 3] as const;
export const CORES = 2;
const MODE = 'job-parallel' as const;
const EPOCHS = 2;
const TEST_FRACTION = 0.2;
/** Multipliers of the three repetitions' wall time; the median one is exactly 1. */
const REP_FACTORS = [1.0, 0.97, 1.04];
/** The noisy cell's repetitions: IQR / median = 0.35. */
const NOISY_FACTORS = [1.0, 0.7, 1.4];
const NOISY_CELL = { model: 'mlp-small', size: 2000, workers: 2 };
const FAILED_CELL = { model: HOSTILE_MODEL, size: 4000, workers: 3 };

interface ModelLaw {
  info: ModelInfo;
  /** Samples/s of one worker at n = 1000. */
  x1At1000: number;
  /** Wall-time exponent against n (throughput falls as n^-(b-1)). */
  exponent: number;
  sigma: number;
  kappa: number;
  /** Held-out accuracy at n = 1000, rising 0.01 per doubling. */
  accuracyAt1000: number;
}

export const MODELS: Record<string, ModelLaw> = {
  'mlp-small': {
    info: { name: 'mlp-small', params: 3523, forwardFlopsPerSample: 6848, trainFlopsPerSample: 20544 },
    x1At1000: 50_000,
    exponent: 1.02,
    sigma: 0.03,
    kappa: 0.02,
    accuracyAt1000: 0.89,
  },
  [HOSTILE_MODEL]: {
    info: { name: HOSTILE_MODEL, params: 40_000, forwardFlopsPerSample: 79_000, trainFlopsPerSample: 237_000 },
    x1At1000: 8_000,
    exponent: 1.21,
    sigma: 0.1,
    kappa: 0.05,
    accuracyAt1000: 0.93,
  },
};

export function cellId(model: string, size: number, workers: number): string {
  return `${model}|${DATASET}|n=${size}|w=${workers}|${MODE}`;
}

/** USL speedup N / (1 + sigma (N-1) + kappa N (N-1)). */
export function uslSpeedup(n: number, sigma: number, kappa: number): number {
  return n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

function quantile(sorted: number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/** Hand summary of 3 values: the median CI of 3 samples is [min, max] at 75 %. */
function summarise(values: number[]): SampleSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = quantile(sorted, 0.5);
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const stdDev = n > 1 ? Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  return {
    n,
    median,
    mean,
    stdDev,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    iqr,
    mad: quantile(deviations, 0.5),
    outliers: 0,
    medianCi: { value: median, low: n >= 3 ? sorted[0]! : null, high: n >= 3 ? sorted[n - 1]! : null, level: 0.75 },
    relativeSpread: median === 0 ? 0 : iqr / median,
  };
}

export interface FixtureOptions {
  runId?: string;
  machineId?: string;
  cpuModel?: string;
  /** Multiplies every wall time (1.3 = 30 % slower machine or commit). */
  slowdown?: number;
  startedAt?: string;
  hostname?: string;
}

export function makeEnvironment(opts: FixtureOptions = {}): Environment {
  return {
    machineId: opts.machineId ?? 'a1b2c3d4',
    cpuModel: opts.cpuModel ?? 'AMD EPYC 7B13',
    cores: CORES,
    totalMemoryBytes: 24 * 1024 ** 3,
    os: 'linux 6.1.0-27-cloud-amd64',
    arch: 'x64',
    node: 'v20.20.2',
    backend: 'wasm',
    tfjsVersion: '4.22.0',
    backendVersion: '4.22.0',
    wasmSimd: true,
    kernelPatches: ['BatchMatMul:transpose-first'],
    peakFlopsPerSec: 20e9,
    gitCommit: 'abc1234',
    hostname: opts.hostname ?? 'bench-1',
    runner: 'tfjs',
  };
}

function widthsFor(model: string, size: number): number[] {
  return model === 'mlp-small' && size === 4000 ? [1, 2, 3, 4] : [...WIDTHS];
}

/** Median (noise-free) aggregate throughput of a cell, in samples/s. */
export function expectedThroughput(model: string, size: number, workers: number, slowdown = 1): number {
  const law = MODELS[model]!;
  const x1 = law.x1At1000 / (size / 1000) ** (law.exponent - 1);
  return (x1 * uslSpeedup(workers, law.sigma, law.kappa)) / slowdown;
}

function buildCellResult(model: string, size: number, workers: number, env: Environment, slowdown: number): CellResult {
  const law = MODELS[model]!;
  const cell: Cell = { id: cellId(model, size, workers), model, dataset: DATASET, size, workers, mode: MODE };
  const samples = Math.round(size * (1 - TEST_FRACTION)) * EPOCHS * workers;
  const x = expectedThroughput(model, size, workers, slowdown);
  const isNoisy = model === NOISY_CELL.model && size === NOISY_CELL.size && workers === NOISY_CELL.workers;
  const failed = model === FAILED_CELL.model && size === FAILED_CELL.size && workers === FAILED_CELL.workers;
  const factors = isNoisy ? NOISY_FACTORS : REP_FACTORS;
  const trials: TrialResult[] = factors.map((f, repetition) => {
    const wallMs = (samples / x) * 1000 * f;
    const accuracy = law.accuracyAt1000 + 0.01 * Math.log2(size / 1000);
    const base = {
      repetition,
      wallMs,
      samplesPerSec: samples / (wallMs / 1000),
      samples,
      cpuMs: wallMs * Math.min(workers, CORES) * 0.95,
      peakRssBytes: 150e6 + law.info.params * 500 + size * 2_000 + workers * 30e6 + repetition * 1e6,
      peakTensorBytes: size * 20 * 4,
      finalLoss: 0.3,
      quality: { metric: 'accuracy' as const, value: accuracy },
    };
    return failed ? { ...base, state: 'errored' as const, error: 'Out of memory: worker 3 exited with code 134' } : { ...base, state: 'ok' as const };
  });
  return { cell, model: law.info, coldStartMs: 180 + 60 * workers, trials, threadsPerWorker: 1, machineId: env.machineId };
}

function analyseCell(result: CellResult, peakFlopsPerSec: number): CellAnalysis {
  const ok = result.trials.filter((t) => t.state === 'ok');
  const { cell, model } = result;
  const wallMs = ok.length > 0 ? summarise(ok.map((t) => t.wallMs)) : null;
  const samplesPerSec = ok.length > 0 ? summarise(ok.map((t) => t.samplesPerSec)) : null;
  const quality = ok.length > 0 ? { metric: 'accuracy' as const, value: ok[0]!.quality.value } : null;
  const samples = result.trials[0]!.samples;
  const gflops = samplesPerSec ? (samplesPerSec.median * model.trainFlopsPerSample) / 1e9 : null;
  return {
    cellId: cell.id,
    cell,
    model,
    okTrials: ok.length,
    totalTrials: result.trials.length,
    wallMs,
    samplesPerSec,
    peakRssBytes: ok.length > 0 ? summarise(ok.map((t) => t.peakRssBytes)) : null,
    cpuMs: ok.length > 0 ? summarise(ok.map((t) => t.cpuMs)) : null,
    quality,
    usPerSample: wallMs ? (wallMs.median * 1000) / (samples / cell.workers) : null,
    gflops,
    mfu: gflops === null ? null : (gflops * 1e9) / (peakFlopsPerSec * Math.min(cell.workers, CORES)),
    coldStartMs: result.coldStartMs,
  };
}

function fitPowerLaw(points: Array<{ size: number; value: number }>): { b: number; a: number } {
  const xs = points.map((p) => Math.log(p.size));
  const ys = points.map((p) => Math.log(p.value));
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  const b = sxy / sxx;
  return { b, a: Math.exp(my - b * mx) };
}

function sizeScalingFor(cells: CellAnalysis[], model: string, workers: number, metric: 'wallMs' | 'peakRssBytes'): SizeScaling {
  const points = cells
    .filter((c) => c.cell.model === model && c.cell.workers === workers && c[metric] !== null)
    .map((c) => ({ size: c.cell.size, value: c[metric]!.median }))
    .sort((p, q) => p.size - q.size);
  const fit = points.length >= 2 ? fitPowerLaw(points) : null;
  // Hand-set intervals: +-0.03 with 3 sizes, none with 2 (a line through 2 points has no residual).
  const halfWidth = metric === 'wallMs' ? 0.03 : 0.05;
  const withCi = points.length >= 3;
  return {
    key: `${model}|${DATASET}|w=${workers}|${MODE}|${metric}`,
    model,
    dataset: DATASET,
    workers,
    mode: MODE,
    metric,
    points,
    exponent: fit
      ? { value: fit.b, low: withCi ? fit.b - halfWidth : null, high: withCi ? fit.b + halfWidth : null, level: 0.95 }
      : null,
    coefficient: fit ? fit.a : null,
    rSquared: fit ? (withCi ? 0.998 : 1) : null,
    bigO: fit ? { class: metric === 'wallMs' ? 'O(n)' : 'O(1)', coefficient: fit.a, relativeRms: 0.02 } : null,
  };
}

function widthScalingFor(cells: CellAnalysis[], model: string, size: number): WidthScaling {
  const ofSweep = cells
    .filter((c) => c.cell.model === model && c.cell.size === size && c.samplesPerSec !== null)
    .sort((p, q) => p.cell.workers - q.cell.workers);
  const x1 = ofSweep.find((c) => c.cell.workers === 1)?.samplesPerSec?.median ?? null;
  const points: WidthPoint[] = ofSweep.map((c) => {
    const w = c.cell.workers;
    const throughput = c.samplesPerSec!.median;
    const speedup = x1 === null ? null : throughput / x1;
    return {
      workers: w,
      throughput,
      speedup,
      efficiency: speedup === null ? null : speedup / w,
      karpFlatt: speedup === null || w === 1 ? null : (1 / speedup - 1 / w) / (1 - 1 / w),
      oversubscribed: w > CORES,
    };
  });
  const s2 = points.find((p) => p.workers === 2)?.speedup ?? null;
  const law = MODELS[model]!;
  const usl: WidthScaling['usl'] =
    points.length >= 4 && x1 !== null
      ? (() => {
          const peakWorkers = Math.sqrt((1 - law.sigma) / law.kappa);
          return {
            sigma: law.sigma,
            kappa: law.kappa,
            lambda: x1,
            peakWorkers,
            peakThroughput: x1 * uslSpeedup(peakWorkers, law.sigma, law.kappa),
            limitedBy: 'coherency' as const,
            rSquared: 0.999,
          };
        })()
      : { unavailable: `not enough widths: ${points.length} < 4` };
  return {
    key: `${model}|${DATASET}|n=${size}|${MODE}`,
    model,
    dataset: DATASET,
    size,
    mode: MODE,
    points,
    amdahlParallelFraction: s2 === null ? null : (1 - 1 / s2) / (1 - 1 / 2),
    usl,
  };
}

function complexityFor(cells: CellAnalysis[], size: number): ComplexityScaling {
  const points = cells
    .filter((c) => c.cell.size === size && c.cell.workers === 1 && c.usPerSample !== null)
    .map((c) => ({
      model: c.cell.model,
      params: c.model.params,
      trainFlopsPerSample: c.model.trainFlopsPerSample,
      usPerSample: c.usPerSample!,
      gflops: c.gflops,
    }))
    .sort((p, q) => p.params - q.params);
  const [p0, p1] = points;
  const slope = p0 && p1 ? Math.log(p1.usPerSample / p0.usPerSample) / Math.log(p1.params / p0.params) : null;
  return {
    key: `n=${size}|w=1|${MODE}`,
    size,
    workers: 1,
    mode: MODE,
    points,
    exponentVsParams: slope === null ? null : { value: slope, low: null, high: null, level: 0.95 },
  };
}

export interface Fixture {
  result: RunResult;
  analysis: Analysis;
}

export function makeFixture(opts: FixtureOptions = {}): Fixture {
  const env = makeEnvironment(opts);
  const runId = opts.runId ?? '2025-11-25T10-00-00Z-abc1234';
  const slowdown = opts.slowdown ?? 1;
  const models = Object.keys(MODELS);
  const cellResults: CellResult[] = [];
  for (const model of models) {
    for (const size of SIZES) {
      for (const w of widthsFor(model, size)) cellResults.push(buildCellResult(model, size, w, env, slowdown));
    }
  }
  const result: RunResult = {
    schemaVersion: 1,
    tool: { name: 'scale-bench', version: '0.1.0' },
    runId,
    startedAt: opts.startedAt ?? '2025-11-25T10:00:00.000Z',
    finishedAt: '2025-11-25T10:04:12.000Z',
    complete: false,
    plan: {
      runId,
      cells: cellResults.map((c) => c.cell),
      datasets: [{ name: DATASET, generator: 'classification', task: 'classification', features: 20, classes: 3 }],
      repeats: 3,
      warmup: 1,
      seed: 42,
      backend: 'auto',
      stockKernels: false,
      training: { epochs: EPOCHS, batchSize: 32, learningRate: 0.01, testFraction: TEST_FRACTION },
      cellTimeoutMs: 600_000,
      cores: CORES,
    },
    environment: env,
    cells: cellResults,
  };

  const cells = cellResults.map((c) => analyseCell(c, env.peakFlopsPerSec!));
  const sizeScaling: SizeScaling[] = [];
  for (const model of models) {
    for (const w of WIDTHS) sizeScaling.push(sizeScalingFor(cells, model, w, 'wallMs'));
    sizeScaling.push(sizeScalingFor(cells, model, 1, 'peakRssBytes'));
  }
  const widthScaling = models.flatMap((m) => SIZES.map((n) => widthScalingFor(cells, m, n)));
  const complexityScaling = SIZES.map((n) => complexityFor(cells, n));

  const fast = cells.find((c) => c.cellId === cellId('mlp-small', 1000, 1))!;
  const slow = cells.find((c) => c.cellId === cellId(HOSTILE_MODEL, 1000, 1))!;
  const qualityFlags: QualityFlag[] = [
    {
      cellId: fast.cellId,
      referenceCellId: slow.cellId,
      metric: 'accuracy',
      value: fast.quality!.value,
      referenceValue: slow.quality!.value,
      speedup: slow.wallMs!.median / fast.wallMs!.median,
    },
  ];
  const failedId = cellId(FAILED_CELL.model, FAILED_CELL.size, FAILED_CELL.workers);
  const warnings: AnalysisWarning[] = [
    { code: 'few-repetitions', message: '3 repetitions per cell; 6 or more give reliable confidence intervals (--repeats 6).' },
    {
      code: 'noisy-cell',
      message: 'wall time varies by 35% of the median (IQR); close other programs or add repetitions.',
      subject: cellId(NOISY_CELL.model, NOISY_CELL.size, NOISY_CELL.workers),
    },
    { code: 'oversubscribed', message: 'widths 3 and 4 exceed the 2 logical cores; their speedups measure contention, not parallelism.' },
    { code: 'failed-cell', message: `${HOSTILE_MODEL}: all 3 repetitions errored (Out of memory).`, subject: failedId },
    {
      code: 'not-enough-widths',
      message: 'USL needs 4 or more widths; only mlp-small at n=4000 has them.',
      subject: `${HOSTILE_MODEL}|${DATASET}|n=4000|${MODE}`,
    },
    {
      code: 'quality-tradeoff',
      message: `mlp-small is ${qualityFlags[0]!.speedup.toFixed(1)}x faster than ${HOSTILE_MODEL} at n=1000 but 4 points less accurate.`,
      subject: fast.cellId,
    },
  ];

  const analysis: Analysis = {
    runId,
    backend: 'wasm',
    environment: env,
    cells,
    sizeScaling,
    widthScaling,
    complexityScaling,
    qualityFlags,
    warnings,
  };
  return { result, analysis };
}

/** A baseline-vs-current comparison of two fixtures, with one verdict of each kind. */
export function makeComparison(baseline: Fixture, current: Fixture): Comparison {
  const base = (id: string) => baseline.analysis.cells.find((c) => c.cellId === id)!.wallMs!.median;
  const cur = (id: string) => current.analysis.cells.find((c) => c.cellId === id)!.wallMs!.median;
  const slowId = cellId('mlp-small', 4000, 1);
  const hostileId = cellId(HOSTILE_MODEL, 1000, 2);
  const sameId = cellId('mlp-small', 1000, 1);
  return {
    baselineRunId: baseline.analysis.runId,
    currentRunId: current.analysis.runId,
    sameMachine: baseline.analysis.environment.machineId === current.analysis.environment.machineId,
    gateMode: 'raw',
    metrics: [
      {
        metric: 'wallMs',
        subject: slowId,
        baseline: base(slowId),
        current: cur(slowId),
        change: cur(slowId) / base(slowId) - 1,
        changeCi: { value: cur(slowId) / base(slowId) - 1, low: 0.21, high: 0.39, level: 0.95 },
        test: 'mann-whitney-exact',
        pValue: 0.05,
        threshold: 0.05,
        verdict: 'regressed',
        gated: true,
      },
      {
        metric: 'wallMs',
        subject: hostileId,
        baseline: base(hostileId),
        current: base(hostileId) * 0.8,
        change: -0.2,
        changeCi: { value: -0.2, low: -0.26, high: -0.14, level: 0.95 },
        test: 'bootstrap-ratio',
        pValue: null,
        threshold: 0.05,
        verdict: 'improved',
        gated: true,
      },
      {
        metric: 'wallMs',
        subject: sameId,
        baseline: base(sameId),
        current: base(sameId) * 1.01,
        change: 0.01,
        changeCi: null,
        test: 'mann-whitney-exact',
        pValue: 0.7,
        threshold: 0.05,
        verdict: 'unchanged',
        gated: true,
      },
      {
        metric: 'exponent',
        subject: `mlp-small|${DATASET}|w=1|${MODE}|wallMs`,
        baseline: 1.02,
        current: 1.03,
        change: 0.01,
        changeCi: null,
        test: 'ci-overlap',
        pValue: null,
        threshold: 0.05,
        verdict: 'inconclusive',
        gated: false,
      },
    ],
    budgets: [
      { expression: 'mlp-small.exponent<=1.1', measured: 1.02, passed: true, message: 'mlp-small exponent 1.02 <= 1.1' },
      { expression: 'efficiency@2>=0.95', measured: null, passed: false, message: 'no width-2 measurement for cnn-small' },
    ],
    geometricMeanRatio: 1.04,
    regressions: 1,
    improvements: 1,
    warnings: ['baseline has 3 repetitions per cell; 6 or more are needed for a reliable verdict'],
    passed: false,
  };
}
