/**
 * Evaluating a PredictionModel at (n, w): wall time, time per epoch, time per job, throughput and
 * memory (the cell's own, or the process peak RSS for older results: `memoryMetric` says which),
 * each with its 95% prediction interval, the laws used, the extrapolation factors and the warnings.
 *
 * Time: at a width measured across sizes, that width's own size law; elsewhere the laws combine
 * explicitly as t(n, w) = t(n, 1) · k(w) / S(w), where S(w) = X(w)/X(1) comes from the USL when it
 * was fitted (4+ widths) and from Amdahl otherwise, at the measured size nearest n, and k(w) is
 * the work of a cell relative to width 1 (w in job-parallel, where every worker trains its own
 * replica; 1 when the workers share one job). t(n, 1)/S(w) is then the time per job.
 *
 * Memory: at a width measured across sizes, that width's own size law; elsewhere, linear in w
 * between the size laws of w=1 and the widest other width measured across sizes, or, without one,
 * the law at w=1 times the growth per extra worker m(w) = m(1)·(1 + g(w − 1)) measured at the size
 * nearest n.
 *
 * Like the prediction kit, this is one factory using only its arguments and built-ins, so the
 * HTML report's what-if panel runs this same code in the browser (`createCellEvaluator.toString()`);
 * the words for the memory metrics come in as an argument for the same reason.
 */
import type { FittedLaw, LogPrediction, PredictionKit } from '../stats/prediction-kit.js';
import type { TQuantileTable } from '../stats/prediction-types.js';
import type { MemoryMetric } from '../analyse/labels.js';
import type { CellPrediction, PredictionModel, SizeLaw, TimeLawUsed, WidthLaw } from './schema.js';

export interface ExtrapolationLimits {
  /** Widths beyond this multiple of the widest measured one get a warning. */
  warnWidth: number;
  /** ... and beyond this one they are refused without --force. */
  refuseWidth: number;
  /** Sizes beyond this multiple of the largest measured one (or below 1/this of the smallest) get a warning. */
  warnSize: number;
}

export const EXTRAPOLATION_LIMITS: ExtrapolationLimits = { warnWidth: 2, refuseWidth: 8, warnSize: 100 };

/** The words for each memory metric (SIZE_METRIC_LABEL's), e.g. "cell memory (data + tensors)". */
export type MemoryLabels = Record<MemoryMetric, string>;

export interface CellEvaluator {
  predict(model: PredictionModel, size: number, workers: number, table: TQuantileTable): CellPrediction;
}

