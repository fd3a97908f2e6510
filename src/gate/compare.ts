/**
 * baseline RunResult + current RunResult -> Comparison, as pure data (rendering lives elsewhere, as in
 * Google Benchmark's tools/gbench/report.py).
 *
 * The gate is built against both complaints about CI benchmarks, false alarms and no alarms:
 * - A time or memory change is a regression only when it is statistically significant AND its whole
 *   confidence interval lies beyond the noise threshold (criterion.rs's rule). Significance is the
 *   Mann-Whitney U test (exact for small samples); when the repetitions are too few for that test to
 *   ever reach alpha (3 vs 3: smallest two-sided p is 0.1), the bootstrap interval of the ratio of
 *   medians decides instead and a warning says so. With 3 vs 3 that interval is [min/max, max/min],
 *   so it only fires when the two samples do not overlap at all: strict, but the build can still fail.
 * - Raw times and memory are gated only when both runs came from the same machine fingerprint and
 *   backend. Otherwise only shapes that hold across machines are gated: the time-vs-size exponent,
 *   parallel efficiency, the USL peak, and quality. Every metric records whether it was gated.
 */
import type { Analysis, CellAnalysis, WidthScaling } from '../analyse/schema.js';
import type { Comparison, MetricComparison, Verdict } from './schema.js';
import type { Environment, RunResult } from '../results/schema.js';
import type { Estimate } from '../stats/types.js';
import { analyse } from '../analyse/index.js';
import { bootstrapRatioOfMedians, mannWhitneyU, median } from '../stats/index.js';
import { evaluateBudgets, type Budget } from './budgets.js';

/** Noise thresholds per metric: a change must exceed these to count. */
export interface Thresholds {
  /** Relative change of a cell's median wall time, e.g. 0.10 = 10%. */
  wallMs: number;
  /** Relative change of a cell's median peak RSS. */
  peakRssBytes: number;
  /** Absolute change of a cell's median held-out quality (accuracy or R², 0..1). */
  quality: number;
  /** Relative change of a fitted exponent (time or memory vs size, time vs parameters). */
  exponent: number;
  /** Relative change of parallel efficiency at a width. */
  efficiency: number;
  /** Relative change of the USL peak width (USL fits are unstable, hence a wider default). */
  uslPeak: number;
}

export type ThresholdName = keyof Thresholds;

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = {
  wallMs: 0.1,
  peakRssBytes: 0.1,
  quality: 0.02,
  exponent: 0.1,
  efficiency: 0.1,
  uslPeak: 0.25,
};

export type GateChoice = 'auto' | 'raw' | 'shape';

export interface CompareOptions {
  thresholds?: Partial<Thresholds>;
  /** Significance level of the two-sample test; default 0.05. */
  alpha?: number;
  /** 'auto' (default): raw on the same machine and backend, shape otherwise. 'raw' / 'shape' force one. */
  gate?: GateChoice;
  budgets?: readonly Budget[];
  /** Confidence level of intervals; default 0.95. */
  confidenceLevel?: number;
  /** Bootstrap resamples; default 2000. */
  resamples?: number;
  /** Bootstrap seed, so a comparison is reproducible; default 1. */
  seed?: number;
  /** Analyses already computed for these results (the CLI has the current one), to save work. */
  baselineAnalysis?: Analysis;
  currentAnalysis?: Analysis;
}

/** Repetitions per side below which a warning says the verdicts are rough (DESIGN.md: warn below 6). */
export const RECOMMENDED_REPETITIONS = 6;

// ---------------------------------------------------------------------------
// Two-sample decision (pure; exported for tests)
// ---------------------------------------------------------------------------

/** ln C(n, k) by summing logs, exact enough for the smallest p-value. */
function lnChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Smallest two-sided p-value the exact Mann-Whitney test can give with m and n samples: both
 * extreme orderings, 2 / C(m+n, m). With 3 vs 3 it is 0.1, so at alpha 0.05 the test never fires.
 */
export function smallestMannWhitneyP(m: number, n: number): number {
  if (m < 1 || n < 1) return 1;
  return Math.min(1, 2 * Math.exp(-lnChoose(m + n, m)));
}

