/**
 * The rules that write the Findings' sentences. Each returns candidates with a severity; the worst five
 * are shown. Severities: 100 gate failures, 90 failed cells, 70..50 scaling and quality problems,
 * 45..10 information, below 10 good news.
 */
import type { CellAnalysis } from '../../analyse/schema.js';
import type { MetricComparison } from '../../gate/schema.js';
import { formatCount, formatFixed, formatPercent, formatRatio, formatSig } from '../../config/format.js';
import { bestSpeedup, qualityBySize, qualityTrend, representativeSweep, stopVerdict } from './groups.js';
import type { FindingSentence, FindingsContext, FindingsGroup, FindingsRule } from './types.js';
import { SIZE_METRIC_LABEL } from '../text.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "All 5 models" when the rows are every model once; otherwise "All 6 rows" ("Both" for two). */
function everyone(groups: readonly FindingsGroup[]): string {
  const models = new Set(groups.map((g) => g.model)).size === groups.length;
  if (groups.length === 2) return `Both ${models ? 'models' : 'rows'}`;
  return `All ${plural(groups.length, models ? 'model' : 'row')}`;
}

/** The rows named, up to `max`; "All 5 models" when that is every row of the table. */
function names(groups: readonly FindingsGroup[], max = 3, total?: number): string {
  if (total !== undefined && groups.length === total && total > 1) return everyone(groups);
  const shown = groups.slice(0, max).map((g) => g.label);
  return groups.length > max ? `${shown.join(', ')} and ${groups.length - max} more` : shown.join(', ');
}

function range(values: readonly number[], format: (x: number) => string): string {
  const low = format(Math.min(...values));
  const high = format(Math.max(...values));
  return low === high ? low : `${low}–${high}`;
}

/**
 * One sentence for one group, or one for several: rows that share a finding are named together so five
 * models with the same news take one line, not five.
 */
function perGroup<T>(
  items: ReadonlyArray<{ g: FindingsGroup; value: T }>,
  one: (item: { g: FindingsGroup; value: T }) => string,
  many: (items: ReadonlyArray<{ g: FindingsGroup; value: T }>, who: string) => string,
  sentence: Omit<FindingSentence, 'text'>,
  total: number,
): FindingSentence[] {
  if (items.length === 0) return [];
  if (items.length === 1) return [{ ...sentence, text: one(items[0]!) }];
  return [{ ...sentence, text: many(items, names(items.map((i) => i.g), 3, total)) }];
}

function cellName(cell: CellAnalysis['cell']): string {
  return `${cell.model} n=${formatCount(cell.size)} w=${cell.workers}`;
}

/** A comparison subject (a cell id or a law key) in the words of a cell when it is one. */
function subjectName(subject: string, ctx: FindingsContext): string {
  const cell = ctx.analysis.cells.find((c) => c.cellId === subject);
  return cell ? cellName(cell.cell) : subject;
}

function changeText(m: MetricComparison): string {
  const fmt = (x: number) => (m.metric === 'quality' ? `${x >= 0 ? '+' : ''}${formatFixed(x, 3)}` : `${x >= 0 ? '+' : ''}${formatPercent(x, 1)}`);
  const ci = m.changeCi && m.changeCi.low !== null && m.changeCi.high !== null ? ` (95% CI ${fmt(m.changeCi.low)} to ${fmt(m.changeCi.high)})` : '';
  return `${fmt(m.change)}${ci}`;
}

const METRIC_WORDS: Record<string, string> = { wallMs: 'wall time', peakRssBytes: 'peak memory', quality: 'quality', exponent: 'size exponent' };

