/**
 * Declarative performance budgets: "mlp-deep.exponent<=1.1", "efficiency@2>=80%", "wallMs@n=4k<=500ms".
 * Parsing turns a malformed budget into a UsageError that names it and shows the grammar; evaluation
 * is pure (Analysis in, BudgetResult out) and checks every measurement the budget selects, reporting
 * the worst one, so a budget can never pass just because it matched nothing (that fails, naming what exists).
 */
import type { Analysis, CellAnalysis, SizeScaling, WidthScaling } from '../analyse/schema.js';
import type { BudgetResult } from './schema.js';
import { UsageError } from '../config/errors.js';
import { cellMedianInterval, exponentInterval, qualityInterval, timeToTargetInterval, uslPeakInterval, widthPointInterval, type Interval, type IntervalSource } from './budget-intervals.js';

export type BudgetMetric =
  | 'exponent'
  | 'memoryExponent'
  | 'efficiency'
  | 'speedup'
  | 'karpFlatt'
  | 'uslPeak'
  | 'quality'
  | 'samplesPerSec'
  | 'wallMs'
  | 'rss'
  | 'timeToTarget'
  | 'timeToTargetExponent';

export type BudgetOp = '<=' | '<' | '>=' | '>';

export interface Budget {
  /** The budget as written (trimmed), e.g. "mlp-deep.exponent<=1.1". */
  expression: string;
  /** Model the budget is about; null = every model. */
  model: string | null;
  /** Data set the budget is about; null = every data set. */
  dataset: string | null;
  metric: BudgetMetric;
  /** Pool width selected with @W or @w=W; null = every width. */
  workers: number | null;
  /** Dataset size selected with @n=N (or a bare @N on per-cell metrics); null = every size. */
  size: number | null;
  op: BudgetOp;
  /** The limit in the metric's own unit (ms, bytes, samples/s, fraction). */
  limit: number;
}

export const BUDGET_GRAMMAR = `budget grammar: [model[@dataset].]metric[@selector]<op>number[unit]
  metric    exponent[@W]        time-vs-size exponent (per model and width)
            memoryExponent[@W]  memory-vs-size exponent (each cell's data + tensors)
            efficiency@W        parallel efficiency S(W)/W at pool width W (0..1, or %)
            speedup@W           S(W) = X(W)/X(1)
            karpFlatt@W         Karp-Flatt serial fraction at width W
            usl.peak[@N]        width of peak throughput fitted by the USL (per size N)
            quality[@N]         median held-out accuracy or R² (per cell)
            samplesPerSec[@N]   median aggregate throughput (per cell; units k, M)
            wallMs[@N]          median wall time (per cell; units ms, s)
            rss[@N]             median peak resident memory (per cell; units B, kB, MB, GB, KiB, MiB, GiB)
            timeToTarget[@N]    median time to the --target quality (per cell; units ms, s); a cell that did not reach it fails an upper bound
            timeToTargetExponent[@W]  time-to-target-vs-size exponent
  selector  W or N as a bare number (a width for exponent/efficiency/speedup/karpFlatt, a size otherwise),
            or w=W, n=N, or both: @n=4k,w=2
  op        <=  <  >=  >
  examples  mlp-deep.exponent<=1.1   efficiency@2>=0.8   mlp-small@moons.quality>=0.85   rss@n=16k<=512MB   timeToTarget@n=4k<=2s`;

interface MetricSpec {
  /** Whether a bare @number selects a width (true) or a size (false). */
  bareIsWidth: boolean;
  /** Whether the metric is undefined without a width (efficiency@W). */
  needsWidth: boolean;
  /** Unit suffixes accepted after the number, and their multipliers into the metric's unit. */
  units: Record<string, number>;
  /** How a value is written in messages. */
  format: (value: number) => string;
}

const PERCENT = { '%': 0.01 };
const plain = (digits: number) => (value: number) => Number(value.toFixed(digits)).toString();

