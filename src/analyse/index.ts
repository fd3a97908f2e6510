/**
 * RunResult -> Analysis: per-cell statistics and the fitted scaling laws, as pure data.
 * Only repetitions with state 'ok' feed the statistics. Anything that cannot be computed
 * (too few points, no width 1, no calibration) is null or says why, never NaN.
 */
import type { Analysis, AnalysisWarning, CellAnalysis, ComplexityScaling, QualityFlag, SizeScaling, WidthPoint, WidthScaling } from './schema.js';
import type { CellResult, Environment, Mode, Quality, RunResult } from '../results/schema.js';
import {
  amdahlParallelFraction,
  efficiency,
  fitBigO,
  fitUsl,
  karpFlatt,
  median,
  powerLawFit,
  speedupFromThroughput,
  speedupFromTime,
  summarise,
  USL_MIN_WIDTHS,
} from '../stats/index.js';
import { dataParallelCellAnalysis } from '../modes/data-parallel/analysis.js';
import { modeVariant } from '../modes/index.js';
import { inferenceCellAnalysis, inferenceSweeps } from '../modes/inference/analysis.js';

export interface AnalyseOptions {
  /** Absolute quality drop (accuracy or R²) a faster configuration may show before it is flagged; default 0.02. */
  qualityTolerance?: number;
  /** Relative spread of wall time (IQR / median) above which a cell is noisy; default 0.10. */
  noisyThreshold?: number;
  /** Fewest ok repetitions per cell before a 'few-repetitions' warning; default 5. */
  minRepetitions?: number;
  /** Confidence level of every interval; default 0.95. */
  confidenceLevel?: number;
}

export const ANALYSE_DEFAULTS: Required<AnalyseOptions> = {
  qualityTolerance: 0.02,
  noisyThreshold: 0.1,
  minRepetitions: 5,
  confidenceLevel: 0.95,
};

/*
 * `variant` is the mode's extra identity (data-parallel scaling, inference batch size and load
 * level, see modeVariant): cells that differ in it are never fitted together. Empty for job-parallel.
 */

/** Group key of a time-vs-size (or memory-vs-size) fit. */
export function sizeScalingKey(model: string, dataset: string, workers: number, mode: Mode, metric: SizeScaling['metric'], variant = ''): string {
  return `${model}|${dataset}|w=${workers}|${mode}${variant}|${metric}`;
}

/** Group key of a throughput-vs-width fit. */
export function widthScalingKey(model: string, dataset: string, size: number, mode: Mode, variant = ''): string {
  return `${model}|${dataset}|n=${size}|${mode}${variant}`;
}

/** Group key of a time-per-sample-vs-model-size fit. */
export function complexityScalingKey(dataset: string, size: number, workers: number, mode: Mode, variant = ''): string {
  return `${dataset}|n=${size}|w=${workers}|${mode}${variant}`;
}

