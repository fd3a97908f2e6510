/**
 * summary.md: a GitHub job summary / PR comment, in the words of ./text.ts. It leads with the same
 * Findings as the terminal, then the comparison, the cells (one row per model × size), the laws in
 * words (folded) and the warnings grouped by kind; under 200 lines for the default sweep.
 */
import type { Analysis, AnalysisWarning } from '../analyse/schema.js';
import type { Artifact, ReportInput } from './types.js';
import type { BudgetResult, Comparison, MetricComparison, Verdict } from '../gate/schema.js';
import {
  describeBackend,
  describeMachine,
  finite,
  describeMachineSpeed,
  fmtChange,
  fmtChangeCi,
  fmtCount,
  fmtFixed,
  fmtMetricValue,
  fmtNumber,
  lawSentences,
  mdEscape,
  runLabels,
  VERDICT_MARK,
} from './text.js';
import { buildFindings, type Findings, type Tone } from './findings/index.js';
import { cellPivot, PIVOT_NOTE, pivotTitle, type PivotCell } from './pivot.js';
import { groupWarnings } from './warnings.js';
import { overlayLine, overlayViews, ratioText } from './overlay.js';
import { renderHistorySection } from './history-markdown.js';
import { qualityFindings } from './quality-text.js';
function mdTable(header: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const TONE_MARK: Record<Tone, string> = { bad: '🔴', warn: '🟡', info: 'ℹ️', good: '🟢' };

/** The Findings: the same table and sentences as the terminal, first in the job summary. */
export function findingsMarkdown(findings: Findings, heading: string): string {
  const lines = [`### ${heading}`, ''];
  for (const label of findings.labels) lines.push(`> ⚠️ **${mdEscape(label)}**`, '');
  if (findings.rows.length > 0) {
    const text = new Set(['model', 'data', 'mode']);
    lines.push(
      mdTable(
        findings.columns.map((c) => mdEscape(c.title)),
        findings.rows.map((row) => row.map(mdEscape)),
        findings.columns.map((c) => (text.has(c.id) ? 'l' : 'r')),
      ),
    );
  } else {
    lines.push('_No cells were analysed._');
  }
  if (findings.sentences.length > 0) lines.push('', ...findings.sentences.map((s) => `- ${TONE_MARK[s.tone]} ${mdEscape(s.text)}`));
  return lines.join('\n');
}

/** Every cell: rows model × size, one column per width (the full per-cell metrics are in cells.csv). */
function pivotMarkdown(a: Analysis): string {
  const pivot = cellPivot(a);
  const mark = (c: PivotCell) => (c.state === 'failed' || c.state === 'partial' ? `⚠️ ${c.text}` : c.text);
  const rows = pivot.rows.map((r) => [mdEscape(r.label), fmtCount(r.size), ...r.cells.map(mark)]);
  const table = mdTable(pivot.header, rows, ['l', ...pivot.header.slice(1).map(() => 'r' as const)]);
  const title = pivotTitle(pivot);
  return `${title[0]!.toUpperCase()}${title.slice(1)} (${PIVOT_NOTE}; every metric of every cell is in cells.csv).\n\n${table}`;
}

/**
 * The laws in words: time at every width, memory at the narrowest (it barely depends on width), speedup
 * per size, time per sample per model size. Folded, and capped so the summary stays short.
 */
function lawsSection(a: Analysis): { count: number; body: string } {
  const narrowest = new Map<string, number>();
  for (const s of a.sizeScaling) {
    const key = `${s.model}|${s.dataset}|${s.mode}`;
    narrowest.set(key, Math.min(narrowest.get(key) ?? Infinity, s.workers));
  }
  const keep = new Set(a.sizeScaling.filter((s) => s.metric === 'wallMs' || s.workers === narrowest.get(`${s.model}|${s.dataset}|${s.mode}`)));
  const laws = lawSentences({ ...a, sizeScaling: a.sizeScaling.filter((s) => keep.has(s)) });
  if (laws.length === 0) return { count: 0, body: '_No laws could be fitted: measure at least 2 sizes or 2 widths._' };
  const lines = laws.slice(0, MAX_LAW_LINES).map((l) => {
    const subject = [l.model === null ? null : `**${mdEscape(l.model)}**`, l.context ? mdEscape(l.context) : null].filter((s) => s !== null).join(' · ');
    return `- ${subject}: ${mdEscape(l.text)}`;
  });
  if (laws.length > MAX_LAW_LINES) lines.push(`- …and ${laws.length - MAX_LAW_LINES} more in analysis.json and report.html.`);
  return { count: laws.length, body: lines.join('\n') };
}

/** Lines of fitted laws shown before the rest are counted (the summary must stay well under 200 lines). */
const MAX_LAW_LINES = 80;

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

function warningLine(w: AnalysisWarning, runLabel: string | null): string {
  const run = runLabel === null ? '' : `[${mdEscape(runLabel)}] `;
  const subject = w.subject ? ` (${mdEscape(w.subject)})` : '';
  return `- ⚠️ ${run}**${w.code}**${subject}: ${mdEscape(w.message)}`;
}

/** One line per kind with its count and fix, then every warning folded. */
function warningsSection(warnings: ReadonlyArray<{ w: AnalysisWarning; label: string | null }>): string {
  const groups = groupWarnings(warnings.map((x) => x.w));
  const lines = groups.map((g) => `- ⚠️ **${g.code}** (${g.count}): ${mdEscape(g.summary)}${g.fix ? `; fix: ${mdEscape(g.fix)}` : ''}`);
  const listed = warnings.slice(0, MAX_WARNING_LINES).map(({ w, label }) => warningLine(w, label));
  if (warnings.length > MAX_WARNING_LINES) listed.push(`- …and ${warnings.length - MAX_WARNING_LINES} more in analysis.json and report.html.`);
  lines.push('', details(`All ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`, listed.join('\n')));
  return lines.join('\n');
}

/** Overlays: the geometric mean and the cells that changed, per later run against the first. */
function overlaySection(input: ReportInput): string {
  const views = overlayViews({ ...input, comparison: undefined });
  return views
    .map((view) => {
      const changed = view.cells.filter((c) => c.verdict !== 'unchanged');
      const head = `- ${mdEscape(overlayLine(view))}`;
      if (changed.length === 0) return head;
      const rows = changed.slice(0, MAX_OVERLAY_ROWS).map((c) => [VERDICT_MARK[c.verdict], mdEscape(c.model), fmtCount(c.size), String(c.workers), ratioText(c)]);
      const more = changed.length > MAX_OVERLAY_ROWS ? `\n\n…and ${changed.length - MAX_OVERLAY_ROWS} more in report.html.` : '';
      return `${head}\n\n${details(`${changed.length} changed cell${changed.length === 1 ? '' : 's'}`, mdTable(['verdict', 'model', 'n', 'w', 'time ratio [95% CI]'], rows, ['l', 'l', 'r', 'r', 'r']) + more)}`;
    })
    .join('\n\n');
}

const MAX_OVERLAY_ROWS = 40;
/** Warnings listed one by one (folded) before the rest are counted. */
const MAX_WARNING_LINES = 50;

function comparisonTable(metrics: readonly MetricComparison[]): string {
  // The note column (machine speed, the confirm step's re-run, no interval) only when some row has one.
  const notes = metrics.some((m) => m.note);
  return mdTable(
    ['verdict', 'metric', 'subject', 'baseline', 'current', 'change', 'CI of change', 'test', 'gated', ...(notes ? ['note'] : [])],
    metrics.map((m) => [
      VERDICT_MARK[m.verdict],
      mdEscape(m.metric),
      mdEscape(m.subject),
      fmtMetricValue(m.metric, m.baseline),
      fmtMetricValue(m.metric, m.current),
      fmtChange(m),
      fmtChangeCi(m),
      `${mdEscape(m.test)}${finite(m.pValue) ? `, p=${fmtNumber(m.pValue, 2)}` : ''}`,
      m.gated ? 'yes' : 'no',
      ...(notes ? [mdEscape(m.note ?? '')] : []),
    ]),
    ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l', 'l', ...(notes ? (['l'] as const) : [])],
  );
}

function comparisonSection(c: Comparison): string {
  const lines: string[] = [];
  const status = c.passed ? '✅ passed' : '❌ failed';
  lines.push(
    `**${status}**: ${c.regressions} regression${c.regressions === 1 ? '' : 's'}, ${c.improvements} improvement${c.improvements === 1 ? '' : 's'}; ` +
      `baseline ${mdEscape(c.baselineRunId)} vs current ${mdEscape(c.currentRunId)} ` +
      `(${c.gateMode === 'raw' ? 'raw gate: times and memory gated' : 'shape gate: only fitted laws and quality gated'}${c.sameMachine ? ', same machine' : ', different machines'}).`,
  );
  if (finite(c.geometricMeanRatio)) {
    lines.push('', `Geometric mean of wall-time ratios (current / baseline): ${fmtFixed(c.geometricMeanRatio, 3)}x.`);
  }
  if (c.metrics.length > 0) {
    const order: Record<Verdict, number> = { regressed: 0, improved: 1, inconclusive: 2, unchanged: 3 };
    const sorted = [...c.metrics].sort((p, q) => order[p.verdict] - order[q.verdict]);
    const changed = sorted.filter((m) => m.verdict !== 'unchanged');
    const unchanged = sorted.filter((m) => m.verdict === 'unchanged');
    if (changed.length > 0) lines.push('', comparisonTable(changed));
    // A quick sweep compares about 200 metrics; folded, the unchanged ones keep a PR comment readable.
    if (unchanged.length > 0) {
      lines.push('', `<details><summary>${unchanged.length} unchanged comparison${unchanged.length === 1 ? '' : 's'}</summary>`, '', comparisonTable(unchanged), '', '</details>');
    }
  }
  if (c.budgets.length > 0) {
    lines.push('', '**Budgets**', '');
    for (const b of c.budgets) lines.push(`- ${budgetMark(b)} \`${b.expression.replace(/`/g, "'")}\`: ${mdEscape(b.message)}`);
  }
  if (c.warnings.length > 0) {
    lines.push('');
    for (const w of c.warnings) lines.push(`- ⚠️ ${mdEscape(w)}`);
  }
  return lines.join('\n');
}

