/** Per-cell statistics (median, spread, interval), throughput, GFLOP/s and MFU, and the warnings about cells. */
import type { AnalysisWarning } from './schema.js';
import type { CellResult, Environment, Quality, RunResult } from '../results/schema.js';
import { median, summarise } from '../stats/index.js';
import { modes } from '../modes/index.js';
import type { AnalyseOptions, AnalysedCell } from './common.js';

const finiteOr = (value: number, fallback: number): number => (Number.isFinite(value) ? value : fallback);

export function machineOf(result: RunResult, machineId: string): Environment {
  return result.machines?.[machineId] ?? result.environment;
}

export function coresOf(result: RunResult, env: Environment): number {
  return env.cores > 0 ? env.cores : result.plan.cores;
}

function medianQuality(trials: CellResult['trials']): Quality | null {
  const metric = trials[0]?.quality.metric;
  if (metric === undefined) return null;
  const values = trials.filter((t) => t.quality.metric === metric && Number.isFinite(t.quality.value)).map((t) => t.quality.value);
  return values.length > 0 ? { metric, value: median(values) } : null;
}

export function analyseCell(cellResult: CellResult, env: Environment, cores: number, level: number): AnalysedCell {
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
      cellMemoryBytes: summarise(ok.flatMap((t) => (t.cellMemoryBytes !== undefined ? [t.cellMemoryBytes] : [])), level),
      cpuMs: summarise(ok.map((t) => t.cpuMs), level),
      quality: medianQuality(ok),
      usPerSample: throughput > 0 ? (cell.workers * 1e6) / throughput : null,
      gflops,
      mfu,
      coldStartMs: finiteOr(cellResult.coldStartMs, 0),
      threadsPerWorker: cellResult.threadsPerWorker,
      ...modes[cell.mode].analyseCell(ok),
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

export function cellWarnings(cells: readonly AnalysedCell[], results: readonly CellResult[], opts: Required<AnalyseOptions>): AnalysisWarning[] {
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

export function calibrationWarnings(cells: readonly AnalysedCell[]): AnalysisWarning[] {
  const uncalibrated = new Set(cells.filter((c) => c.analysis.gflops !== null && !c.calibrated).map((c) => c.machineId));
  return [...uncalibrated].map((machineId) => ({
    code: 'no-calibration' as const,
    message: `no peak FLOP/s was measured for machine ${machineId}, so MFU is n/a; GFLOP/s are still reported.`,
    subject: machineId,
  }));
}