/** A cell's analysis plus what the sweeps need from its raw trials. */
interface AnalysedCell {
  analysis: CellAnalysis;
  /** Median samples processed per ok trial (the work done), null without ok trials. */
  medianSamples: number | null;
  /** Logical cores of the machine that ran it. */
  cores: number;
  machineId: string;
  /** Whether that machine has a peak FLOP/s calibration (MFU needs one). */
  calibrated: boolean;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const finiteOr = (value: number, fallback: number): number => (Number.isFinite(value) ? value : fallback);

function machineOf(result: RunResult, machineId: string): Environment {
  return result.machines?.[machineId] ?? result.environment;
}

function coresOf(result: RunResult, env: Environment): number {
  return env.cores > 0 ? env.cores : result.plan.cores;
}

function medianQuality(trials: CellResult['trials']): Quality | null {
  const metric = trials[0]?.quality.metric;
  if (metric === undefined) return null;
  const values = trials.filter((t) => t.quality.metric === metric && Number.isFinite(t.quality.value)).map((t) => t.quality.value);
  return values.length > 0 ? { metric, value: median(values) } : null;
}

function analyseCell(cellResult: CellResult, env: Environment, cores: number, level: number): AnalysedCell {
  const { cell, model } = cellResult;
  const ok = cellResult.trials.filter((t) => t.state === 'ok');
  const samplesPerSec = summarise(ok.map((t) => t.samplesPerSec), level);
  const throughput = samplesPerSec?.median ?? 0;
  // Inference runs only the forward pass; training runs forward and backward.
  const flopsPerSample = cell.mode === 'inference' ? model.forwardFlopsPerSample : model.trainFlopsPerSample;
  const gflops = throughput > 0 && flopsPerSample > 0 ? (flopsPerSample * throughput) / 1e9 : null;
  const peak = env.peakFlopsPerSec;
  const mfu = gflops !== null && peak !== undefined && peak > 0 ? (gflops * 1e9) / (peak * Math.min(cell.workers, cores)) : null;
  const samples = ok.map((t) => t.samples).filter(Number.isFinite);
  return {
    analysis: {
      cellId: cell.id,
      cell,
      model,
      okTrials: ok.length,
      totalTrials: cellResult.trials.length,
      wallMs: summarise(ok.map((t) => t.wallMs), level),
      samplesPerSec,
      peakRssBytes: summarise(ok.map((t) => t.peakRssBytes), level),
      cpuMs: summarise(ok.map((t) => t.cpuMs), level),
      quality: medianQuality(ok),
      usPerSample: throughput > 0 ? (cell.workers * 1e6) / throughput : null,
      gflops,
      mfu,
      coldStartMs: finiteOr(cellResult.coldStartMs, 0),
      threadsPerWorker: cellResult.threadsPerWorker,
      ...(cell.mode === 'data-parallel' ? { dataParallel: dataParallelCellAnalysis(ok) } : {}),
      ...(cell.mode === 'inference' ? { inference: inferenceCellAnalysis(ok) } : {}),
    },
    medianSamples: samples.length > 0 ? median(samples) : null,
    cores,
    machineId: cellResult.machineId,
    calibrated: peak !== undefined && peak > 0,
  };
}

function failureMessage(cellResult: CellResult): string {
  const total = cellResult.trials.length;
  if (total === 0) return `${cellResult.cell.id}: no repetitions were recorded; run it again.`;
  const timeouts = cellResult.trials.filter((t) => t.state === 'timeout').length;
  const firstError = cellResult.trials.find((t) => t.error)?.error;
  const what = timeouts === total ? 'timed out' : timeouts > 0 ? `errored or timed out (${timeouts} timeouts)` : 'errored';
  const hint = timeouts > 0 ? ' Raise --cell-timeout or use a smaller --sizes.' : '';
  return `${cellResult.cell.id}: all ${total} repetitions ${what}${firstError ? ` (first error: ${firstError})` : ''}.${hint}`;
}

function cellWarnings(cells: readonly AnalysedCell[], results: readonly CellResult[], opts: Required<AnalyseOptions>): AnalysisWarning[] {
  const warnings: AnalysisWarning[] = [];
  cells.forEach(({ analysis }, i) => {
    const cellResult = results[i];
    if (analysis.okTrials === 0 && cellResult) warnings.push({ code: 'failed-cell', message: failureMessage(cellResult), subject: analysis.cellId });
  });

  const measured = cells.filter((c) => c.analysis.okTrials > 0);
  const few = measured.filter((c) => c.analysis.okTrials < opts.minRepetitions);
  if (few.length > 1 && few.length === measured.length) {
    const least = Math.min(...few.map((c) => c.analysis.okTrials));
    warnings.push({
      code: 'few-repetitions',
      message: `every cell has fewer than ${opts.minRepetitions} ok repetitions (fewest: ${least}); medians and intervals are rough. Use --repeats ${opts.minRepetitions} or more.`,
    });
  } else {
    for (const { analysis } of few) {
      warnings.push({
        code: 'few-repetitions',
        message: `${analysis.cellId}: ${analysis.okTrials} of ${analysis.totalTrials} repetitions ok, fewer than ${opts.minRepetitions}; its median is rough.`,
        subject: analysis.cellId,
      });
    }
  }

  for (const { analysis } of measured) {
    const spread = analysis.wallMs?.relativeSpread ?? 0;
    if (spread > opts.noisyThreshold) {
      warnings.push({
        code: 'noisy-cell',
        message: `${analysis.cellId}: wall time varies by ${Math.round(spread * 100)}% of the median (IQR / median > ${Math.round(opts.noisyThreshold * 100)}%); close other programs or add --repeats.`,
        subject: analysis.cellId,
      });
    }
  }

  const oversubscribed = new Map<string, { workers: number; cores: number; cells: number }>();
  for (const { analysis, cores } of cells) {
    if (analysis.cell.workers <= cores) continue;
    const key = `${analysis.cell.workers}/${cores}`;
    const entry = oversubscribed.get(key) ?? { workers: analysis.cell.workers, cores, cells: 0 };
    entry.cells++;
    oversubscribed.set(key, entry);
  }
  for (const { workers, cores, cells: count } of oversubscribed.values()) {
    warnings.push({
      code: 'oversubscribed',
      message: `w=${workers} exceeds the machine's ${cores} logical cores (${count} cell${count === 1 ? '' : 's'}); its speedup measures contention, not parallelism.`,
      subject: `w=${workers}`,
    });
  }
  return warnings;
}

function sizeScaling(cells: readonly AnalysedCell[], level: number, warnings: AnalysisWarning[]): SizeScaling[] {
  const out: SizeScaling[] = [];
  const groups = groupBy(cells, ({ analysis: { cell } }) => `${cell.model}|${cell.dataset}|w=${cell.workers}|${cell.mode}${modeVariant(cell)}`);
  for (const group of groups.values()) {
    const { model, dataset, workers, mode } = group[0]!.analysis.cell;
    const variant = modeVariant(group[0]!.analysis.cell);
    const plannedSizes = new Set(group.map((c) => c.analysis.cell.size)).size;
    for (const metric of ['wallMs', 'peakRssBytes'] as const) {
      const bySize = new Map<number, number>();
      for (const { analysis } of group) {
        const summary = analysis[metric];
        if (summary && !bySize.has(analysis.cell.size)) bySize.set(analysis.cell.size, summary.median);
      }
      const points = [...bySize].map(([size, value]) => ({ size, value })).sort((a, b) => a.size - b.size);
      const sizes = points.map((p) => p.size);
      const values = points.map((p) => p.value);
      const power = powerLawFit(sizes, values, level);
      const bigO = fitBigO(sizes, values);
      const key = sizeScalingKey(model, dataset, workers, mode, metric, variant);
      out.push({
        key,
        model,
        dataset,
        workers,
        mode,
        metric,
        points,
        exponent: power?.exponent ?? null,
        coefficient: power?.coefficient ?? null,
        rSquared: power?.rSquared ?? null,
        bigO: bigO ? { class: bigO.class, coefficient: bigO.coefficient, relativeRms: bigO.relativeRms } : null,
      });
      if (metric === 'wallMs' && plannedSizes >= 2 && points.length < 2) {
        warnings.push({
          code: 'not-enough-sizes',
          message: `${key}: only ${points.length} of ${plannedSizes} sizes have ok repetitions; the time-vs-size fit needs 2 or more.`,
          subject: key,
        });
      }
    }
  }
  return out;
}

interface WidthCell {
  workers: number;
  throughput: number;
  wallMs: number | null;
  samples: number | null;
  oversubscribed: boolean;
}

/**
 * S(w): in job-parallel and inference modes each worker does its own work, so speedup is the
 * throughput ratio X(w)/X(1). In data-parallel mode the workers share one job, so it is
 * T(1)/T(w) when both widths did the same work, and the throughput ratio otherwise (weak scaling).
 */
function speedupOf(mode: Mode, base: WidthCell, point: WidthCell): number | null {
  if (mode === 'data-parallel' && base.samples !== null && base.samples === point.samples && base.wallMs !== null && point.wallMs !== null) {
    return speedupFromTime(base.wallMs, point.wallMs);
  }
  return speedupFromThroughput(base.throughput, point.throughput);
}

function widthScaling(cells: readonly AnalysedCell[], warnings: AnalysisWarning[]): WidthScaling[] {
  const out: WidthScaling[] = [];
  const groups = groupBy(cells, ({ analysis: { cell } }) => widthScalingKey(cell.model, cell.dataset, cell.size, cell.mode, modeVariant(cell)));
  for (const [key, group] of groups) {
    const { model, dataset, size, mode } = group[0]!.analysis.cell;
    const plannedWidths = [...new Set(group.map((c) => c.analysis.cell.workers))];
    const byWidth = new Map<number, WidthCell>();
    for (const { analysis, medianSamples, cores } of group) {
      const throughput = analysis.samplesPerSec?.median;
      if (throughput === undefined || byWidth.has(analysis.cell.workers)) continue;
      byWidth.set(analysis.cell.workers, {
        workers: analysis.cell.workers,
        throughput,
        wallMs: analysis.wallMs?.median ?? null,
        samples: medianSamples,
        oversubscribed: analysis.cell.workers > cores,
      });
    }
    const measured = [...byWidth.values()].sort((a, b) => a.workers - b.workers);
    const base = byWidth.get(1);
    const points: WidthPoint[] = measured.map((p) => {
      const speedup = base ? speedupOf(mode, base, p) : null;
      return {
        workers: p.workers,
        throughput: p.throughput,
        speedup,
        efficiency: speedup === null ? null : efficiency(speedup, p.workers),
        karpFlatt: speedup === null ? null : karpFlatt(speedup, p.workers),
        oversubscribed: p.oversubscribed,
      };
    });
    const speedups = points.flatMap((p) => (p.speedup === null ? [] : [{ workers: p.workers, speedup: p.speedup }]));
    out.push({
      key,
      model,
      dataset,
      size,
      mode,
      points,
      amdahlParallelFraction: base ? amdahlParallelFraction(speedups) : null,
      usl: fitUsl(points),
    });

    if (plannedWidths.length < 2) continue;
    if (!base && measured.length > 0) {
      warnings.push({
        code: 'missing-width-1',
        message: `${key}: no ok measurement at width 1, so speedup, efficiency, Karp-Flatt and the USL are unavailable; include 1 in --workers.`,
        subject: key,
      });
    }
    if (measured.length < USL_MIN_WIDTHS) {
      warnings.push({
        code: 'not-enough-widths',
        message: `${key}: ${measured.length} measured width${measured.length === 1 ? '' : 's'} (${measured.map((p) => p.workers).join(', ') || 'none'}); the USL fit needs ${USL_MIN_WIDTHS} including 1. Add widths with --workers.`,
        subject: key,
      });
    }
  }
  return out;
}

function complexityScaling(cells: readonly AnalysedCell[], level: number): ComplexityScaling[] {
  const out: ComplexityScaling[] = [];
  const groups = groupBy(cells, ({ analysis: { cell } }) => complexityScalingKey(cell.dataset, cell.size, cell.workers, cell.mode, modeVariant(cell)));
  for (const [key, group] of groups) {
    const { dataset, size, workers, mode } = group[0]!.analysis.cell;
    const seen = new Set<string>();
    const points: ComplexityScaling['points'] = [];
    for (const { analysis } of group) {
      if (analysis.usPerSample === null || seen.has(analysis.cell.model)) continue;
      seen.add(analysis.cell.model);
      points.push({
        model: analysis.cell.model,
        params: analysis.model.params,
        trainFlopsPerSample: analysis.model.trainFlopsPerSample,
        usPerSample: analysis.usPerSample,
        gflops: analysis.gflops,
      });
    }
    points.sort((a, b) => a.params - b.params);
    const us = points.map((p) => p.usPerSample);
    out.push({
      key,
      dataset,
      size,
      workers,
      mode,
      points,
      exponentVsParams: powerLawFit(points.map((p) => p.params), us, level)?.exponent ?? null,
      exponentVsFlops: powerLawFit(points.map((p) => p.trainFlopsPerSample), us, level)?.exponent ?? null,
    });
  }
  return out;
}

function qualityFlags(cells: readonly AnalysedCell[], tolerance: number, warnings: AnalysisWarning[]): QualityFlag[] {
  const flags: QualityFlag[] = [];
  const rated = cells.map((c) => c.analysis).filter((a) => a.quality !== null && a.wallMs !== null);
  const groups = groupBy(rated, (a) => `${a.cell.model}|${a.cell.dataset}|n=${a.cell.size}`);
  for (const group of groups.values()) {
    const reference = group.reduce((slowest, a) => ((a.wallMs?.median ?? 0) > (slowest.wallMs?.median ?? 0) ? a : slowest));
    const refQuality = reference.quality;
    const refWall = reference.wallMs?.median ?? 0;
    if (!refQuality) continue;
    for (const a of group) {
      const wall = a.wallMs?.median ?? 0;
      if (a === reference || !a.quality || a.quality.metric !== refQuality.metric || !(wall > 0) || !(wall < refWall)) continue;
      const drop = refQuality.value - a.quality.value;
      // A hair of slack so that a drop of exactly the tolerance is not flagged by rounding.
      if (!(drop > tolerance + 1e-12)) continue;
      const flag: QualityFlag = {
        cellId: a.cellId,
        referenceCellId: reference.cellId,
        metric: refQuality.metric,
        value: a.quality.value,
        referenceValue: refQuality.value,
        speedup: refWall / wall,
      };
      flags.push(flag);
      warnings.push({
        code: 'quality-tradeoff',
        message: `${a.cellId} is ${flag.speedup.toFixed(2)}x faster than ${reference.cellId} but reached ${refQuality.metric} ${a.quality.value.toFixed(3)} vs ${refQuality.value.toFixed(3)} (more than ${tolerance} worse).`,
        subject: a.cellId,
      });
    }
  }
  return flags;
}

function calibrationWarnings(cells: readonly AnalysedCell[]): AnalysisWarning[] {
  const uncalibrated = new Set(cells.filter((c) => c.analysis.gflops !== null && !c.calibrated).map((c) => c.machineId));
  return [...uncalibrated].map((machineId) => ({
    code: 'no-calibration' as const,
    message: `no peak FLOP/s was measured for machine ${machineId}, so MFU is n/a; GFLOP/s are still reported.`,
    subject: machineId,
  }));
}

/** Analyses a run: per-cell statistics, the size, width and model-complexity laws, quality flags and warnings. */
export function analyse(result: RunResult, options: AnalyseOptions = {}): Analysis {
  const opts: Required<AnalyseOptions> = {
    qualityTolerance: options.qualityTolerance ?? ANALYSE_DEFAULTS.qualityTolerance,
    noisyThreshold: options.noisyThreshold ?? ANALYSE_DEFAULTS.noisyThreshold,
    minRepetitions: options.minRepetitions ?? ANALYSE_DEFAULTS.minRepetitions,
    confidenceLevel: options.confidenceLevel ?? ANALYSE_DEFAULTS.confidenceLevel,
  };
  const cells = result.cells.map((cellResult) => {
    const env = machineOf(result, cellResult.machineId);
    return analyseCell(cellResult, env, coresOf(result, env), opts.confidenceLevel);
  });
  const warnings = cellWarnings(cells, result.cells, opts);
  const sizes = sizeScaling(cells, opts.confidenceLevel, warnings);
  const widths = widthScaling(cells, warnings);
  const complexity = complexityScaling(cells, opts.confidenceLevel);
  const flags = qualityFlags(cells, opts.qualityTolerance, warnings);
  warnings.push(...calibrationWarnings(cells));
  return {
    runId: result.runId,
    backend: result.environment.backend,
    environment: result.environment,
    cells: cells.map((c) => c.analysis),
    sizeScaling: sizes,
    widthScaling: widths,
    complexityScaling: complexity,
    qualityFlags: flags,
    warnings,
    ...(cells.some((c) => c.analysis.cell.mode === 'inference') ? { inference: inferenceSweeps(cells.map((c) => c.analysis)) } : {}),
  };
}
