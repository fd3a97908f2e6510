/**
 * The CI gate inside `scale-bench run` (--baseline, --save-baseline, --assert): inputs checked before the
 * run measures anything, then the comparison, budgets, baseline saving and the GitHub job summary.
 */
import type { Analysis } from '../analyse/schema.js';
import type { BudgetResult, Comparison } from '../gate/schema.js';
import type { ReportInput } from '../report/types.js';
import type { RunResult } from '../results/schema.js';
import { errorMessage } from '../config/errors.js';
import { compare } from '../gate/compare.js';
import { evaluateBudgets } from '../gate/budgets.js';
import { baselinePath, loadBaseline, saveBaseline } from '../gate/baselines.js';
import { resolveGateSettings, type GateCliOptions } from '../gate/settings.js';
import { DEFAULT_RESAMPLING } from '../gate/thresholds.js';
import { appendFileText } from '../results/write.js';
import { renderBudgetsMarkdown, renderMarkdown } from '../report/markdown.js';
import { failureLines, renderBudgets, renderComparisonTable } from '../report/comparison-table.js';
import type { OutputStreams } from './output.js';
import type { ConfirmHooks } from '../measure/confirm.js';
import { confirmHooks } from './confirm.js';

/** Appends to $GITHUB_STEP_SUMMARY when GitHub Actions set it; a failure to write is a warning, not a failed gate. */
export async function appendStepSummary(markdown: string, streams: OutputStreams): Promise<void> {
  const path = streams.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  try {
    await appendFileText(path, `${markdown.trimEnd()}\n\n`);
  } catch (error) {
    streams.stderr.write(`scale-bench: warning: could not append to $GITHUB_STEP_SUMMARY (${path}): ${errorMessage(error)}\n`);
  }
}

export interface RunGateOutcome {
  comparison: Comparison | undefined;
  /** Budgets checked (also inside `comparison` when there is one). */
  budgets: BudgetResult[];
  passed: boolean;
  /** Where the run was stored as a baseline, if it was. */
  savedBaseline: string | null;
  /** Notes for stderr (e.g. why a baseline was not saved). */
  notes: string[];
}

export interface RunGate {
  /** The confirm step's hooks for the scheduler, printing through `note`: set with --baseline unless --no-confirm. */
  confirm?: (note: (line: string) => void) => ConfirmHooks;
  /** The comparison with the baseline, computed before the reports are rendered so they can include it. */
  compare(result: RunResult, analysis?: Analysis): Comparison | undefined;
  /** Budgets, baseline saving, $GITHUB_STEP_SUMMARY; prints nothing else. */
  finish(input: ReportInput, comparison: Comparison | undefined, streams: OutputStreams, interrupted: boolean): Promise<RunGateOutcome>;
}

/** Whether any gate flag was given. */
function wantsGate(options: GateCliOptions): boolean {
  return options.baseline !== undefined || options.saveBaseline !== undefined || (options.assert?.length ?? 0) > 0 || options.gateConfig !== undefined;
}

/**
 * Validates the gate's inputs before the run starts (budgets are parsed by the flag parser, the
 * baseline is read and validated here), so a typo costs seconds, not a whole sweep. Null without gate flags.
 */
export async function prepareRunGate(options: GateCliOptions, outDir: string, streams: OutputStreams): Promise<RunGate | null> {
  if (!wantsGate(options)) {
    if (options.threshold || options.alpha !== undefined || options.gate || options.normalise) {
      streams.stderr.write('scale-bench: note: --threshold, --alpha, --gate and --normalise only apply when comparing; add --baseline NAME (or use `scale-bench compare`).\n');
    }
    return null;
  }
  const settings = await resolveGateSettings(options);
  const baseline = options.baseline ? await loadBaseline(options.baseline, outDir) : null;
  if (options.saveBaseline !== undefined) {
    // Validate the name now; a bad one must not surface only after a long run.
    baselinePath(options.saveBaseline, outDir, '--save-baseline', false);
  }
  return {
    ...(baseline && settings.confirm ? { confirm: (note: (line: string) => void) => confirmHooks(baseline.result, settings.compareOptions, note) } : {}),
    compare(result, analysis) {
      if (!baseline) return undefined;
      return compare(baseline.result, result, { ...settings.compareOptions, budgets: settings.budgets, ...(analysis ? { currentAnalysis: analysis } : {}) });
    },
    async finish(input, comparison, outStreams, interrupted) {
      const run = input.runs[0];
      if (!run) throw new Error('run gate: no run to finish');
      const budgets = comparison ? comparison.budgets : evaluateBudgets(settings.budgets, run.analysis, { result: run.result, ...DEFAULT_RESAMPLING });
      const passed = comparison ? comparison.passed : budgets.every((b) => b.passed);
      const notes: string[] = [];
      let savedBaseline: string | null = null;
      if (options.saveBaseline !== undefined) {
        if (run.result.complete && !interrupted) savedBaseline = await saveBaseline(options.saveBaseline, outDir, run.result);
        else notes.push(`--save-baseline ${options.saveBaseline}: not saved, because the run is incomplete (interrupted or with failed cells); a baseline must cover every cell.`);
      }
      const markdown = renderMarkdown(input) + (!comparison && budgets.length > 0 ? `\n${renderBudgetsMarkdown(budgets)}` : '');
      await appendStepSummary(markdown, outStreams);
      return { comparison, budgets, passed, savedBaseline, notes };
    },
  };
}

/** Human-readable gate output for `run` (terminal table, or the budget list without a baseline). */
export function renderRunGate(outcome: RunGateOutcome, opts: { color: boolean }): string {
  const parts: string[] = [];
  if (outcome.comparison) parts.push(renderComparisonTable(outcome.comparison, opts));
  else if (outcome.budgets.length > 0) {
    const failed = outcome.budgets.filter((b) => !b.passed).length;
    parts.push(`budgets:\n${renderBudgets(outcome.budgets, opts)}`, failed === 0 ? `PASSED: all ${outcome.budgets.length} budgets hold` : `FAILED: ${failed} of ${outcome.budgets.length} budgets failed`);
  }
  if (outcome.savedBaseline) parts.push(`baseline saved: ${outcome.savedBaseline}`);
  return parts.join('\n');
}

/** The lines a quiet or JSON run still prints to stderr: what failed, and where the baseline went. */
export function briefRunGate(outcome: RunGateOutcome): string[] {
  const lines = failureLines({ metrics: outcome.comparison?.metrics ?? [], budgets: outcome.budgets });
  if (lines.length > 0) lines.unshift(`FAILED: ${outcome.comparison ? `${outcome.comparison.regressions} regressions, ` : ''}${outcome.budgets.filter((b) => !b.passed).length} budgets failed`);
  if (outcome.savedBaseline) lines.push(`baseline saved: ${outcome.savedBaseline}`);
  return [...lines, ...outcome.notes];
}

/** The gate's part of `run --json`. */
export function runGateJson(outcome: RunGateOutcome): Record<string, unknown> {
  return {
    ...(outcome.comparison ? { comparison: outcome.comparison } : {}),
    ...(outcome.budgets.length > 0 ? { budgets: outcome.budgets } : {}),
    gatePassed: outcome.passed,
    ...(outcome.savedBaseline ? { savedBaseline: outcome.savedBaseline } : {}),
  };
}
