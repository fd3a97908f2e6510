/**
 * The wording of history trends, shared by the terminal (`history show`, `history check`), Markdown
 * (job summary) and the HTML trend view, so each says the same about a change point: which metric of
 * what, where (branch, machine), at which commit, by how much with its interval, and how sure.
 */
import type { HistoryAnalysis, SeriesTrend, TrendChangePoint } from '../history/trend.js';
import type { CheckFinding, CheckOutcome } from '../history/check.js';
import { METRIC_INFO, type HistoryMetric, type Series } from '../history/series.js';
import { NA, finite, fmtBytes, fmtFixed, fmtMs, fmtNumber, fmtPercent } from './text.js';

/** A value of a history metric in its unit. */
export function fmtHistoryValue(metric: HistoryMetric, value: number): string {
  switch (metric) {
    case 'wallMs':
    case 'latencyP99':
      return fmtMs(value);
    case 'memory':
      return fmtBytes(value);
    case 'efficiency':
      return fmtPercent(value, 1);
    case 'quality':
      return fmtFixed(value, 3);
    case 'throughput':
      return `${fmtNumber(value)}/s`;
    default:
      return fmtNumber(value);
  }
}

function signed(text: string, value: number): string {
  return `${value >= 0 ? '+' : ''}${text}`;
}

/** A step in the metric's scale: "+12.3%" (relative) or "-0.061" (quality, in accuracy / R² points). */
export function fmtStep(metric: HistoryMetric, step: number | null): string {
  if (!finite(step)) return NA;
  return METRIC_INFO[metric].scale === 'absolute' ? signed(fmtFixed(step, 3), step) : signed(`${fmtFixed(step * 100, 1)}%`, step);
}

/** "+12.3% (95% CI +8.1% … +16.0%)": the step with the bootstrap interval of its ratio of medians, when there is one. */
export function fmtStepWithCi(metric: HistoryMetric, cp: Pick<TrendChangePoint, 'step' | 'ratio'>): string {
  const ratio = cp.ratio;
  if (!ratio || !finite(ratio.low) || !finite(ratio.high)) return fmtStep(metric, cp.step);
  return `${fmtStep(metric, cp.step)} (${fmtFixed(ratio.level * 100, 0)}% CI ${fmtStep(metric, ratio.low - 1)} … ${fmtStep(metric, ratio.high - 1)})`;
}

export function shortCommit(commit: string): string {
  return /^[0-9a-f]{12,}$/i.test(commit) ? commit.slice(0, 10) : commit;
}

/** "wallMs of <subject>": what the series measures. */
export function seriesTitle(series: Pick<Series, 'metric' | 'subject'>): string {
  return `${series.metric} of ${series.subject}`;
}

/** "branch main, machine 3f9a1c2b4d5e (wasm)" or "branch main, all machines". */
export function seriesWhere(series: Pick<Series, 'branch' | 'machine' | 'backend' | 'runner'>): string {
  const machine = series.machine ? `machine ${series.machine} (${series.backend ?? '?'})` : 'all machines';
  return `branch ${series.branch}, ${machine}${series.runner === 'fake' ? ', fake runner' : ''}`;
}

/** One sentence about a change point, without the series name. */
export function describeChangePoint(series: Series, cp: TrendChangePoint): string {
  const runs = `${cp.beforeCount} run${cp.beforeCount === 1 ? '' : 's'} before, ${cp.afterCount} after`;
  return (
    `${cp.direction} by ${fmtStepWithCi(series.metric, cp)}: ${fmtHistoryValue(series.metric, cp.before)} -> ${fmtHistoryValue(series.metric, cp.after)} ` +
    `(medians) from commit ${shortCommit(cp.commit)} (${cp.date.slice(0, 10)}, run ${cp.runId}); permutation p = ${fmtNumber(cp.pValue, 2)}, ${runs}`
  );
}

const BARS = '▁▂▃▄▅▆▇█';

/** The series as a one-line sparkline, oldest run first, scaled from its minimum to its maximum (the newest 60 runs). */
export function sparkline(values: readonly number[]): string {
  const shown = values.slice(-60);
  const low = Math.min(...shown);
  const high = Math.max(...shown);
  return shown.map((v) => BARS[high > low ? Math.round(((v - low) / (high - low)) * (BARS.length - 1)) : 0]).join('');
}