export const comparisonRule: FindingsRule = (_groups, ctx) => {
  const c = ctx.comparison;
  if (!c) return [];
  const out: FindingSentence[] = [];
  const regressed = c.metrics.filter((m) => m.gated && m.verdict === 'regressed');
  const first = regressed[0];
  if (first) {
    const what = METRIC_WORDS[first.metric] ?? first.metric;
    out.push({
      severity: 100,
      tone: 'bad',
      text: `${plural(regressed.length, 'regression')} against baseline ${c.baselineRunId}: ${what} of ${subjectName(first.subject, ctx)} ${changeText(first)}${regressed.length > 1 ? ', and more in the comparison' : ''}.`,
    });
  }
  const failedBudgets = c.budgets.filter((b) => !b.passed);
  if (failedBudgets.length > 0) out.push({ severity: 95, tone: 'bad', text: `${plural(failedBudgets.length, 'budget')} failed: ${failedBudgets[0]!.message}.` });
  if (c.passed) {
    const improved = c.metrics.filter((m) => m.verdict === 'improved').length;
    out.push({
      severity: 15,
      tone: 'good',
      text: `No regression against baseline ${c.baselineRunId} (${plural(c.metrics.length, 'comparison')}, ${improved} improved; ${c.gateMode} gate).`,
    });
  }
  return out;
};

export const failedCellsRule: FindingsRule = (_groups, ctx) => {
  const cells = ctx.analysis.cells;
  const failed = cells.filter((c) => c.okTrials === 0);
  const partial = cells.filter((c) => c.okTrials > 0 && c.okTrials < c.totalTrials);
  const out: FindingSentence[] = [];
  if (failed.length > 0) {
    out.push({
      severity: 90,
      tone: 'bad',
      text: `${failed.length} of ${plural(cells.length, 'cell')} failed every repetition (${failed.slice(0, 2).map((c) => cellName(c.cell)).join(', ')}${failed.length > 2 ? ', ...' : ''}); the laws use the cells that finished.`,
    });
  }
  if (partial.length > 0) {
    out.push({ severity: 58, tone: 'warn', text: `${plural(partial.length, 'cell')} lost some repetitions (${cellName(partial[0]!.cell)}: ${partial[0]!.okTrials}/${partial[0]!.totalTrials} ok); their medians are rougher.` });
  }
  return out;
};

/** Time growing faster than n: the cost of 10x the data is 10^b. */
export const timeGrowthRule: FindingsRule = (groups) => {
  const items = groups.flatMap((g) => {
    const e = g.timeLaw?.exponent;
    return e && e.low !== null && e.high !== null && e.low > 1.1 ? [{ g, value: e.value }] : [];
  });
  return perGroup(
    items,
    ({ g, value }) => `${g.label}: time grows faster than linear (n^${formatFixed(value, 2)}): 10x the data costs ${formatSig(10 ** value, 2)}x the time.`,
    (all, who) => `${who}: time grows faster than linear (exponents ${range(all.map((i) => i.value), (x) => formatFixed(x, 2))}): 10x the data costs more than 10x the time.`,
    { severity: 70, tone: 'bad' },
    groups.length,
  );
};

export const linearTimeRule: FindingsRule = (groups) => {
  const fitted = groups.filter((g) => g.timeLaw?.exponent?.low != null && g.timeLaw.exponent.high != null);
  const linear = fitted.filter((g) => g.timeLaw!.exponent!.low! <= 1.1 && g.timeLaw!.exponent!.high! >= 0.9);
  if (linear.length === 0) return [];
  const values = linear.map((g) => g.timeLaw!.exponent!.value);
  const range = `${formatFixed(Math.min(...values), 2)}–${formatFixed(Math.max(...values), 2)}`;
  const who = names(linear, 3, groups.length);
  return [{ severity: 8, tone: 'good', text: `${who}: training time grows linearly with data size, exponents ${range}, intervals within 0.9–1.1.` }];
};