export function createCellEvaluator(kit: PredictionKit, limits: ExtrapolationLimits, memoryLabels: MemoryLabels): CellEvaluator {
  const WARN_WIDTH = limits.warnWidth;
  const REFUSE_WIDTH = limits.refuseWidth;
  const WARN_SIZE = limits.warnSize;

  function factor(x: number): string {
    return `${x >= 10 ? Math.round(x) : Math.round(x * 10) / 10}x`;
  }

  /** The width law measured at the size nearest n on a log scale (the larger one on a tie). */
  function nearestWidthLaw(laws: readonly WidthLaw[], size: number): WidthLaw | null {
    let best: WidthLaw | null = null;
    for (const law of laws) {
      if (!best) best = law;
      else {
        const d = Math.abs(Math.log(law.size / size));
        const db = Math.abs(Math.log(best.size / size));
        if (d < db - 1e-12 || (Math.abs(d - db) <= 1e-12 && law.size > best.size)) best = law;
      }
    }
    return best;
  }

  function sizeLawAt(laws: readonly SizeLaw[], workers: number): SizeLaw | null {
    return laws.find((l) => l.workers === workers) ?? null;
  }

  function hasLackOfFit(law: FittedLaw): boolean {
    return law.variance !== null && law.variance.kind === 'lack-of-fit';
  }

  interface LogResult {
    prediction: LogPrediction;
    used: TimeLawUsed;
    warnings: string[];
  }

  /** A time (wall, or to target) at (n, w) from its size laws: at a measured width directly, elsewhere t(n,1)·k(w)/S(w). */
  function timeLog(model: PredictionModel, laws: readonly SizeLaw[], what: string, size: number, workers: number, table: TQuantileTable): LogResult | string {
    const direct = sizeLawAt(laws, workers);
    const warnings: string[] = [];
    if (direct) {
      if (hasLackOfFit(direct.law)) warnings.push(`the ${what} law at w=${workers} misses its own points by more than the repetition noise (lack of fit), so its interval is wide`);
      return {
        prediction: kit.predictLog(direct.law, size, { newObservation: true }),
        used: { source: 'measured-width', sizeLawWorkers: workers, exponent: direct.law.theta[1] ?? 0, sizes: direct.sizes, speedup: null },
        warnings,
      };
    }
    const base = sizeLawAt(laws, 1);
    if (!base) return `no ${what}-vs-size law at width 1 (measured widths: ${model.widths.join(', ')}): measure width 1 at 2 or more sizes`;
    const speedup = nearestWidthLaw(model.speedup, size);
    if (!speedup) return `w=${workers} was not measured and there is no speedup law: measure 2 or more widths including 1 (e.g. --workers 1,2,4)`;
    if (hasLackOfFit(base.law)) warnings.push(`the ${what} law at w=1 misses its own points by more than the repetition noise (lack of fit), so its interval is wide`);
    if (speedup.caveat) warnings.push(speedup.caveat);
    const s = kit.predictLog(speedup.law, workers, { reference: 1, newObservation: false });
    const work = model.replicaPerWorker ? Math.log(workers) : 0;
    const prediction = kit.addLog([{ sign: 1, prediction: kit.predictLog(base.law, size, { newObservation: true }) }, { sign: -1, prediction: s }], work);
    const kind = speedup.law.kind === 'usl' ? 'usl' : 'amdahl';
    return {
      prediction,
      used: {
        source: 'combined',
        sizeLawWorkers: 1,
        exponent: base.law.theta[1] ?? 0,
        sizes: base.sizes,
        speedup: {
          kind,
          size: speedup.size,
          widths: speedup.widths,
          parameters: speedup.law.theta.slice(1),
          speedup: kit.interval(s, table),
          ...(speedup.uslUnavailable ? { uslUnavailable: speedup.uslUnavailable } : {}),
        },
      },
      warnings,
    };
  }

  /** 3 significant digits in B, KiB, MiB, GiB (the page has no access to the CLI's formatter). */
  function bytesText(value: number): string {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let x = value;
    let unit = 0;
    while (Math.abs(x) >= 1024 * 0.9995 && unit < units.length - 1) {
      x /= 1024;
      unit += 1;
    }
    return `${Math.abs(x) >= 100 ? String(Math.round(x)) : x.toPrecision(3)} ${units[unit]}`;
  }

  /** "∝ n^0.93 at w=1" (power) or "≈ 7.61 MiB + 313 B·n at w=1" (affine: the fixed part, and the part per sample). */
  function sizeLawText(law: SizeLaw, withWidth = true): string {
    const t0 = law.law.theta[0] ?? 0;
    const t1 = law.law.theta[1] ?? 0;
    // A fixed part under 0.1% of the smallest size's share is the fit's lower bound, not a measurement.
    const fixed = Math.exp(t1) >= 1e-3 * Math.min(...law.sizes) ? `${bytesText(Math.exp(t0 + t1))} + ` : '';
    const at = withWidth ? ` at w=${law.workers}` : '';
    if (law.law.kind === 'affine') return `≈ ${fixed}${bytesText(Math.exp(t0))}·n${at}`;
    return `∝ n^${(Math.round(t1 * 100) / 100).toFixed(2)}${at}`;
  }

  /**
   * Memory at an unmeasured width from the size laws of two measured widths, both taken at n: a
   * cell's memory is linear in w (the table once, each worker its own tensors), so
   * m(n, w) = m(n, 1)·(1 + k(r − 1)), r = m(n, w2)/m(n, 1), k = (w − 1)/(w2 − 1). Unlike a growth
   * share measured at one size, this follows the share with n (each worker's fixed part, its
   * weights and optimizer state, matters less as n grows). The variance parts of ln r, scaled by
   * (d ln(1 + k(r − 1))/d ln r)², add to those of m(n, 1); their correlation is ignored, which
   * widens the interval. Null without a size law at a second width.
   */
  function linearInWidth(model: PredictionModel, size: number, workers: number, base: SizeLaw): { prediction: LogPrediction; law: string } | null {
    let other: SizeLaw | null = null;
    for (const law of model.memory) if (law.workers !== 1 && (!other || law.workers > other.workers)) other = law;
    if (!other) return null;
    const ratio = kit.addLog(
      [
        { sign: 1, prediction: kit.predictLog(other.law, size, { newObservation: false }) },
        { sign: -1, prediction: kit.predictLog(base.law, size, { newObservation: false }) },
      ],
      0,
    );
    const r = Math.exp(ratio.mean);
    const k = (workers - 1) / (other.workers - 1);
    const scale = 1 + k * (r - 1);
    if (!(scale > 0)) return null;
    const slope = (k * r) / scale;
    const extra: LogPrediction = { mean: Math.log(scale), parts: ratio.parts.map((p) => ({ variance: p.variance * slope * slope, df: p.df })), exact: ratio.exact };
    const w2 = other.workers;
    return {
      prediction: kit.addLog([{ sign: 1, prediction: kit.predictLog(base.law, size, { newObservation: true }) }, { sign: 1, prediction: extra }], 0),
      law: `= m(n,1) + ${w2 === 2 ? workers - 1 : `${workers - 1}/${w2 - 1}`}·(m(n,${w2}) − m(n,1)), linear in w, with m(n,1) ${sizeLawText(base, false)} and m(n,${w2}) ${sizeLawText(other, false)}`,
    };
  }

  function memoryLog(model: PredictionModel, size: number, workers: number): { prediction: LogPrediction; law: string; warnings: string[] } | string {
    const what = memoryLabels[model.memoryMetric] || model.memoryMetric;
    const warnings: string[] = [];
    if (model.memoryMetric === 'peakRssBytes') {
      warnings.push(
        'memory is the process peak RSS: these results predate cellMemoryBytes, and the RSS carries whatever the process held before the cell (wasm heaps never shrink), so its law says little about larger n; re-run to predict the memory the cell itself holds',
      );
    }
    const direct = sizeLawAt(model.memory, workers);
    if (direct) return { prediction: kit.predictLog(direct.law, size, { newObservation: true }), law: `${what} ${sizeLawText(direct)}`, warnings };
    const base = sizeLawAt(model.memory, 1);
    const linear = base ? linearInWidth(model, size, workers, base) : null;
    if (linear) return { ...linear, law: `${what} ${linear.law}`, warnings };
    const growth = nearestWidthLaw(model.memoryGrowth, size);
    if (!base || !growth) return `no memory law for w=${workers}: measure width 1 at 2 or more sizes and 2 or more widths`;
    // Data-parallel ranks split the data, so an extra worker adds its replica, which does not grow with n.
    if (!model.replicaPerWorker && (size > 2 * growth.size || 2 * size < growth.size)) {
      warnings.push(
        `the memory per extra worker was measured at n=${growth.size}; in ${model.mode} mode the workers share one copy of the data, so an extra worker adds mostly its model replica, a smaller share of the cell at larger n: this overstates the memory above n=${growth.size} and understates it below; measure w=${workers} at 2 or more sizes`,
      );
    }
    const extra = kit.predictLog(growth.law, workers, { reference: 1, newObservation: false });
    return {
      prediction: kit.addLog([{ sign: 1, prediction: kit.predictLog(base.law, size, { newObservation: true }) }, { sign: 1, prediction: extra }], 0),
      law: `${what} ${base.law.kind === 'affine' ? `≈ (${sizeLawText(base).slice(2)})` : sizeLawText(base)} × (1 + ${Math.round((growth.law.theta[1] ?? 0) * 1000) / 10}% per extra worker, measured at n=${growth.size} on widths ${growth.widths.join(', ')})`,
      warnings,
    };
  }

  function predict(model: PredictionModel, size: number, workers: number, table: TQuantileTable): CellPrediction {
    const widest = Math.max(...model.widths);
    const largest = Math.max(...model.sizes);
    const smallest = Math.min(...model.sizes);
    const extrapolation = { size: size / largest, width: workers / widest };
    const warnings: string[] = [];
    const refused = extrapolation.width > REFUSE_WIDTH;
    if (refused) warnings.push(`w=${workers} is ${factor(extrapolation.width)} the widest measured width (${widest}), beyond the ${REFUSE_WIDTH}x limit of width extrapolation`);
    else if (extrapolation.width > WARN_WIDTH) warnings.push(`w=${workers} is ${factor(extrapolation.width)} the widest measured width (${widest}): the width law is extrapolated far; measure wider or check with --backtest`);
    if (extrapolation.size > WARN_SIZE) warnings.push(`n=${size} is ${factor(extrapolation.size)} the largest measured size (${largest}): a law rarely holds that far; measure larger sizes`);
    if (size * WARN_SIZE < smallest) warnings.push(`n=${size} is ${factor(smallest / size)} below the smallest measured size (${smallest}): fixed costs the law does not model may dominate`);
    if (workers > model.cores) warnings.push(`w=${workers} is more workers than the ${model.cores} cores of the machine that measured: this prediction assumes a machine with at least ${workers} cores of the same speed`);

    const work = model.replicaPerWorker ? workers : 1;
    const samples = size * model.epochs * work;
    const time = timeLog(model, model.time, 'time', size, workers, table);
    let wallMs = null;
    let epochMs = null;
    let timePerJobMs = null;
    let samplesPerSec = null;
    let timeLaw = null;
    if (typeof time === 'string') warnings.push(time);
    else {
      warnings.push(...time.warnings);
      timeLaw = time.used;
      const wall = kit.interval(time.prediction, table);
      const scale = (k: number) => ({ estimate: wall.estimate * k, low: wall.low === null ? null : wall.low * k, high: wall.high === null ? null : wall.high * k });
      wallMs = wall;
      epochMs = scale(1 / model.epochs);
      timePerJobMs = scale(1 / work);
      samplesPerSec = {
        estimate: (samples * 1000) / wall.estimate,
        low: wall.high === null ? null : (samples * 1000) / wall.high,
        high: wall.low === null ? null : (samples * 1000) / wall.low,
      };
      if (wall.low === null) {
        warnings.push('no interval for the time: a law fitted on exactly as many points as it has parameters (2 sizes for t ∝ n^b, 2 widths for Amdahl, 3 for the USL) cannot show how well it holds; measure one more size or width');
      }
    }
    let timeToTargetMs = null;
    if (model.timeToTarget.length > 0) {
      const toTarget = timeLog(model, model.timeToTarget, 'time-to-target', size, workers, table);
      if (typeof toTarget === 'string') warnings.push(toTarget);
      else {
        timeToTargetMs = kit.interval(toTarget.prediction, table);
        if (toTarget.used.speedup && !model.replicaPerWorker) warnings.push('time to target at an unmeasured width assumes the epochs needed do not change with the width (not so when the global batch grows)');
      }
    }
    const memory = memoryLog(model, size, workers);
    let memoryBytes = null;
    let memoryLaw = null;
    if (typeof memory === 'string') warnings.push(memory);
    else {
      warnings.push(...memory.warnings);
      memoryBytes = kit.interval(memory.prediction, table);
      memoryLaw = memory.law;
      if (memoryBytes.low === null) warnings.push('no interval for the memory: its law has as many points as parameters; measure one more size or width');
      else if (memoryBytes.high !== null && memoryBytes.high - memoryBytes.low <= 1e-9 * memoryBytes.estimate) {
        const counted = model.memoryMetric === 'cellMemoryBytes' ? ' (cell memory counts bytes: it has no noise)' : '';
        warnings.push(`the memory law passes through every measurement and the repetitions agree${counted}, so its interval has no width: it holds only as long as the law's form does`);
      }
    }
    return {
      model: model.model,
      dataset: model.dataset,
      mode: model.mode,
      variant: model.variant,
      size,
      workers,
      wallMs,
      epochMs,
      timeToTargetMs,
      timePerJobMs,
      samplesPerSec,
      memoryBytes,
      memoryMetric: model.memoryMetric,
      quality: null,
      timeLaw,
      memoryLaw,
      extrapolation,
      warnings,
      refused,
    };
  }

  return { predict };
}