const METRICS: Record<BudgetMetric, MetricSpec> = {
  exponent: { bareIsWidth: true, needsWidth: false, units: {}, format: plain(3) },
  memoryExponent: { bareIsWidth: true, needsWidth: false, units: {}, format: plain(3) },
  efficiency: { bareIsWidth: true, needsWidth: true, units: PERCENT, format: plain(3) },
  speedup: { bareIsWidth: true, needsWidth: true, units: { x: 1 }, format: plain(3) },
  karpFlatt: { bareIsWidth: true, needsWidth: true, units: PERCENT, format: plain(4) },
  uslPeak: { bareIsWidth: false, needsWidth: false, units: {}, format: plain(2) },
  quality: { bareIsWidth: false, needsWidth: false, units: PERCENT, format: plain(4) },
  samplesPerSec: { bareIsWidth: false, needsWidth: false, units: { k: 1e3, M: 1e6 }, format: (v) => `${plain(1)(v)} samples/s` },
  wallMs: { bareIsWidth: false, needsWidth: false, units: { ms: 1, s: 1000, us: 1e-3, 'µs': 1e-3 }, format: (v) => `${plain(2)(v)} ms` },
  timeToTarget: { bareIsWidth: false, needsWidth: false, units: { ms: 1, s: 1000 }, format: (v) => `${plain(2)(v)} ms` },
  timeToTargetExponent: { bareIsWidth: true, needsWidth: false, units: {}, format: plain(3) },
  rss: {
    bareIsWidth: false,
    needsWidth: false,
    units: { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 },
    format: (v) => `${plain(1)(v / 2 ** 20)} MiB`,
  },
};

/** Other spellings users reach for, mapped to the canonical metric. */
const ALIASES: Record<string, BudgetMetric> = {
  'usl.peak': 'uslPeak',
  uslPeak: 'uslPeak',
  peakRss: 'rss',
  peakRssBytes: 'rss',
  memory: 'rss',
  throughput: 'samplesPerSec',
  time: 'wallMs',
  timeToTargetMs: 'timeToTarget',
  accuracy: 'quality',
};

const METRIC_NAMES = [...Object.keys(METRICS), ...Object.keys(ALIASES)]
  // Longest first so "usl.peak" wins over a model named "usl".
  .sort((a, b) => b.length - a.length)
  .map((name) => name.replace('.', '\\.'));

/** op: the first comparison operator; the number may carry a unit after it. */
const BUDGET_RE = new RegExp(`^(?:(.+)\\.)?(${METRIC_NAMES.join('|')})(?:@([^<>\\s]+))?\\s*(<=|>=|<|>)\\s*([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[-+]?\\d+)?)\\s*([A-Za-zµ%]*)$`);

const COUNT_SUFFIX: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 };

function malformed(text: string, why: string, source: string): UsageError {
  return new UsageError(`${source} "${text}": ${why}.\n${BUDGET_GRAMMAR}`);
}

function parseSelectorNumber(text: string, budget: string, what: string, source: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  const value = match ? Number(match[1]) * (COUNT_SUFFIX[match[2] ?? ''] ?? 1) : NaN;
  if (!Number.isInteger(value) || value < 1) throw malformed(budget, `"${text}" is not a valid ${what} (a whole number, e.g. 2 or 4k)`, source);
  return value;
}

/**
 * Parses one budget; throws a UsageError naming it (and `source`, the flag or file it came from)
 * and showing the grammar when it is malformed.
 */