/** The same width paying much less on small cells than on large ones: fixed per-cell costs dominate the small ones. */
export const overheadRule: FindingsRule = (groups) => {
  const items = groups.flatMap((g) => {
    const width = g.widths.find((w) => w > 1);
    if (width === undefined) return [];
    const bySize = g.widthLaws.flatMap((s) => {
      const p = s.points.find((q) => q.workers === width);
      return p && p.speedup !== null ? [{ size: s.size, speedup: p.speedup }] : [];
    });
    if (bySize.length < 2) return [];
    const worst = bySize.reduce((a, b) => (b.speedup < a.speedup ? b : a));
    const best = bySize.reduce((a, b) => (b.speedup > a.speedup ? b : a));
    return best.speedup >= worst.speedup * 1.25 && worst.size < best.size ? [{ g, value: { width, worst, best } }] : [];
  });
  return perGroup(
    items,
    ({ g, value: { width, worst, best } }) =>
      `${g.label}: ${width === 2 ? 'a second worker gives' : `${width} workers give`} ${formatRatio(worst.speedup)} at n=${formatCount(worst.size)} but ${formatRatio(best.speedup)} at ${formatCount(best.size)}: small cells are overhead-bound.`,
    (all, who) => `${who}: extra workers pay far less on small sizes than on large ones (e.g. ${formatRatio(all[0]!.value.worst.speedup)} at n=${formatCount(all[0]!.value.worst.size)} vs ${formatRatio(all[0]!.value.best.speedup)} at ${formatCount(all[0]!.value.best.size)}): small cells are overhead-bound.`,
    { severity: 65, tone: 'warn' },
    groups.length,
  );
};

export const widthLimitRule: FindingsRule = (groups, ctx) => {
  const cores = ctx.analysis.environment.cores;
  const out: FindingSentence[] = [];
  const coreBound: Array<{ g: FindingsGroup; v: Extract<ReturnType<typeof stopVerdict>, { kind: 'core-bound' }> }> = [];
  const lowEfficiency: Array<{ g: FindingsGroup; value: { workers: number; efficiency: number; size: number } }> = [];
  const peaks: Array<{ g: FindingsGroup; value: { workers: number; size: number; early: boolean } }> = [];
  for (const g of groups) {
    const v = stopVerdict(g, cores);
    if (v.kind === 'efficiency') lowEfficiency.push({ g, value: v });
    else if (v.kind === 'usl-peak') {
      const sweep = representativeSweep(g);
      const widest = Math.max(...(sweep?.points.map((p) => p.workers) ?? [1]));
      peaks.push({ g, value: { workers: v.workers, size: v.size, early: v.workers < widest } });
    } else if (v.kind === 'core-bound') coreBound.push({ g, v });
  }
  out.push(
    ...perGroup(
      lowEfficiency,
      ({ g, value }) => `${g.label}: workers stop paying at w=${value.workers} (efficiency ${formatPercent(value.efficiency)} at n=${formatCount(value.size)}).`,
      (all, who) => `${who}: workers stop paying at w=${range(all.map((i) => i.value.workers), String)} (efficiency under 50%).`,
      { severity: 60, tone: 'warn' },
      groups.length,
    ),
  );
  for (const early of [true, false]) {
    const these = peaks.filter((p) => p.value.early === early);
    const where = early ? 'below the widest pool measured' : 'by the USL fit';
    out.push(
      ...perGroup(
        these,
        ({ g, value }) => `${g.label}: throughput peaks at w≈${formatFixed(value.workers, 1)} (${where}, n=${formatCount(value.size)}).`,
        (all, who) => `${who}: throughput peaks at w≈${range(all.map((i) => i.value.workers), (x) => formatFixed(x, 1))} (${where}).`,
        { severity: early ? 55 : 30, tone: early ? 'warn' : 'info' },
        groups.length,
      ),
    );
  }
  if (coreBound.length > 0) {
    const who = names(coreBound.map((x) => x.g), 3, groups.length);
    const one = coreBound.length === 1;
    const example = coreBound.find((x) => x.v.beyond && x.v.atCores);
    if (example) {
      const { beyond, atCores } = example.v;
      out.push({
        severity: 35,
        tone: 'info',
        text: `${who} ${one ? 'scales' : 'scale'} up to the ${plural(cores, 'core')} and no further: ${example.g.label} gets ${formatRatio(atCores!.speedup)} at w=${atCores!.workers} and ${formatRatio(beyond!.speedup)} at w=${beyond!.workers} (n=${formatCount(example.v.size)}).`,
      });
    } else {
      const best = coreBound.map((x) => ({ x, b: bestSpeedup(x.g) })).filter((y) => y.b !== null).sort((a, b) => (b.b!.point.speedup ?? 0) - (a.b!.point.speedup ?? 0))[0];
      const detail = best ? ` (${one ? '' : `best: ${best.x.g.label} `}${formatRatio(best.b!.point.speedup)} at w=${best.b!.point.workers})` : '';
      out.push({ severity: 34, tone: 'info', text: `${who} ${one ? 'keeps' : 'keep'} gaining up to the ${plural(cores, 'core')}${detail}; a machine with more cores would show where scaling stops.` });
    }
  }
  return out;
};

