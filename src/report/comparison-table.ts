/**
 * Terminal rendering of a Comparison (and of budgets checked without a baseline): a verdict table,
 * which gate applied and why, the geometric-mean change, budgets, warnings and a one-line result.
 * Rows that did not change are counted, not listed, unless `all` is set: a CI log should show what matters.
 */
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import type { BudgetResult, Comparison, MetricComparison, Verdict } from '../gate/schema.js';
import { terminalSafeData } from '../config/terminal-text.js';
import { formatBytes, formatMs, formatNumber, formatPercent, MISSING, plainFixed, plainNumber } from '../config/format.js';
import { absoluteChangeDigits } from './text.js';

export interface ComparisonTableOptions {
  color: boolean;
  /** List unchanged rows too. */
  all?: boolean;
}

const VERDICT_ORDER: Record<Verdict, number> = { regressed: 0, improved: 1, inconclusive: 2, unchanged: 3 };
/** Notes listed under the table; a CI log needs the worst few, comparison.json has all. */
const MAX_NOTES = 12;

/** One line on the machine's speed between the runs, from the canary. */
export function describeCanary(canary: NonNullable<Comparison['canary']>): string {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;
  const basis = canary.basis === 'paired' ? 'current vs baseline reading per cell' : 'current run only, vs its lower quartile per width';
  return (
    `machine speed (canary, ${basis}): median ${pct(canary.medianChange)} over ${canary.cells} cells (${pct(canary.minChange)} to ${pct(canary.maxChange)}), ` +
    `${canary.movedCells} beyond ±${Math.round(canary.band * 100)}%${canary.cpuShareCells ? ` (${canary.cpuShareCells} by their own CPU share, beyond ±10%)` : ''}${canary.spread !== undefined ? `, varying by ${Math.round(canary.spread * 100)}% within the runs` : ''}` +
    `${canary.normalised ? '; times divided by it (--normalise canary)' : ''}` +
    `${canary.affectedVerdicts > 0 ? `; ${canary.affectedVerdicts} verdict${canary.affectedVerdicts === 1 ? '' : 's'} changed by it` : ''}`
  );
}

function value(metric: string, v: number): string {
  if (metric === 'wallMs') return formatMs(v);
  if (metric === 'peakRssBytes') return formatBytes(v);
  if (metric.startsWith('efficiency') || metric === 'quality') return formatNumber(v, 3);
  return formatNumber(v, 3);
}

function change(metric: string, x: number | null): string {
  if (x === null || !Number.isFinite(x)) return MISSING;
  const digits = absoluteChangeDigits(metric);
  if (digits !== undefined) return `${x >= 0 ? '+' : ''}${plainFixed(x, digits)}`;
  return `${x >= 0 ? '+' : ''}${formatPercent(x, 1)}`;
}

/** Two significant digits, as a plain decimal down to 0.000001 and a power of ten below. */
function pValueText(p: number): string {
  return plainNumber(p, (v) => String(Number(v.toPrecision(2))));
}

function interval(m: MetricComparison): string {
  const ci = m.changeCi;
  if (!ci || ci.low === null || ci.high === null) return MISSING;
  return `${change(m.metric, ci.low)} … ${change(m.metric, ci.high)}`;
}

function threshold(m: MetricComparison): string {
  return absoluteChangeDigits(m.metric) !== undefined ? `±${m.threshold}` : `±${formatPercent(m.threshold, 0)}`;
}

/** One sentence on which gate applied, for every output format. */
export function describeGate(c: Comparison): string {
  if (c.gateMode === 'raw') {
    return c.sameMachine
      ? 'raw: same machine fingerprint and backend, so times, memory, fitted laws and quality are gated'
      : 'raw (forced with --gate raw): times, memory, fitted laws and quality are gated across different machines';
  }
  return c.sameMachine
    ? 'shape (forced with --gate shape): only fitted laws and quality are gated; times and memory are shown'
    : 'shape: the runs came from different machines or backends, so only fitted laws and quality are gated; times and memory are shown';
}

export function renderBudgets(budgets: readonly BudgetResult[], opts: { color: boolean }): string {
  const colors = createColors(opts.color);
  const mark = (b: BudgetResult) => (b.verdict === 'inconclusive' ? colors.yellow('?') : b.passed ? colors.green('✓') : colors.red('✗'));
  return budgets.map((b) => `  ${mark(b)} ${b.message}`).join('\n');
}

/** Lines naming every gated regression and failed budget (what a CI log must show). */
export function failureLines(c: Pick<Comparison, 'metrics' | 'budgets'>): string[] {
  return [
    ...c.metrics.filter((m) => m.gated && m.verdict === 'regressed').map((m) => describeMetric(m)),
    ...c.budgets.filter((b) => !b.passed).map((b) => `budget ${b.message}`),
  ];
}