export function parseBudget(text: string, source = '--assert'): Budget {
  const expression = text.trim();
  if (expression === '') throw malformed(text, 'the budget is empty', source);
  const match = BUDGET_RE.exec(expression);
  if (!match) {
    const why = /(<=|>=|<|>)/.test(expression)
      ? 'the left side is not [model[@dataset].]metric[@selector] with a known metric, or the right side is not a number with an allowed unit'
      : 'no comparison operator (<=, <, >=, >)';
    throw malformed(expression, why, source);
  }
  const [, subject, metricText = '', selector, op = '<=', numberText = '', unit = ''] = match;
  const metric = (ALIASES[metricText] ?? metricText) as BudgetMetric;
  const spec = METRICS[metric];

  let model: string | null = null;
  let dataset: string | null = null;
  if (subject !== undefined) {
    const at = subject.indexOf('@');
    model = (at >= 0 ? subject.slice(0, at) : subject).trim();
    dataset = at >= 0 ? subject.slice(at + 1).trim() : null;
    if (model === '' || dataset === '') throw malformed(expression, `"${subject}" is not model or model@dataset`, source);
  }

  let workers: number | null = null;
  let size: number | null = null;
  if (selector !== undefined) {
    for (const part of selector.split(',')) {
      const [key, value] = part.includes('=') ? (part.split('=', 2) as [string, string]) : [spec.bareIsWidth ? 'w' : 'n', part];
      const k = key.trim();
      if (k === 'w') workers = parseSelectorNumber(value, expression, 'pool width', source);
      else if (k === 'n') size = parseSelectorNumber(value, expression, 'dataset size', source);
      else throw malformed(expression, `unknown selector "${part}" (use w=WIDTH or n=SIZE)`, source);
    }
  }
  if (spec.needsWidth && workers === null) throw malformed(expression, `${metricText} needs a pool width, e.g. ${metricText}@2`, source);

  const multiplier = unit === '' ? 1 : spec.units[unit];
  if (multiplier === undefined) {
    const allowed = Object.keys(spec.units);
    throw malformed(expression, `unit "${unit}" is not allowed for ${metricText}${allowed.length > 0 ? ` (use ${allowed.join(', ')} or none)` : ' (give a plain number)'}`, source);
  }
  const limit = Number(numberText) * multiplier;
  if (!Number.isFinite(limit)) throw malformed(expression, `"${numberText}" is not a finite number`, source);
  return { expression, model, dataset, metric, workers, size, op: op as BudgetOp, limit };
}

/** Parses every budget; the first malformed one throws. */
export function parseBudgets(texts: readonly string[], source = '--assert'): Budget[] {
  return texts.map((text) => parseBudget(text, source));
}

/** One measured value a budget selected, with what it was measured on. */
interface Measurement {
  subject: string;
  /** null = the quantity does not exist for this subject (e.g. no USL peak: throughput never turns down). */
  value: number | null;
  /** The value's confidence interval; null when there is none (a single repetition, no raw data). */
  interval: Interval | null;
}

function matchesModel(budget: Budget, model: string, dataset: string): boolean {
  return (budget.model === null || budget.model === model) && (budget.dataset === null || budget.dataset === dataset);
}

function sizeFits(budget: Budget, sizeScaling: SizeScaling): boolean {
  // Memory: the per-cell figure, or the process peak in results that predate it (never both in one fit group).
  const metrics: ReadonlyArray<SizeScaling['metric']> =
    budget.metric === 'exponent' ? ['wallMs'] : budget.metric === 'timeToTargetExponent' ? ['timeToTargetMs'] : ['cellMemoryBytes', 'peakRssBytes'];
  return metrics.includes(sizeScaling.metric) && matchesModel(budget, sizeScaling.model, sizeScaling.dataset) && (budget.workers === null || budget.workers === sizeScaling.workers);
}

function widthFits(budget: Budget, sweep: WidthScaling): boolean {
  return matchesModel(budget, sweep.model, sweep.dataset) && (budget.size === null || budget.size === sweep.size);
}

function cellFits(budget: Budget, cell: CellAnalysis): boolean {
  return (
    matchesModel(budget, cell.cell.model, cell.cell.dataset) &&
    (budget.size === null || budget.size === cell.cell.size) &&
    (budget.workers === null || budget.workers === cell.cell.workers)
  );
}