/** "cell memory (data + tensors)", or "process peak RSS" for results that predate the per-cell figure. */
function memoryWords(g: FindingsGroup): string {
  return g.memoryLaw ? SIZE_METRIC_LABEL[g.memoryLaw.metric] : 'memory';
}

export const memoryGrowthRule: FindingsRule = (groups) => {
  const items = groups.flatMap((g) => {
    const e = g.memoryLaw?.exponent;
    return e && e.low !== null && e.low > 0.3 ? [{ g, value: e.value }] : [];
  });
  return perGroup(
    items,
    ({ g, value }) => `${g.label}: ${memoryWords(g)} grows as n^${formatFixed(value, 2)}: 10x the data needs about ${formatSig(10 ** value, 2)}x the memory.`,
    (all, who) => `${who}: ${memoryWords(all[0]!.g)} grows with data (exponents ${range(all.map((i) => i.value), (x) => formatFixed(x, 2))}); watch the largest sizes.`,
    { severity: 50, tone: 'warn' },
    groups.length,
  );
};

export const qualityRule: FindingsRule = (groups, ctx) => {
  const out: FindingSentence[] = [];
  type Step = { metric: string; from: string; change: number };
  const worse: Array<{ g: FindingsGroup; value: Step }> = [];
  const improving: Array<{ g: FindingsGroup; value: Step }> = [];
  for (const g of groups) {
    const trend = qualityTrend(g);
    const points = qualityBySize(g);
    const last = points[points.length - 1];
    const previous = points[points.length - 2];
    if (!last || !previous || trend.kind === 'unknown') continue;
    const metric = last.metric === 'r2' ? 'R²' : 'accuracy';
    const from = `${formatFixed(previous.value, 3)} at n=${formatCount(previous.size)} to ${formatFixed(last.value, 3)} at ${formatCount(last.size)}`;
    if (trend.kind === 'worse') worse.push({ g, value: { metric, from, change: trend.change } });
    if (trend.kind === 'improving') improving.push({ g, value: { metric, from, change: trend.change } });
  }
  const signed = (x: number) => `${x > 0 ? '+' : '−'}${formatFixed(Math.abs(x), 3)}`;
  out.push(
    ...perGroup(
      worse,
      ({ g, value }) => `${g.label}: held-out ${value.metric} falls from ${value.from}.`,
      (all, who) => `${who}: held-out quality falls at the largest size (${range(all.map((i) => i.value.change), signed)}).`,
      { severity: 55, tone: 'warn' },
      groups.length,
    ),
    ...perGroup(
      improving,
      ({ g, value }) => `${g.label}: held-out ${value.metric} still improves with data (${value.from}): more data would help.`,
      (all, who) => `${who}: held-out quality still improves at the largest size (${range(all.map((i) => i.value.change), signed)}): more data would help.`,
      { severity: 20, tone: 'info' },
      groups.length,
    ),
  );
  const flags = ctx.analysis.qualityFlags;
  if (flags.length > 0) {
    const f = flags[0]!;
    const cell = ctx.analysis.cells.find((c) => c.cellId === f.cellId);
    out.push({
      severity: 52,
      tone: 'warn',
      text: `${plural(flags.length, 'faster configuration')} reached worse quality than the slowest (${cell ? cellName(cell.cell) : f.cellId}: ${formatFixed(f.value, 3)} vs ${formatFixed(f.referenceValue, 3)}, ${formatRatio(f.speedup)} faster).`,
    });
  }
  return out;
};