export interface SampleDecision {
  /** Relative change of the medians, current / baseline − 1. */
  change: number;
  changeCi: Estimate | null;
  test: string;
  pValue: number | null;
  verdict: Verdict;
  /** Whether the rank test could reach alpha with these sample sizes. */
  testCanFire: boolean;
}

export interface SampleDecisionOptions {
  threshold: number;
  alpha: number;
  level: number;
  resamples: number;
  seed: number;
  /** true for times and memory: an increase is a regression. */
  higherIsWorse: boolean;
}

/**
 * Compares two samples of a metric. Null when the baseline median is not positive (no ratio exists).
 * Fewer than 2 values on a side is 'inconclusive': no test can say anything about noise from one value.
 */
export function decideSamples(baseline: readonly number[], current: readonly number[], options: SampleDecisionOptions): SampleDecision | null {
  const base = baseline.filter(Number.isFinite);
  const cur = current.filter(Number.isFinite);
  if (base.length === 0 || cur.length === 0) return null;
  const ratio = bootstrapRatioOfMedians(cur, base, { resamples: options.resamples, level: options.level, seed: options.seed });
  if (!ratio) return null;
  const change = ratio.value - 1;
  const testCanFire = smallestMannWhitneyP(cur.length, base.length) < options.alpha;
  if (base.length < 2 || cur.length < 2) {
    return { change, changeCi: null, test: 'none (fewer than 2 repetitions)', pValue: null, verdict: 'inconclusive', testCanFire: false };
  }
  const changeCi: Estimate | null =
    ratio.low === null || ratio.high === null ? null : { value: change, low: ratio.low - 1, high: ratio.high - 1, level: ratio.level };
  const mw = mannWhitneyU(cur, base, { alternative: 'two-sided' });

  let significant: boolean;
  let test: string;
  if (testCanFire && mw) {
    significant = mw.pValue < options.alpha;
    test = `mann-whitney-${mw.method}`;
  } else {
    significant = changeCi !== null && changeCi.low !== null && changeCi.high !== null && (changeCi.low > 0 || changeCi.high < 0);
    test = 'bootstrap-ratio';
  }

  const t = options.threshold;
  const low = changeCi?.low ?? change;
  const high = changeCi?.high ?? change;
  let verdict: Verdict = 'unchanged';
  if (significant) {
    const up = low > t;
    const down = high < -t;
    if (up || down) verdict = up === options.higherIsWorse ? 'regressed' : 'improved';
    // Significant, past the threshold at the point estimate, but the interval reaches into the noise band.
    else if (Math.abs(change) > t) verdict = 'inconclusive';
  }
  // The rank test's p-value is reported only when it decided: a p of 0.1 beside a bootstrap verdict would mislead.
  return { change, changeCi, test, pValue: test === 'bootstrap-ratio' ? null : (mw?.pValue ?? null), verdict, testCanFire };
}

// ---------------------------------------------------------------------------
// Machines and gating
// ---------------------------------------------------------------------------

function machineOf(result: RunResult, machineId: string): Environment {
  return result.machines?.[machineId] ?? result.environment;
}

/** "abc123 (Intel Xeon, 2 cores, wasm)". */
function describeMachine(env: Environment): string {
  return `${env.machineId} (${env.cpuModel}, ${env.cores} cores, ${env.backend}${env.runner === 'fake' ? ', fake runner' : ''})`;
}