function measurements(budget: Budget, analysis: Analysis, source: IntervalSource | undefined): Measurement[] {
  switch (budget.metric) {
    case 'exponent':
    case 'memoryExponent':
    case 'timeToTargetExponent':
      return analysis.sizeScaling
        .filter((s) => sizeFits(budget, s) && (budget.size === null || s.points.some((p) => p.size === budget.size)))
        .flatMap((s) => (s.exponent ? [{ subject: s.key, value: s.exponent.value, interval: exponentInterval(analysis, s) }] : []));
    case 'efficiency':
    case 'speedup':
    case 'karpFlatt': {
      const metric = budget.metric;
      return analysis.widthScaling
        .filter((s) => widthFits(budget, s))
        .flatMap((s) =>
          s.points
            .filter((p) => p.workers === budget.workers && p[metric] !== null)
            .map((p) => ({ subject: `${s.key} @ w=${p.workers}`, value: p[metric], interval: widthPointInterval(source, s, p.workers, metric) })),
        );
    }
    case 'uslPeak':
      return analysis.widthScaling
        .filter((s) => widthFits(budget, s) && !('unavailable' in s.usl))
        .map((s) => ({ subject: s.key, value: 'unavailable' in s.usl ? null : s.usl.peakWorkers, interval: uslPeakInterval(source, s) }));
    case 'quality':
      return analysis.cells
        .filter((c) => cellFits(budget, c) && c.quality)
        .map((c) => ({ subject: c.cellId, value: c.quality?.value ?? null, interval: qualityInterval(source, c) }));
    case 'samplesPerSec':
    case 'wallMs':
    case 'rss': {
      const field = budget.metric === 'rss' ? 'peakRssBytes' : budget.metric;
      return analysis.cells
        .filter((c) => cellFits(budget, c) && c[field])
        .map((c) => ({ subject: c.cellId, value: c[field]?.median ?? null, interval: cellMedianInterval(c, field) }));
    }
    case 'timeToTarget':
      // null: the cell did not reach the target (more than one repetition missed it).
      return analysis.cells
        .filter((c) => cellFits(budget, c) && c.timeToTarget)
        .map((c) => {
          const reached = c.timeToTarget?.status === 'converged' ? (c.timeToTarget.medianMs ?? null) : null;
          return { subject: c.cellId, value: reached?.value ?? null, interval: timeToTargetInterval(reached) };
        });
  }
}

function holds(op: BudgetOp, value: number, limit: number): boolean {
  switch (op) {
    case '<=':
      return value <= limit;
    case '<':
      return value < limit;
    case '>=':
      return value >= limit;
    case '>':
      return value > limit;
  }
}

const upperBound = (op: BudgetOp): boolean => op === '<=' || op === '<';

/** What the budget's selection could have matched, so a typo in a model name is obvious. */
function availableSubjects(analysis: Analysis): string {
  const models = [...new Set(analysis.cells.map((c) => c.cell.model))];
  const datasets = [...new Set(analysis.cells.map((c) => c.cell.dataset))];
  const widths = [...new Set(analysis.cells.map((c) => c.cell.workers))].sort((a, b) => a - b);
  const sizes = [...new Set(analysis.cells.map((c) => c.cell.size))].sort((a, b) => a - b);
  return `models ${models.join(', ') || 'none'}; data sets ${datasets.join(', ') || 'none'}; widths ${widths.join(', ') || 'none'}; sizes ${sizes.join(', ') || 'none'}`;
}

/**
 * Checks one budget against every measurement it selects. It fails only when some measurement's whole
 * interval lies beyond the limit; a value beyond the limit whose interval reaches back across it is
 * 'inconclusive' (too noisy to judge), which does not fail the build. The measured value is the worst of
 * those that decided (largest for an upper bound, smallest for a lower bound), and the message names where it was.
 * "No USL peak" means throughput never turns down, which satisfies a lower bound and breaks an upper one.
 */