/** Noisy cells; when they are a quarter or more of the run, every law above rests on them, so it is the worst news. */
export const noiseRule: FindingsRule = (_groups, ctx) => {
  const noisy = ctx.analysis.warnings.filter((w) => w.code === 'noisy-cell').length;
  if (noisy === 0) return [];
  const total = ctx.analysis.cells.length;
  if (noisy >= total / 4) {
    return [{ severity: 85, tone: 'bad', text: `${noisy === total ? `All ${total} cells` : `${noisy} of ${plural(total, 'cell')}`} are noisy (wide spread between repetitions), so the laws above are rough: rerun on a quiet machine or add --repeats.` }];
  }
  return [{ severity: 40, tone: 'warn', text: `${noisy} of ${plural(total, 'cell')} are noisy (wide spread between repetitions): rerun on a quiet machine or add --repeats.` }];
};

export const uslMissingRule: FindingsRule = (groups) => {
  const sweeps = groups.flatMap((g) => g.widthLaws);
  const missing = sweeps.filter((s) => 'unavailable' in s.usl);
  if (missing.length === 0 || missing.length < sweeps.length) return [];
  const widths = Math.max(...sweeps.map((s) => s.points.length));
  return [{ severity: 12, tone: 'info', text: `The Universal Scalability Law is not fitted: ${plural(widths, 'width')} measured, it needs 4 including 1 (e.g. --workers 1,2,3,4).` }];
};

/** Inference under load: where latency starts to climb (the knee), or that it never did among the levels run. */
export const inferenceRule: FindingsRule = (_groups, ctx) => {
  const sweeps = (ctx.analysis.inference ?? []).filter((s) => s.points.length >= 2);
  if (sweeps.length === 0) return [];
  const level = (s: (typeof sweeps)[number], x: number) => (s.loop === 'closed' ? `concurrency ${x}` : `${formatCount(x)} requests/s`);
  const knees = sweeps.filter((s) => s.knee !== null);
  const out: FindingSentence[] = [];
  const first = knees[0];
  if (first) {
    const where = `${first.model} w=${first.workers}, ${plural(first.batchSize, 'row')} per request`;
    out.push({
      severity: 45,
      tone: 'warn',
      text: `Latency climbs past ${level(first, first.knee!)} (${where})${knees.length > 1 ? `, and in ${knees.length - 1} more of ${plural(sweeps.length, 'load sweep')}` : ''}.`,
    });
  }
  const flat = sweeps.length - knees.length;
  if (flat > 0) out.push({ severity: 25, tone: 'info', text: `No latency knee among the load levels run in ${flat} of ${plural(sweeps.length, 'load sweep')}; raise --concurrency or --rate to find one.` });
  return out;
};

/** Data-parallel: the share of each step spent exchanging gradients, at the widest pool (the cost that grows with w). */
export const exchangeRule: FindingsRule = (groups) => {
  const items = groups.flatMap((g) => {
    if (g.mode !== 'data-parallel') return [];
    const widest = Math.max(...g.widths);
    const shares = g.cells.filter((c) => c.cell.workers === widest && c.dataParallel?.exchangeShare != null);
    if (widest < 2 || shares.length === 0) return [];
    const worst = shares.reduce((a, b) => (b.dataParallel!.exchangeShare! > a.dataParallel!.exchangeShare! ? b : a));
    return [{ g, value: { share: worst.dataParallel!.exchangeShare!, workers: widest, size: worst.cell.size } }];
  });
  const heavy = items.filter((i) => i.value.share >= 0.25);
  const light = items.filter((i) => i.value.share < 0.25);
  const write = (tone: 'warn' | 'info', severity: number, these: typeof items) =>
    perGroup(
      these,
      ({ g, value }) => `${g.label}: exchanging gradients takes ${formatPercent(value.share)} of a step at w=${value.workers} (n=${formatCount(value.size)}).`,
      (all, who) => `${who}: exchanging gradients takes up to ${formatPercent(Math.max(...all.map((i) => i.value.share)))} of a step at the widest pool.`,
      { severity, tone },
      groups.length,
    );
  return [...write('warn', 48, heavy), ...write('info', 22, light)];
};