/** Same fingerprint, backend and runner: raw numbers of the two machines are comparable. */
function comparableMachines(a: Environment, b: Environment): boolean {
  return a.machineId === b.machineId && a.backend === b.backend && a.runner === b.runner;
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------

interface Context {
  thresholds: Thresholds;
  alpha: number;
  level: number;
  resamples: number;
  seed: number;
  gateMode: 'raw' | 'shape';
  forced: boolean;
  baseline: RunResult;
  current: RunResult;
  warnings: string[];
}

function okValues(result: RunResult, cellId: string, pick: (t: RunResult['cells'][number]['trials'][number]) => number): number[] {
  const cell = result.cells.find((c) => c.cell.id === cellId);
  return (cell?.trials ?? []).filter((t) => t.state === 'ok').map(pick);
}

function cellGated(ctx: Context, cellId: string): boolean {
  if (ctx.gateMode !== 'raw') return false;
  if (ctx.forced) return true;
  const b = ctx.baseline.cells.find((c) => c.cell.id === cellId);
  const c = ctx.current.cells.find((x) => x.cell.id === cellId);
  // Merged shards: each cell carries the machine that ran it.
  return b !== undefined && c !== undefined && comparableMachines(machineOf(ctx.baseline, b.machineId), machineOf(ctx.current, c.machineId));
}

function rawMetric(
  ctx: Context,
  cellId: string,
  metric: 'wallMs' | 'peakRssBytes',
  tooFew: Map<string, { m: number; n: number; cells: number }>,
): MetricComparison | null {
  const base = okValues(ctx.baseline, cellId, (t) => t[metric]);
  const cur = okValues(ctx.current, cellId, (t) => t[metric]);
  const threshold = ctx.thresholds[metric];
  const decision = decideSamples(base, cur, { threshold, alpha: ctx.alpha, level: ctx.level, resamples: ctx.resamples, seed: ctx.seed, higherIsWorse: true });
  if (!decision) return null;
  if (metric === 'wallMs' && (!decision.testCanFire || base.length < RECOMMENDED_REPETITIONS || cur.length < RECOMMENDED_REPETITIONS)) {
    const key = `${base.length}|${cur.length}`;
    const entry = tooFew.get(key) ?? { m: base.length, n: cur.length, cells: 0 };
    entry.cells++;
    tooFew.set(key, entry);
  }
  return {
    metric,
    subject: cellId,
    baseline: median(base),
    current: median(cur),
    change: decision.change,
    changeCi: decision.changeCi,
    test: decision.test,
    pValue: decision.pValue,
    threshold,
    verdict: decision.verdict,
    gated: cellGated(ctx, cellId),
  };
}

/**
 * Held-out quality: the absolute change of the medians against an absolute threshold. Quality is a
 * property of the model and data, not the machine, so it is gated in both modes. When the rank test
 * can fire it must also be significant, so noisy quality across repetitions does not raise alarms.
 */
function qualityMetric(ctx: Context, cellId: string): MetricComparison | null {
  const baseCell = ctx.baseline.cells.find((c) => c.cell.id === cellId);
  const curCell = ctx.current.cells.find((c) => c.cell.id === cellId);
  const baseOk = (baseCell?.trials ?? []).filter((t) => t.state === 'ok');
  const curOk = (curCell?.trials ?? []).filter((t) => t.state === 'ok');
  const metric = baseOk[0]?.quality.metric;
  if (metric === undefined || curOk[0]?.quality.metric !== metric) return null;
  const base = baseOk.filter((t) => t.quality.metric === metric).map((t) => t.quality.value).filter(Number.isFinite);
  const cur = curOk.filter((t) => t.quality.metric === metric).map((t) => t.quality.value).filter(Number.isFinite);
  if (base.length === 0 || cur.length === 0) return null;
  const b = median(base);
  const c = median(cur);
  const change = c - b;
  const threshold = ctx.thresholds.quality;
  const canFire = smallestMannWhitneyP(cur.length, base.length) < ctx.alpha;
  const mw = canFire ? mannWhitneyU(cur, base) : null;
  const significant = mw === null || mw.pValue < ctx.alpha;
  let verdict: Verdict = 'unchanged';
  if (significant && change < -threshold) verdict = 'regressed';
  else if (significant && change > threshold) verdict = 'improved';
  return {
    metric: 'quality',
    subject: cellId,
    baseline: b,
    current: c,
    change,
    changeCi: null,
    test: mw ? `mann-whitney-${mw.method}+threshold` : 'threshold',
    pValue: mw?.pValue ?? null,
    threshold,
    verdict,
    gated: true,
  };
}

/** Relative change against |baseline|; null when the baseline is 0 (no relative change exists). */
function relative(baseline: number, current: number): number | null {
  return baseline !== 0 && Number.isFinite(baseline) && Number.isFinite(current) ? (current - baseline) / Math.abs(baseline) : null;
}

/**
 * A fitted exponent "grew beyond its CI": the current estimate lies outside the baseline's interval
 * AND the relative change exceeds the threshold. Without an interval (2 sizes) only the threshold applies.
 * The change's interval combines both half-widths in quadrature (independent estimates).
 */
function exponentMetric(ctx: Context, metric: string, subject: string, base: Estimate, cur: Estimate): MetricComparison | null {
  const change = relative(base.value, cur.value);
  if (change === null) return null;
  const threshold = ctx.thresholds.exponent;
  const hasCi = base.low !== null && base.high !== null;
  const outside = hasCi ? cur.value > (base.high ?? Infinity) || cur.value < (base.low ?? -Infinity) : true;
  let changeCi: Estimate | null = null;
  if (hasCi && cur.low !== null && cur.high !== null) {
    const halfBase = ((base.high ?? 0) - (base.low ?? 0)) / 2;
    const halfCur = (cur.high - cur.low) / 2;
    const half = Math.sqrt(halfBase ** 2 + halfCur ** 2) / Math.abs(base.value);
    changeCi = { value: change, low: change - half, high: change + half, level: base.level };
  }
  let verdict: Verdict = 'unchanged';
  if (outside && change > threshold) verdict = 'regressed';
  else if (outside && change < -threshold) verdict = 'improved';
  else if (!outside && Math.abs(change) > threshold) verdict = 'inconclusive';
  return {
    metric,
    subject,
    baseline: base.value,
    current: cur.value,
    change,
    changeCi,
    test: hasCi ? 'outside-baseline-ci' : 'threshold',
    pValue: null,
    threshold,
    verdict,
    gated: true,
  };
}

/** A cell of `analysis` by its coordinates (sweeps name cells by coordinates, not ids). */
function findCell(analysis: Analysis, where: { model: string; dataset: string; size: number; workers: number; mode: string }): CellAnalysis | undefined {
  return analysis.cells.find(
    (c) => c.cell.model === where.model && c.cell.dataset === where.dataset && c.cell.size === where.size && c.cell.workers === where.workers && c.cell.mode === where.mode,
  );
}

interface Interval {
  low: number;
  high: number;
  level: number;
}

function positiveInterval(ci: Estimate | undefined): Interval | null {
  return ci && ci.low !== null && ci.high !== null && ci.low > 0 ? { low: ci.low, high: ci.high, level: ci.level } : null;
}

/**
 * A fit through 2 points has no t-interval (no residual degrees of freedom), yet a 2-size sweep must
 * not be gated on its point estimate alone (noise would fail builds). Its interval is taken from the
 * two medians' intervals instead: the shallowest and steepest slopes between them.
 */
function withTwoPointInterval(estimate: Estimate, xs: readonly number[], ys: ReadonlyArray<Interval | null>): Estimate {
  if (estimate.low !== null && estimate.high !== null) return estimate;
  const [x1, x2] = xs;
  const [y1, y2] = ys;
  if (xs.length !== 2 || x1 === undefined || x2 === undefined || !y1 || !y2 || !(x1 > 0) || !(x2 > x1)) return estimate;
  const dx = Math.log(x2 / x1);
  return { value: estimate.value, low: Math.log(y2.low / y1.high) / dx, high: Math.log(y2.high / y1.low) / dx, level: Math.min(y1.level, y2.level) };
}

function sizeExponent(analysis: Analysis, s: Analysis['sizeScaling'][number]): Estimate | null {
  if (!s.exponent) return null;
  const ys = s.points.map((p) => positiveInterval(findCell(analysis, { ...s, size: p.size })?.[s.metric]?.medianCi));
  return withTwoPointInterval(s.exponent, s.points.map((p) => p.size), ys);
}

function paramsExponent(analysis: Analysis, s: Analysis['complexityScaling'][number]): Estimate | null {
  if (!s.exponentVsParams) return null;
  const ys = s.points.map((p) => {
    const cell = analysis.cells.find(
      (c) => c.cell.model === p.model && (s.dataset === undefined || c.cell.dataset === s.dataset) && c.cell.size === s.size && c.cell.workers === s.workers && c.cell.mode === s.mode,
    );
    const x = positiveInterval(cell?.samplesPerSec?.medianCi);
    // Time per sample per worker is workers / throughput: the interval flips.
    return x ? { low: (s.workers * 1e6) / x.high, high: (s.workers * 1e6) / x.low, level: x.level } : null;
  });
  return withTwoPointInterval(s.exponentVsParams, s.points.map((p) => p.params), ys);
}

function sizeLawMetrics(ctx: Context, baseline: Analysis, current: Analysis): MetricComparison[] {
  const out: MetricComparison[] = [];
  for (const b of baseline.sizeScaling) {
    const c = current.sizeScaling.find((s) => s.key === b.key);
    const be = sizeExponent(baseline, b);
    const ce = c ? sizeExponent(current, c) : null;
    if (!be || !ce) continue;
    const m = exponentMetric(ctx, b.metric === 'wallMs' ? 'exponent' : 'memoryExponent', b.key, be, ce);
    if (m) out.push(m);
  }
  for (const b of baseline.complexityScaling) {
    const c = current.complexityScaling.find((s) => s.key === b.key);
    // Only compare fits over the same models: adding a model changes the slope without any regression.
    const models = (s: typeof b) => s.points.map((p) => p.model).join(',');
    if (!c || models(b) !== models(c)) continue;
    const be = paramsExponent(baseline, b);
    const ce = paramsExponent(current, c);
    if (!be || !ce) continue;
    const m = exponentMetric(ctx, 'paramsExponent', b.key, be, ce);
    // How time grows with model size depends on caches, SIMD width and memory bandwidth, so unlike the
    // time-vs-data-size exponent it does not hold across machines: gated on the same machine only.
    if (m) out.push({ ...m, gated: ctx.gateMode === 'raw' });
  }
  return out;
}

/** Interval of the median throughput of a cell, from the analysis's distribution-free median CI. */
function throughputInterval(analysis: Analysis, sweep: WidthScaling, workers: number): { low: number; high: number } | null {
  const cell = analysis.cells.find(
    (c: CellAnalysis) => c.cell.model === sweep.model && c.cell.dataset === sweep.dataset && c.cell.size === sweep.size && c.cell.mode === sweep.mode && c.cell.workers === workers,
  );
  const ci = cell?.samplesPerSec?.medianCi;
  if (!ci || ci.low === null || ci.high === null || !(ci.low > 0)) return null;
  return { low: ci.low, high: ci.high };
}

/**
 * Efficiency E(w) = X(w) / (w·X(1)), with an interval from the throughput intervals at w and 1.
 * A drop counts when the two efficiency intervals do not overlap ('ci-overlap') and the relative change
 * exceeds the threshold. Widths above either machine's cores measure contention, which depends on the
 * core count, so across machines with different core counts they are shown but not gated.
 */
function widthLawMetrics(ctx: Context, baseline: Analysis, current: Analysis): MetricComparison[] {
  const out: MetricComparison[] = [];
  const minCores = Math.min(baseline.environment.cores, current.environment.cores);
  const sameCores = baseline.environment.cores === current.environment.cores;
  const ungatedWidths = new Set<number>();
  for (const b of baseline.widthScaling) {
    const c = current.widthScaling.find((s) => s.key === b.key);
    if (!c) continue;
    for (const bp of b.points) {
      const cp = c.points.find((p) => p.workers === bp.workers);
      if (bp.workers <= 1 || !cp || bp.efficiency === null || cp.efficiency === null) continue;
      const change = relative(bp.efficiency, cp.efficiency);
      if (change === null) continue;
      const interval = (a: Analysis, s: WidthScaling) => {
        const at = throughputInterval(a, s, bp.workers);
        const one = throughputInterval(a, s, 1);
        return at && one ? { low: at.low / (bp.workers * one.high), high: at.high / (bp.workers * one.low) } : null;
      };
      const bi = interval(baseline, b);
      const ci = interval(current, c);
      const separated = bi && ci ? ci.high < bi.low || ci.low > bi.high : true;
      const threshold = ctx.thresholds.efficiency;
      let verdict: Verdict = 'unchanged';
      if (separated && change < -threshold) verdict = 'regressed';
      else if (separated && change > threshold) verdict = 'improved';
      else if (!separated && Math.abs(change) > threshold) verdict = 'inconclusive';
      const gated = ctx.gateMode === 'raw' || sameCores || bp.workers <= minCores;
      if (!gated) ungatedWidths.add(bp.workers);
      out.push({
        metric: `efficiency@${bp.workers}`,
        subject: b.key,
        baseline: bp.efficiency,
        current: cp.efficiency,
        change,
        changeCi: bi && ci ? { value: change, low: ci.low / bi.high - 1, high: ci.high / bi.low - 1, level: ctx.level } : null,
        test: bi && ci ? 'ci-overlap' : 'threshold',
        pValue: null,
        threshold,
        verdict,
        gated,
      });
    }

    if ('unavailable' in b.usl || 'unavailable' in c.usl) continue;
    const bPeak = b.usl.peakWorkers;
    const cPeak = c.usl.peakWorkers;
    if (bPeak === null || cPeak === null) {
      if (bPeak !== cPeak) {
        ctx.warnings.push(
          `${b.key}: USL peak ${bPeak === null ? 'none (throughput still rising)' : `${bPeak.toFixed(2)} workers`} in the baseline, ` +
            `${cPeak === null ? 'none (throughput still rising)' : `${cPeak.toFixed(2)} workers`} now; not compared as a number.`,
        );
      }
      continue;
    }
    const change = relative(bPeak, cPeak);
    if (change === null) continue;
    const threshold = ctx.thresholds.uslPeak;
    out.push({
      metric: 'uslPeak',
      subject: b.key,
      baseline: bPeak,
      current: cPeak,
      change,
      changeCi: null,
      test: 'threshold',
      pValue: null,
      threshold,
      verdict: change < -threshold ? 'regressed' : change > threshold ? 'improved' : 'unchanged',
      // The peak width depends on the core count, so it holds across machines only when that is equal.
      gated: ctx.gateMode === 'raw' || sameCores,
    });
  }
  if (ungatedWidths.size > 0 || (!sameCores && ctx.gateMode === 'shape')) {
    ctx.warnings.push(
      `the machines have different core counts (${baseline.environment.cores} vs ${current.environment.cores}): efficiency at widths above ${minCores} and the USL peak depend on the core count, so they are shown but not gated.`,
    );
  }
  return out;
}

function geometricMeanRatio(metrics: readonly MetricComparison[]): number | null {
  const logs = metrics.filter((m) => m.metric === 'wallMs' && m.baseline > 0 && m.current > 0).map((m) => Math.log(m.current / m.baseline));
  if (logs.length === 0) return null;
  return Math.exp(logs.reduce((s, v) => s + v, 0) / logs.length);
}

function tooFewWarnings(tooFew: Map<string, { m: number; n: number; cells: number }>, alpha: number): string[] {
  const out: string[] = [];
  for (const { m, n, cells } of tooFew.values()) {
    const where = `${cells} cell${cells === 1 ? '' : 's'}`;
    if (m < 2 || n < 2) {
      out.push(`too few repetitions: ${m} vs ${n} (${where}); a single repetition says nothing about noise, so these times are 'inconclusive'. Use --repeats ${RECOMMENDED_REPETITIONS} or more.`);
      continue;
    }
    const p = smallestMannWhitneyP(n, m);
    if (p >= alpha) {
      out.push(
        `too few repetitions: with ${m} vs ${n} repetitions (${where}) the smallest exact two-sided Mann-Whitney p-value is ${Number(p.toPrecision(3))}, ` +
          `so at alpha ${alpha} that test can never fire. Times were judged by the bootstrap interval of the ratio of medians instead, which with so few samples ` +
          `flags only changes where the two samples do not overlap at all. Use --repeats ${RECOMMENDED_REPETITIONS} or more for a real test.`,
      );
    } else {
      out.push(
        `few repetitions: ${m} vs ${n} (${where}); the Mann-Whitney test can fire (smallest p ${Number(p.toPrecision(3))}) but has little power. ` +
          `Use --repeats ${RECOMMENDED_REPETITIONS} or more.`,
      );
    }
  }
  return out;
}

function coverageWarnings(baseline: RunResult, current: RunResult): string[] {
  const out: string[] = [];
  const baseIds = new Set(baseline.cells.map((c) => c.cell.id));
  const curIds = new Set(current.cells.map((c) => c.cell.id));
  const onlyBase = [...baseIds].filter((id) => !curIds.has(id));
  const onlyCur = [...curIds].filter((id) => !baseIds.has(id));
  const list = (ids: string[]) => `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}`;
  if (onlyBase.length > 0) out.push(`${onlyBase.length} baseline cell${onlyBase.length === 1 ? ' is' : 's are'} missing from the current run and not compared: ${list(onlyBase)}.`);
  if (onlyCur.length > 0) out.push(`${onlyCur.length} current cell${onlyCur.length === 1 ? ' is' : 's are'} new (not in the baseline) and not compared: ${list(onlyCur)}.`);
  const unmeasured = baseline.cells.filter((c) => curIds.has(c.cell.id) && !c.trials.some((t) => t.state === 'ok')).map((c) => c.cell.id);
  if (unmeasured.length > 0) out.push(`${unmeasured.length} cell${unmeasured.length === 1 ? ' has' : 's have'} no finished repetition in the baseline and could not be compared: ${list(unmeasured)}.`);
  for (const cell of current.cells) {
    const before = baseline.cells.find((c) => c.cell.id === cell.cell.id);
    const okNow = cell.trials.filter((t) => t.state === 'ok').length;
    const okBefore = before?.trials.filter((t) => t.state === 'ok').length ?? 0;
    if (before && okNow === 0 && okBefore > 0) {
      const reason = cell.trials.find((t) => t.error)?.error;
      out.push(`${cell.cell.id}: no repetition finished in the current run (${okBefore} did in the baseline)${reason ? `: ${reason}` : ''}; it could not be compared.`);
    }
  }
  if (!baseline.complete) out.push(`the baseline run ${baseline.runId} is incomplete (interrupted or with failed cells).`);
  if (!current.complete) out.push(`the current run ${current.runId} is incomplete (interrupted or with failed cells).`);
  return out;
}

function gateWarnings(baseline: RunResult, current: RunResult, gateMode: 'raw' | 'shape', sameMachine: boolean, forced: boolean): string[] {
  const b = baseline.environment;
  const c = current.environment;
  const out: string[] = [];
  if (b.runner !== c.runner) out.push(`the baseline was measured by the ${b.runner} runner and the current run by the ${c.runner} runner: the numbers are not comparable.`);
  if (!sameMachine && gateMode === 'shape') {
    const why = b.machineId !== c.machineId ? 'different machines' : b.backend !== c.backend ? 'different backends' : 'different runners';
    out.push(
      `${why}: baseline ${describeMachine(b)}, current ${describeMachine(c)}. Raw times and memory are shown but not gated; ` +
        `only fitted laws (exponents, efficiency, USL peak) and quality are. Pass --gate raw to gate times anyway.`,
    );
  }
  if (!sameMachine && gateMode === 'raw' && forced) {
    out.push(`--gate raw: raw times and memory are gated although the runs came from ${describeMachine(b)} and ${describeMachine(c)}.`);
  }
  if (sameMachine && gateMode === 'shape' && forced) out.push('--gate shape: raw times and memory are shown but not gated, as requested.');
  if (b.kernelPatches.join(',') !== c.kernelPatches.join(',')) {
    out.push(`kernel variants differ (baseline: ${b.kernelPatches.join(', ') || 'stock'}; current: ${c.kernelPatches.join(', ') || 'stock'}).`);
  }
  return out;
}

/**
 * Compares a current run with a baseline: per cell (wall time, peak memory, quality) and per fitted law
 * (exponents, efficiency per width, USL peak), then the budgets on the current run. Pure.
 */
export function compare(baseline: RunResult, current: RunResult, options: CompareOptions = {}): Comparison {
  const level = options.confidenceLevel ?? 0.95;
  const baseAnalysis = options.baselineAnalysis ?? analyse(baseline, { confidenceLevel: level });
  const curAnalysis = options.currentAnalysis ?? analyse(current, { confidenceLevel: level });
  const sameMachine = comparableMachines(baseline.environment, current.environment);
  const choice = options.gate ?? 'auto';
  const gateMode: 'raw' | 'shape' = choice === 'auto' ? (sameMachine ? 'raw' : 'shape') : choice;
  const ctx: Context = {
    thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds },
    alpha: options.alpha ?? 0.05,
    level,
    resamples: options.resamples ?? 2000,
    seed: options.seed ?? 1,
    gateMode,
    forced: choice !== 'auto',
    baseline,
    current,
    warnings: [],
  };

  const metrics: MetricComparison[] = [];
  const tooFew = new Map<string, { m: number; n: number; cells: number }>();
  const currentIds = new Set(current.cells.map((c) => c.cell.id));
  for (const { cell } of baseline.cells) {
    if (!currentIds.has(cell.id)) continue;
    for (const m of [rawMetric(ctx, cell.id, 'wallMs', tooFew), rawMetric(ctx, cell.id, 'peakRssBytes', tooFew), qualityMetric(ctx, cell.id)]) {
      if (m) metrics.push(m);
    }
  }
  metrics.push(...sizeLawMetrics(ctx, baseAnalysis, curAnalysis), ...widthLawMetrics(ctx, baseAnalysis, curAnalysis));

  const budgets = evaluateBudgets(options.budgets ?? [], curAnalysis);
  const gatedMetrics = metrics.filter((m) => m.gated);
  const regressions = gatedMetrics.filter((m) => m.verdict === 'regressed').length;
  const improvements = gatedMetrics.filter((m) => m.verdict === 'improved').length;
  const warnings = [
    ...gateWarnings(baseline, current, gateMode, sameMachine, ctx.forced),
    ...tooFewWarnings(tooFew, ctx.alpha),
    ...coverageWarnings(baseline, current),
    ...ctx.warnings,
  ];
  if (metrics.length === 0) warnings.push('no cell or fitted law is in both runs, so nothing was compared: were they run with the same --models, --sizes and --workers?');

  return {
    baselineRunId: baseline.runId,
    currentRunId: current.runId,
    sameMachine,
    gateMode,
    metrics,
    budgets,
    geometricMeanRatio: geometricMeanRatio(metrics),
    regressions,
    improvements,
    warnings,
    passed: regressions === 0 && budgets.every((b) => b.passed),
  };
}

/** A metric comparison in one line, naming the subject, the change, its interval and the test. */
export function describeMetric(m: MetricComparison): string {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const fmt = m.metric === 'quality' ? (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(4)}` : pct;
  const ci = m.changeCi && m.changeCi.low !== null && m.changeCi.high !== null ? `, ${Math.round(m.changeCi.level * 100)}% CI ${fmt(m.changeCi.low)} to ${fmt(m.changeCi.high)}` : '';
  const p = m.pValue !== null ? `, p=${Number(m.pValue.toPrecision(2))}` : '';
  const threshold = m.metric === 'quality' ? m.threshold.toFixed(3) : `${(m.threshold * 100).toFixed(0)}%`;
  const number = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString());
  const value = (x: number) => (m.metric === 'wallMs' ? `${number(x)} ms` : m.metric === 'peakRssBytes' ? `${number(x / 2 ** 20)} MiB` : number(x));
  return `${m.verdict} ${m.metric} of ${m.subject}: ${fmt(m.change)} (${value(m.baseline)} -> ${value(m.current)}${ci}; ${m.test}${p}; threshold ${threshold})${m.gated ? '' : ' [not gated]'}`;
}