export function evaluateBudget(budget: Budget, analysis: Analysis, source?: IntervalSource): BudgetResult {
  const spec = METRICS[budget.metric];
  const limitText = spec.format(budget.limit);
  const found = measurements(budget, analysis, source);
  if (found.length === 0) {
    return {
      expression: budget.expression,
      measured: null,
      passed: false,
      verdict: 'failed',
      message: `${budget.expression}: no measurement matches this budget, so it cannot be checked (the run has ${availableSubjects(analysis)}).`,
    };
  }
  const unbounded = found.filter((m) => m.value === null);
  if (unbounded.length > 0 && (budget.metric === 'uslPeak' || budget.metric === 'timeToTarget') && upperBound(budget.op)) {
    const why = budget.metric === 'uslPeak' ? 'has no USL peak (throughput still rising)' : 'did not reach its target (time to target unbounded)';
    return {
      expression: budget.expression,
      measured: null,
      passed: false,
      verdict: 'failed',
      message: `${budget.expression} failed: ${unbounded[0]?.subject} ${why}, which exceeds ${limitText}.`,
    };
  }
  const valued = found.filter((m): m is Measurement & { value: number } => m.value !== null);
  if (valued.length === 0) {
    return {
      expression: budget.expression,
      measured: null,
      passed: true,
      verdict: 'passed',
      message:
        budget.metric === 'timeToTarget'
          ? `${budget.expression} passed: no cell reached its target (time to target unbounded), above ${limitText}.`
          : `${budget.expression} passed: no USL peak in ${found.length} sweep${found.length === 1 ? '' : 's'} (throughput still rising), above ${limitText}.`,
    };
  }
  // A budget fails only when even the end of the interval nearest the limit breaks it.
  const favourable = (m: Measurement & { value: number }) => (m.interval ? (upperBound(budget.op) ? m.interval.low : m.interval.high) : null);
  const pickWorst = (list: Array<Measurement & { value: number }>) =>
    list.reduce((w, m) => (upperBound(budget.op) ? (m.value > w.value ? m : w) : m.value < w.value ? m : w));
  const failing = valued.filter((m) => {
    const bound = favourable(m);
    return bound !== null && !holds(budget.op, bound, budget.limit);
  });
  const straddling = valued.filter((m) => !holds(budget.op, m.value, budget.limit));
  const verdict: BudgetResult['verdict'] = failing.length > 0 ? 'failed' : straddling.length > 0 ? 'inconclusive' : 'passed';
  const worst = pickWorst(failing.length > 0 ? failing : straddling.length > 0 ? straddling : valued);
  const over = valued.length === 1 ? `on ${worst.subject}` : `worst of ${valued.length}, on ${worst.subject}`;
  const verb = upperBound(budget.op) ? 'exceeds' : 'is below';
  const range = worst.interval
    ? `${Math.round(worst.interval.level * 100)}% interval ${spec.format(worst.interval.low)} … ${spec.format(worst.interval.high)}`
    : 'no interval';
  const measured = `${budget.metric} ${spec.format(worst.value)} (${over}`;
  const messages = {
    passed: `${budget.expression} passed: ${measured}) ${budget.op} ${limitText}.`,
    failed: `${budget.expression} failed: ${measured}; ${range}) ${verb} the limit ${limitText}.`,
    inconclusive: worst.interval
      ? `${budget.expression} inconclusive: ${measured}) ${verb} the limit ${limitText}, but its ${range} reaches across it: too noisy to judge (add --repeats, or quiet the machine).`
      : `${budget.expression} inconclusive: ${measured}) ${verb} the limit ${limitText}, but it has no interval (a single repetition, or no raw data): too few measurements to judge.`,
  };
  return {
    expression: budget.expression,
    measured: worst.value,
    passed: verdict !== 'failed',
    verdict,
    ...(worst.interval ? { interval: worst.interval } : {}),
    message: messages[verdict],
  };
}

/**
 * Checks every budget against the run's analysis; `source` (the run's raw results and the resampling
 * settings) supplies the intervals of efficiency, speedup, Karp-Flatt, the USL peak and quality.
 */
export function evaluateBudgets(budgets: readonly Budget[], analysis: Analysis, source?: IntervalSource): BudgetResult[] {
  return budgets.map((budget) => evaluateBudget(budget, analysis, source));
}