export function renderMarkdown(input: ReportInput): string {
  const labels = runLabels(input.runs);
  const primary = input.runs[0];
  if (!primary) return '## scale-bench report\n\n_No runs to report._\n';
  const multi = input.runs.length > 1;
  const out: string[] = [];
  const title = multi ? `${input.runs.length} runs` : primary.analysis.runId;
  out.push(`## scale-bench report: ${mdEscape(title)}`, '');
  input.runs.forEach((run, i) => {
    const env = run.analysis.environment;
    const prefix = multi ? `**${mdEscape(labels[i]!)}**: ` : '';
    const commit = env.gitCommit ? `, commit ${mdEscape(env.gitCommit)}` : '';
    const state = run.result.complete ? '' : ' (incomplete run)';
    out.push(`- ${prefix}**Machine**: ${mdEscape(describeMachine(env))} · **Backend**: ${mdEscape(describeBackend(env))}${commit}${state}`);
    if (run.analysis.machineSpeed) out.push(`- ${prefix}**Machine speed**: ${mdEscape(describeMachineSpeed(run.analysis.machineSpeed))}`);
  });
  input.runs.forEach((run, i) => {
    const findings = buildFindings({ ...run, ...(i === 0 && input.comparison ? { comparison: input.comparison } : {}) });
    out.push('', findingsMarkdown(findings, `Findings${multi ? `: ${mdEscape(labels[i]!)}` : ''}`));
  });
  if (input.comparison) out.push('', '### Comparison', '', comparisonSection(input.comparison));
  if (input.overlays && input.overlays.length > 0) out.push('', '### Side by side (current / baseline)', '', overlaySection(input));
  if (input.history) out.push('', renderHistorySection(input.history).trimEnd());
  input.runs.forEach((run, i) => {
    const findings = qualityFindings(run.analysis);
    if (findings.length === 0) return;
    out.push('', `### Quality${multi ? `: ${mdEscape(labels[i]!)}` : ''}`, '', ...findings.map((f) => `- **${mdEscape(f.subject)}**: ${mdEscape(f.text)}`));
  });
  input.runs.forEach((run, i) => {
    out.push('', `### Cells${multi ? `: ${mdEscape(labels[i]!)}` : ''}`, '', pivotMarkdown(run.analysis));
  });
  input.runs.forEach((run, i) => {
    const a = run.analysis;
    const laws = lawsSection(a);
    const flags = a.qualityFlags.map(
      (f) =>
        `- ⚖️ ${mdEscape(f.cellId)} is ${fmtFixed(f.speedup, 1)}x faster than ${mdEscape(f.referenceCellId)} ` +
        `but reaches ${f.metric === 'r2' ? 'R²' : 'accuracy'} ${fmtFixed(f.value, 3)} vs ${fmtFixed(f.referenceValue, 3)}`,
    );
    const body = laws.body + (flags.length > 0 ? `\n\n${flags.join('\n')}` : '');
    out.push('', `### Scaling laws${multi ? `: ${mdEscape(labels[i]!)}` : ''}`, '', details(`${laws.count} fitted law${laws.count === 1 ? '' : 's'} in words`, body));
  });
  const warnings = input.runs.flatMap((r, i) => r.analysis.warnings.map((w) => ({ w, label: multi ? labels[i]! : null })));
  if (warnings.length > 0) out.push('', '### Warnings', '', warningsSection(warnings));
  out.push('');
  return out.join('\n');
}

export const markdown = {
  description: 'summary.md: the Findings, comparison verdicts, the cells by width, the laws in words and grouped warnings (GitHub job summary / PR comment)',
  render(input: ReportInput): Artifact[] {
    return [{ path: 'summary.md', mediaType: 'text/markdown; charset=utf-8', bytes: new TextEncoder().encode(renderMarkdown(input)) }];
  },
};

/** The budgets as a Markdown section, for a job summary without a baseline comparison. */
export function renderBudgetsMarkdown(budgets: readonly BudgetResult[]): string {
  const failed = budgets.filter((b) => !b.passed).length;
  const lines = [`### Budgets`, '', `**${failed === 0 ? '✅ passed' : '❌ failed'}**: ${budgets.length - failed} of ${budgets.length} budgets hold.`, ''];
  for (const b of budgets) lines.push(`- ${budgetMark(b)} \`${b.expression.replace(/`/g, "'")}\`: ${mdEscape(b.message)}`);
  return `${lines.join('\n')}\n`;
}

function budgetMark(b: BudgetResult): string {
  return b.verdict === 'inconclusive' ? '🟡' : b.passed ? '✅' : '❌';
}