export function renderComparisonTable(unsafe: Comparison, opts: ComparisonTableOptions): string {
  // Subjects and warnings name models and data sets from user files: no control characters on the terminal.
  const c = terminalSafeData(unsafe);
  const colors = createColors(opts.color);
  const paint: Record<Verdict, (s: string) => string> = {
    regressed: colors.red,
    improved: colors.green,
    inconclusive: colors.yellow,
    unchanged: colors.dim,
  };
  const out: string[] = [];
  out.push(colors.bold(`Comparison: baseline ${c.baselineRunId} vs current ${c.currentRunId}`));
  out.push(`gate: ${describeGate(c)}`);

  const rows = [...c.metrics]
    .filter((m) => opts.all || m.verdict !== 'unchanged')
    .sort((p, q) => VERDICT_ORDER[p.verdict] - VERDICT_ORDER[q.verdict] || Number(q.gated) - Number(p.gated));
  if (rows.length > 0) {
    const table = new Table({
      head: ['verdict', 'metric', 'subject', 'baseline', 'current', 'change', 'CI of change', 'noise band', 'test', 'gated'],
      style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [], compact: true },
      colAligns: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
    });
    for (const m of rows) {
      const p = m.pValue !== null && Number.isFinite(m.pValue) ? ` p=${pValueText(m.pValue)}` : '';
      table.push([
        paint[m.verdict](m.verdict),
        m.metric,
        m.subject,
        value(m.metric, m.baseline),
        value(m.metric, m.current),
        paint[m.verdict](change(m.metric, m.change)),
        interval(m),
        threshold(m),
        `${m.test}${p}`,
        m.gated ? 'yes' : colors.dim('no'),
      ]);
    }
    out.push(table.toString());
  }
  const noted = rows.filter((m) => m.note);
  if (noted.length > 0) {
    out.push('notes:', ...noted.slice(0, MAX_NOTES).map((m) => `  ${paint[m.verdict](m.verdict)} ${m.metric} of ${m.subject}: ${m.note}`));
    if (noted.length > MAX_NOTES) out.push(colors.dim(`  and ${noted.length - MAX_NOTES} more (comparison.json has every note).`));
  }
  if (c.canary) out.push(describeCanary(c.canary));
  const unchanged = c.metrics.filter((m) => m.verdict === 'unchanged').length;
  if (!opts.all && unchanged > 0) out.push(colors.dim(`${unchanged} of ${c.metrics.length} comparisons unchanged (not listed; --all lists them).`));
  if (c.metrics.length > 0 && rows.length === 0 && opts.all !== true) out.push('every compared metric is unchanged.');

  if (c.geometricMeanRatio !== null) {
    const cells = c.metrics.filter((m) => m.metric === 'wallMs').length;
    out.push(`geometric mean of wall-time ratios (current / baseline) over ${cells} cells: ${plainFixed(c.geometricMeanRatio, 3)}x (${change('wallMs', c.geometricMeanRatio - 1)})`);
  }
  if (c.budgets.length > 0) out.push('budgets:', renderBudgets(c.budgets, opts));
  if (c.warnings.length > 0) out.push('warnings:', ...c.warnings.map((w) => `  ${colors.yellow('!')} ${w}`));

  const failedBudgets = c.budgets.filter((b) => !b.passed).length;
  const summary = `${c.regressions} regression${c.regressions === 1 ? '' : 's'}, ${c.improvements} improvement${c.improvements === 1 ? '' : 's'}${
    c.budgets.length > 0 ? `, ${failedBudgets} of ${c.budgets.length} budgets failed` : ''
  }`;
  if (c.passed) out.push(colors.green(colors.bold(`PASSED: ${summary}`)));
  else out.push(colors.red(colors.bold(`FAILED: ${summary}`)), ...failureLines(c).map((line) => `  ${colors.red('✗')} ${line}`));
  return out.join('\n');
}

/** A metric comparison in one line, naming the subject, the change, its interval and the test. */
export function describeMetric(m: MetricComparison): string {
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${plainFixed(x * 100, 1)}%`;
  const digits = absoluteChangeDigits(m.metric);
  const fmt = digits !== undefined ? (x: number) => `${x >= 0 ? '+' : ''}${plainFixed(x, digits)}` : pct;
  const ci = m.changeCi && m.changeCi.low !== null && m.changeCi.high !== null ? `, ${Math.round(m.changeCi.level * 100)}% CI ${fmt(m.changeCi.low)} to ${fmt(m.changeCi.high)}` : '';
  const p = m.pValue !== null ? `, p=${pValueText(m.pValue)}` : '';
  const threshold = digits !== undefined ? plainFixed(m.threshold, 3) : `${plainFixed(m.threshold * 100, 0)}%`;
  const number = (x: number) => plainNumber(x, (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString()), 3);
  const value = (x: number) => (m.metric === 'wallMs' ? `${number(x)} ms` : m.metric === 'peakRssBytes' ? `${number(x / 2 ** 20)} MiB` : number(x));
  return `${m.verdict} ${m.metric} of ${m.subject}: ${fmt(m.change)} (${value(m.baseline)} -> ${value(m.current)}${ci}; ${m.test}${p}; threshold ${threshold})${m.gated ? '' : ' [not gated]'}${m.note ? `; ${m.note}` : ''}`;
}