function settings(analysis: HistoryAnalysis): string {
  return `E-Divisive means, permutation test at p <= ${analysis.options.alpha}, minimum step ${fmtPercent(analysis.options.minStep, 0)} (quality: ${fmtFixed(analysis.options.minStep, 2)} points)`;
}

function notTested(analysis: HistoryAnalysis, count: number): string {
  return count === 0
    ? ''
    : `inconclusive for ${count} series: fewer than ${analysis.fewestRuns} runs, and no change point among fewer can reach p <= ${analysis.options.alpha} (add runs, or test at a looser --alpha)`;
}

export interface HistorySummaryCounts {
  records: number;
  runs: number;
  files: number;
  duplicates: number;
}

/** `history show`: each series with change points (newest change first), then what was quiet or untested. */
export function renderHistoryShow(analysis: HistoryAnalysis, counts: HistorySummaryCounts): string {
  const lines = [
    `history: ${counts.records} records of ${counts.runs} runs in ${counts.files} file${counts.files === 1 ? '' : 's'}; ${analysis.trends.length} series (${settings(analysis)})`,
  ];
  if (counts.duplicates > 0) lines.push(`note: ${counts.duplicates} duplicate record${counts.duplicates === 1 ? '' : 's'} (the same run added twice, or concatenated files) counted once`);
  const changed = analysis.trends.filter((t) => t.changePoints.length > 0);
  const newest = (t: SeriesTrend) => Math.max(...t.changePoints.map((cp) => Date.parse(cp.date)));
  changed.sort((a, b) => newest(b) - newest(a));
  if (changed.length > 0) lines.push('', `change points in ${changed.length} series:`);
  for (const trend of changed) {
    const s = trend.series;
    const latest = s.points[s.points.length - 1]!;
    const values = s.points.map((p) => p.value);
    lines.push(`  ${seriesTitle(s)}  [${seriesWhere(s)}; ${s.points.length} runs, latest ${fmtHistoryValue(s.metric, latest.value)}]`);
    lines.push(`    ${sparkline(values)}  ${fmtHistoryValue(s.metric, Math.min(...values.slice(-60)))} .. ${fmtHistoryValue(s.metric, Math.max(...values.slice(-60)))}`);
    for (const cp of [...trend.changePoints].reverse()) lines.push(`    ${describeChangePoint(s, cp)}`);
  }
  const quiet = analysis.trends.filter((t) => t.status === 'analysed' && t.changePoints.length === 0).length;
  const untested = analysis.trends.filter((t) => t.status === 'too-few-runs').length;
  if (quiet > 0) lines.push('', `no change point in ${quiet} series${changed.length === 0 ? ' (none in any tested series)' : ''}`);
  const inconclusive = notTested(analysis, untested);
  if (inconclusive) lines.push(...(quiet > 0 ? [] : ['']), inconclusive);
  return `${lines.join('\n')}\n`;
}

function findingLine(finding: CheckFinding): string {
  const s = finding.trend.series;
  return `${seriesTitle(s)} [${seriesWhere(s)}]: ${describeChangePoint(s, finding.changePoint)}`;
}

/** `history check`: the verdict, what fails it, and what was already known. */
export function renderHistoryCheck(outcome: CheckOutcome, analysis: HistoryAnalysis): string {
  const lines: string[] = [];
  if (outcome.failures.length > 0) {
    lines.push(`FAILED: ${outcome.failures.length} series moved to a new, worse level (${settings(analysis)}):`);
    for (const finding of outcome.failures) lines.push(`  ${findingLine(finding)}`);
  } else {
    lines.push(`PASSED: no new change point for the worse in ${outcome.analysed} tested series (${settings(analysis)})`);
  }
  if (outcome.known.length > 0) {
    lines.push(`already known before the newest commit (not failing): ${outcome.known.length} series`);
    for (const finding of outcome.known.slice(0, 5)) lines.push(`  ${findingLine(finding)}`);
    if (outcome.known.length > 5) lines.push(`  and ${outcome.known.length - 5} more (see history show)`);
  }
  const inconclusive = notTested(analysis, outcome.tooFewRuns);
  if (inconclusive) lines.push(inconclusive);
  return `${lines.join('\n')}\n`;
}
