/**
 * The history in a GitHub job summary: the check's verdict and the new change points (worse first),
 * each with its series, step, interval, p-value and commit (a link when the commit URL is known).
 */
import type { CheckFinding, CheckOutcome, HistoryView } from '../history/check.js';
import type { HistoryAnalysis } from '../history/trend.js';
import { fmtFixed, fmtPercent, mdEscape } from './text.js';
import { describeChangePoint, seriesTitle, seriesWhere, shortCommit, type HistorySummaryCounts } from './history-text.js';

/** Most change points listed; the rest are counted (job summaries are capped at 1 MiB, PR comments at 64 KiB). */
const MAX_LISTED = 20;

function commitRef(commit: string, commitUrl: string | undefined): string {
  const short = mdEscape(shortCommit(commit));
  return commitUrl && /^[0-9a-f]{7,40}$/i.test(commit) ? `[\`${short}\`](${commitUrl}${commit})` : `\`${short}\``;
}

function findingItem(finding: CheckFinding, mark: string, commitUrl: string | undefined): string {
  const s = finding.trend.series;
  return `- ${mark} **${mdEscape(seriesTitle(s))}** (${mdEscape(seriesWhere(s))}) at ${commitRef(finding.changePoint.commit, commitUrl)}: ${mdEscape(describeChangePoint(s, finding.changePoint))}`;
}

/** The "History" section: new change points of the newest runs, for summary.md and $GITHUB_STEP_SUMMARY. */
export function renderHistorySection(view: HistoryView, counts?: HistorySummaryCounts): string {
  const { analysis, outcome, commitUrl } = view;
  const out = ['### History: change points', ''];
  const scope = counts ? `${counts.runs} runs, ` : '';
  out.push(
    `${scope}${analysis.trends.length} series; E-Divisive means, permutation p ≤ ${analysis.options.alpha}, minimum step ${fmtPercent(analysis.options.minStep)} (quality ${fmtFixed(analysis.options.minStep, 2)} points).`,
    '',
  );
  const items = [
    ...outcome.failures.map((f) => findingItem(f, '🔴 new, worse:', commitUrl)),
    ...outcome.improvements.map((f) => findingItem(f, '🟢 new, better:', commitUrl)),
  ];
  if (items.length === 0) out.push(`No new change point in ${outcome.analysed} tested series.`);
  else {
    out.push(...items.slice(0, MAX_LISTED));
    if (items.length > MAX_LISTED) out.push(`- …and ${items.length - MAX_LISTED} more (run \`scale-bench history show\`).`);
  }
  if (outcome.known.length > 0) out.push('', `${outcome.known.length} series stay at a worse level found before the newest commit (see \`scale-bench history show\`).`);
  if (outcome.tooFewRuns > 0) out.push('', `Inconclusive for ${outcome.tooFewRuns} series: fewer than ${analysis.fewestRuns} runs, too few for any change point to reach p ≤ ${analysis.options.alpha}.`);
  return `${out.join('\n')}\n`;
}

/** `history check`'s job summary. */
export function renderHistoryMarkdown(analysis: HistoryAnalysis, outcome: CheckOutcome, counts: HistorySummaryCounts, commitUrl?: string): string {
  const verdict = outcome.failures.length > 0 ? `## scale-bench history check: failed (${outcome.failures.length} new regression${outcome.failures.length === 1 ? '' : 's'})` : '## scale-bench history check: passed';
  return `${verdict}\n\n${renderHistorySection({ analysis, outcome, ...(commitUrl ? { commitUrl } : {}) }, counts)}`;
}
