/**
 * `history check`: does the newest work make things worse? A series fails when its last segment (the
 * level its newest runs sit at) began at a change point that is worse for the metric by at least the
 * minimum step, and that change point is new: it was not found before the newest commit's runs were
 * added (it starts within them, or the history before them did not show it). So a regression fails the
 * check on the commit that first reveals it, however many runs detection needed, and stays failing for
 * every retry of that commit (each retry adds a run of the same commit), but a later commit is not
 * blamed for a change the history already showed.
 */
import type { HistoryAnalysis, SeriesTrend, TrendChangePoint } from './trend.js';
import { seriesChangePoints } from './trend.js';

/** What reports show of a history: its trends, what the check found, and where commits link to. */
export interface HistoryView {
  analysis: HistoryAnalysis;
  outcome: CheckOutcome;
  /** Prefix that a commit hash completes into a link (e.g. https://github.com/o/r/commit/); none: no links. */
  commitUrl?: string;
}

/** Location jitter allowed when matching a change point with one found on fewer runs. */
const SAME_PLACE = 2;

export interface CheckFinding {
  trend: SeriesTrend;
  changePoint: TrendChangePoint;
  /** Commit of the newest run of the series. */
  newestCommit: string;
  /** Runs of that commit at the end of the series (the newest block). */
  newestRuns: number;
  /** Runs since the change point, newest included. */
  runsSince: number;
}

export interface CheckOutcome {
  /** New change points for the worse: these fail the check. */
  failures: CheckFinding[];
  /** New change points for the better (reported, never failing). */
  improvements: CheckFinding[];
  /** Series whose newest level is worse but was already known before the newest commit (reported, not failed). */
  known: CheckFinding[];
  analysed: number;
  tooFewRuns: number;
}

function newestBlockStart(trend: SeriesTrend): number {
  const points = trend.series.points;
  const commit = points[points.length - 1]!.commit;
  let start = points.length - 1;
  while (start > 0 && points[start - 1]!.commit === commit) start -= 1;
  return start;
}

export function checkHistory(analysis: HistoryAnalysis): CheckOutcome {
  const failures: CheckFinding[] = [];
  const improvements: CheckFinding[] = [];
  const known: CheckFinding[] = [];
  let analysed = 0;
  let tooFewRuns = 0;
  for (const trend of analysis.trends) {
    if (trend.status === 'too-few-runs') {
      tooFewRuns += 1;
      continue;
    }
    analysed += 1;
    const last = trend.changePoints.at(-1);
    if (!last) continue;
    const points = trend.series.points;
    const blockStart = newestBlockStart(trend);
    const finding: CheckFinding = {
      trend,
      changePoint: last,
      newestCommit: points[points.length - 1]!.commit,
      newestRuns: points.length - blockStart,
      runsSince: points.length - last.index,
    };
    let isNew = last.index >= blockStart || blockStart < analysis.fewestRuns;
    if (!isNew) {
      const before = seriesChangePoints(trend.series, analysis.options, blockStart);
      isNew = !before.some((cp) => cp.direction === last.direction && Math.abs(cp.index - last.index) <= SAME_PLACE);
    }
    if (!isNew) {
      if (last.direction === 'worse') known.push(finding);
    } else (last.direction === 'worse' ? failures : improvements).push(finding);
  }
  return { failures, improvements, known, analysed, tooFewRuns };
}
