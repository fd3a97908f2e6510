/**
 * summary.md: a GitHub job summary / PR comment, in the words of ./text.ts.
 */
import type { Analysis, AnalysisWarning, CellAnalysis } from '../analyse/schema.js';
import type { Artifact, ReportInput } from './types.js';
import type { BudgetResult, Comparison, MetricComparison, Verdict } from '../gate/schema.js';
import {
  NA,
  describeBackend,
  describeMachine,
  finite,
  fmtBytes,
  describeMachineSpeed,
  fmtChange,
  fmtChangeCi,
  fmtFixed,
  fmtMetricValue,
  fmtMs,
  fmtNumber,
  fmtPercent,
  lawSentences,
  mdEscape,
  runLabels,
  VERDICT_MARK,
} from './text.js';
function mdTable(header: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** PR comments are capped at 65,536 characters; the full table is in cells.csv. */
const MAX_CELL_ROWS = 60;

function cellsTable(runs: ReportInput['runs'], labels: string[]): string {
  const multi = runs.length > 1;
  const header = [
    ...(multi ? ['run'] : []),
    'model',
    'dataset',
    'n',
    'workers',
    'mode',
    'ok',
    'median wall',
    'IQR',
    'samples/s',
    'peak RSS',
    'quality',
    'GFLOP/s',
    'MFU',
  ];
  const align: Array<'l' | 'r'> = [...(multi ? ['l' as const] : []), 'l', 'l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];
  const rows: string[][] = [];
  runs.forEach((run, i) => {
    for (const c of run.analysis.cells) rows.push([...(multi ? [mdEscape(labels[i]!)] : []), ...cellRow(c)]);
  });
  const shown = rows.slice(0, MAX_CELL_ROWS);
  const more = rows.length - shown.length;
  return mdTable(header, shown, align) + (more > 0 ? `\n\n…and ${more} more cells in cells.csv.` : '');
}

function cellRow(c: CellAnalysis): string[] {
  return [
    mdEscape(c.cell.model),
    mdEscape(c.cell.dataset),
    fmtNumber(c.cell.size, 21),
    String(c.cell.workers),
    c.cell.mode,
    `${c.okTrials}/${c.totalTrials}`,
    fmtMs(c.wallMs?.median),
    fmtMs(c.wallMs?.iqr),
    fmtNumber(c.samplesPerSec?.median),
    fmtBytes(c.peakRssBytes?.median),
    c.quality ? `${c.quality.metric === 'r2' ? 'R²' : 'acc'} ${fmtFixed(c.quality.value, 3)}` : NA,
    fmtNumber(c.gflops),
    fmtPercent(c.mfu, 1),
  ];
}

function lawsSection(a: Analysis): string {
  const laws = lawSentences(a);
  if (laws.length === 0) return '_No laws could be fitted: measure at least 2 sizes or 2 widths._';
  return laws
    .map((l) => {
      const subject = [l.model === null ? null : `**${mdEscape(l.model)}**`, l.context ? mdEscape(l.context) : null]
        .filter((s) => s !== null)
        .join(' · ');
      return `- ${subject}: ${mdEscape(l.text)}`;
    })
    .join('\n');
}

function warningLine(w: AnalysisWarning, runLabel: string | null): string {
  const run = runLabel === null ? '' : `[${mdEscape(runLabel)}] `;
  const subject = w.subject ? ` (${mdEscape(w.subject)})` : '';
  return `- ⚠️ ${run}**${w.code}**${subject}: ${mdEscape(w.message)}`;
}

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
  const out: string[] = [];
  const title = input.runs.length > 1 ? `${input.runs.length} runs` : primary.analysis.runId;
  out.push(`## scale-bench report: ${mdEscape(title)}`, '');
  input.runs.forEach((run, i) => {
    const env = run.analysis.environment;
    const prefix = input.runs.length > 1 ? `**${mdEscape(labels[i]!)}**: ` : '';
    const commit = env.gitCommit ? `, commit ${mdEscape(env.gitCommit)}` : '';
    const state = run.result.complete ? '' : ' (incomplete run)';
    out.push(`- ${prefix}**Machine**: ${mdEscape(describeMachine(env))} · **Backend**: ${mdEscape(describeBackend(env))}${commit}${state}`);
    if (run.analysis.machineSpeed) out.push(`- ${prefix}**Machine speed**: ${mdEscape(describeMachineSpeed(run.analysis.machineSpeed))}`);
  });
  if (input.comparison) out.push('', '### Comparison', '', comparisonSection(input.comparison));
  input.runs.forEach((run, i) => {
    out.push('', `### Scaling laws${input.runs.length > 1 ? `: ${mdEscape(labels[i]!)}` : ''}`, '', lawsSection(run.analysis));
    const flags = run.analysis.qualityFlags;
    if (flags.length > 0) {
      out.push('');
      for (const f of flags) {
        out.push(
          `- ⚖️ ${mdEscape(f.cellId)} is ${fmtFixed(f.speedup, 1)}x faster than ${mdEscape(f.referenceCellId)} ` +
            `but reaches ${f.metric === 'r2' ? 'R²' : 'accuracy'} ${fmtFixed(f.value, 3)} vs ${fmtFixed(f.referenceValue, 3)}`,
        );
      }
    }
  });
  out.push('', '### Cells', '', cellsTable(input.runs, labels));
  const warnings = input.runs.flatMap((r, i) => r.analysis.warnings.map((w) => ({ w, label: labels[i]! })));
  if (warnings.length > 0) {
    out.push('', '### Warnings', '');
    for (const { w, label } of warnings) out.push(warningLine(w, input.runs.length > 1 ? label : null));
  }
  out.push('');
  return out.join('\n');
}

export const markdown = {
  description: 'summary.md: fitted laws in words, a per-cell table, warnings and comparison verdicts (GitHub job summary / PR comment)',
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
