/**
 * The CI gate on the command line: `scale-bench compare <baseline> <current>` and the gate flags of
 * `scale-bench run` (--baseline, --save-baseline, --assert, --threshold, --alpha, --gate, --gate-config).
 * Everything that can be wrong with the gate's inputs (a malformed budget, a missing baseline) is found
 * before a run measures anything. Output: a terminal table, JSON, and Markdown appended to
 * $GITHUB_STEP_SUMMARY when it is set.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { z } from 'zod';
import type { Analysis } from '../analyse/schema.js';
import type { BudgetResult, Comparison } from '../gate/schema.js';
import type { ReportInput } from '../report/types.js';
import type { RunResult } from '../results/schema.js';
import { compare, DEFAULT_THRESHOLDS, type CompareOptions, type GateChoice, type ThresholdName, type Thresholds } from '../gate/compare.js';
import { evaluateBudgets, parseBudget, parseBudgets, type Budget } from '../gate/budgets.js';
import { baselinePath, loadBaseline, saveBaseline } from '../gate/baselines.js';
import { analyse } from '../analyse/index.js';
import { InputError, UsageError, errorMessage } from '../config/errors.js';
import { parseNumber } from '../config/parse.js';
import { appendFileText, writeArtifacts } from '../results/write.js';
import { renderMarkdown, mdEscape } from '../report/markdown.js';
import { ANALYSIS_SCHEMA_VERSION, toJson, type ComparisonFile } from '../report/json.js';
import { failureLines, renderBudgets, renderComparisonTable } from '../report/comparison-table.js';
import { colorEnabled, type OutputStreams } from './output.js';

export const EXIT_PASSED = 0;
export const EXIT_GATE_FAILED = 1;

/** Gate flags as commander delivers them (already parsed by the option parsers below). */
export interface GateCliOptions {
  /** --baseline: a baseline name (under <out>/baselines/) or a results.json path. */
  baseline?: string;
  /** --save-baseline: name or path to store this run's results as a baseline. */
  saveBaseline?: string;
  assert?: Budget[];
  threshold?: Partial<Thresholds>;
  alpha?: number;
  gate?: GateChoice;
  /** --gate-config: JSON file with assert / threshold / alpha / gate. */
  gateConfig?: string;
}

// ---------------------------------------------------------------------------
// Flag parsing
// ---------------------------------------------------------------------------

const THRESHOLD_KEYS: Record<string, ThresholdName> = {
  wallMs: 'wallMs',
  time: 'wallMs',
  rss: 'peakRssBytes',
  memory: 'peakRssBytes',
  peakRssBytes: 'peakRssBytes',
  quality: 'quality',
  exponent: 'exponent',
  efficiency: 'efficiency',
  uslPeak: 'uslPeak',
  'usl.peak': 'uslPeak',
};

const THRESHOLD_HELP = 'e.g. --threshold 5% (times and memory) or --threshold wallMs=5%,rss=20%,quality=0.01,exponent=10%,efficiency=10%,uslPeak=25%';

function thresholdValue(text: string, key: ThresholdName, source: string): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const value = Number(percent ? trimmed.slice(0, -1) : trimmed) / (percent ? 100 : 1);
  const max = key === 'quality' ? 1 : 10;
  if (trimmed === '' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new UsageError(`${source}: "${text}" is not a threshold for ${key}; give a fraction or a percentage from 0 to ${max * 100}% (${THRESHOLD_HELP}).`);
  }
  if (!percent && key !== 'quality' && value > 1) {
    throw new UsageError(`${source}: "${text}" would be a ${value * 100}% noise band; write ${text}% for ${text} percent, or a fraction such as 0.1.`);
  }
  return value;
}

/** "10%" (times and memory) or "wallMs=5%,quality=0.01"; merged into `previous` (the flag may repeat). */
export function parseThresholds(text: string, previous: Partial<Thresholds> = {}, source = '--threshold'): Partial<Thresholds> {
  const out: Partial<Thresholds> = { ...previous };
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      out.wallMs = thresholdValue(part, 'wallMs', source);
      out.peakRssBytes = out.wallMs;
      continue;
    }
    const name = part.slice(0, eq).trim();
    const key = THRESHOLD_KEYS[name];
    if (!key) throw new UsageError(`${source}: unknown metric "${name}"; choose from ${Object.keys(THRESHOLD_KEYS).join(', ')} (${THRESHOLD_HELP}).`);
    out[key] = thresholdValue(part.slice(eq + 1), key, source);
  }
  return out;
}

const GATE_CHOICES: readonly GateChoice[] = ['auto', 'raw', 'shape'];

function gateOptionList(): Option[] {
  return [
    new Option('--assert <budget>', 'fail (exit 1) unless the budget holds, e.g. "mlp-deep.exponent<=1.1" or "efficiency@2>=0.8"; repeatable').argParser(
      (text: string, previous: Budget[] | undefined) => [...(previous ?? []), parseBudget(text)],
    ),
    new Option('--threshold <spec>', 'noise band a change must exceed: 5% (times and memory; default 10%) or per metric, e.g. wallMs=5%,rss=20%,quality=0.01,exponent=10%,efficiency=10%,uslPeak=25%').argParser(
      (text: string, previous: Partial<Thresholds> | undefined) => parseThresholds(text, previous),
    ),
    new Option('--alpha <p>', 'significance level of the two-sample test (default 0.05)').argParser((text) => parseNumber(text, '--alpha', 0, 0.5, true)),
    new Option('--gate <mode>', 'what may fail the build: auto (raw times on the same machine, fitted laws otherwise), raw, or shape').choices(GATE_CHOICES as string[]),
    new Option('--gate-config <file>', 'JSON file with "assert" (budgets), "threshold", "alpha" and "gate"; flags add to or override it'),
  ];
}

/** Adds --baseline, --save-baseline and the gate flags to `scale-bench run`. */
export function addRunGateOptions(command: Command): Command {
  command.addOption(new Option('--baseline <name|file>', 'compare with a saved baseline (a name under <out>/baselines/, or a results.json path); exit 1 on a regression'));
  command.addOption(new Option('--save-baseline <name|file>', 'store this run as a baseline (<out>/baselines/<name>.json, or a path) when it completes'));
  for (const option of gateOptionList()) command.addOption(option);
  return command;
}

// ---------------------------------------------------------------------------
// Settings: --gate-config file + flags
// ---------------------------------------------------------------------------

/** The gate's settings as JSON: the --gate-config file, or the same keys in a run config file. */
export const gateConfigSchema = z
  .object({
    assert: z.array(z.string()).optional(),
    threshold: z.union([z.string(), z.number(), z.record(z.string(), z.union([z.string(), z.number()]))]).optional(),
    alpha: z.number().gt(0).lt(0.5).optional(),
    gate: z.enum(['auto', 'raw', 'shape']).optional(),
  })
  .strict();

export type GateConfig = z.infer<typeof gateConfigSchema>;

export interface GateSettings {
  budgets: Budget[];
  compareOptions: CompareOptions;
}

/**
 * Validated gate JSON -> parsed options; `source` (a file name) prefixes every error so the user knows
 * where the bad budget or threshold is. Exported so a run config file can carry the same keys.
 */
export function gateOptionsFromConfig(config: GateConfig, source: string): Pick<GateCliOptions, 'assert' | 'threshold' | 'alpha' | 'gate'> {
  let threshold: Partial<Thresholds> = {};
  if (typeof config.threshold === 'string' || typeof config.threshold === 'number') threshold = parseThresholds(String(config.threshold), {}, `${source}: threshold`);
  else if (config.threshold) {
    for (const [key, value] of Object.entries(config.threshold)) threshold = parseThresholds(`${key}=${value}`, threshold, `${source}: threshold`);
  }
  return {
    assert: parseBudgets(config.assert ?? [], `${source}: assert`),
    threshold,
    ...(config.alpha !== undefined ? { alpha: config.alpha } : {}),
    ...(config.gate !== undefined ? { gate: config.gate } : {}),
  };
}

async function readGateConfig(file: string): Promise<Pick<GateCliOptions, 'assert' | 'threshold' | 'alpha' | 'gate'>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? 'no such file (given to --gate-config).' : `is not valid JSON: ${errorMessage(error)}`);
  }
  const parsed = gateConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      file,
      `is not a gate config: ${issue ? `${issue.path.join('.') || '(top level)'}: ${issue.message}` : 'unexpected shape'}. Expected e.g. {"assert": ["mlp-deep.exponent<=1.1"], "threshold": {"wallMs": "5%"}, "alpha": 0.05, "gate": "auto"}.`,
    );
  }
  return gateOptionsFromConfig(parsed.data, file);
}

export async function resolveGateSettings(options: GateCliOptions): Promise<GateSettings> {
  const file = options.gateConfig ? await readGateConfig(options.gateConfig) : {};
  return {
    budgets: [...(file.assert ?? []), ...(options.assert ?? [])],
    compareOptions: {
      thresholds: { ...DEFAULT_THRESHOLDS, ...file.threshold, ...options.threshold },
      alpha: options.alpha ?? file.alpha ?? 0.05,
      gate: options.gate ?? file.gate ?? 'auto',
    },
  };
}

// ---------------------------------------------------------------------------
// Output shared by `compare` and `run`
// ---------------------------------------------------------------------------

function budgetsMarkdown(budgets: readonly BudgetResult[]): string {
  const failed = budgets.filter((b) => !b.passed).length;
  const lines = [`### Budgets`, '', `**${failed === 0 ? '✅ passed' : '❌ failed'}**: ${budgets.length - failed} of ${budgets.length} budgets hold.`, ''];
  for (const b of budgets) lines.push(`- ${b.passed ? '✅' : '❌'} \`${b.expression.replace(/`/g, "'")}\`: ${mdEscape(b.message)}`);
  return `${lines.join('\n')}\n`;
}

/** Appends to $GITHUB_STEP_SUMMARY when GitHub Actions set it; a failure to write is a warning, not a failed gate. */
async function appendStepSummary(markdown: string, streams: OutputStreams): Promise<void> {
  const path = streams.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  try {
    await appendFileText(path, `${markdown.trimEnd()}\n\n`);
  } catch (error) {
    streams.stderr.write(`scale-bench: warning: could not append to $GITHUB_STEP_SUMMARY (${path}): ${errorMessage(error)}\n`);
  }
}

function comparisonFile(comparison: Comparison): ComparisonFile {
  return { schemaVersion: ANALYSIS_SCHEMA_VERSION, comparison };
}

// ---------------------------------------------------------------------------
// scale-bench compare
// ---------------------------------------------------------------------------

export interface CompareCommandOptions extends GateCliOptions {
  /** Folder holding named baselines (<dir>/baselines/<name>.json). */
  dir: string;
  json?: boolean;
  /** Folder to write comparison.json and summary.md to. */
  out?: string;
  /** List unchanged comparisons too. */
  all?: boolean;
}

export async function compareCommand(baselineArg: string, currentArg: string, options: CompareCommandOptions, streams: OutputStreams): Promise<number> {
  const settings = await resolveGateSettings(options);
  const baseline = await loadBaseline(baselineArg, options.dir, 'baseline');
  const current = await loadBaseline(currentArg, options.dir, 'current');
  const currentAnalysis = analyse(current.result);
  const comparison = compare(baseline.result, current.result, { ...settings.compareOptions, budgets: settings.budgets, currentAnalysis });
  const markdown = renderMarkdown({ runs: [{ result: current.result, analysis: currentAnalysis }], comparison });

  if (options.out) {
    const dir = resolve(options.out);
    const encode = (text: string) => new TextEncoder().encode(text);
    const written = await writeArtifacts(dir, [
      { path: 'comparison.json', mediaType: 'application/json', bytes: encode(toJson(comparisonFile(comparison))) },
      { path: 'summary.md', mediaType: 'text/markdown; charset=utf-8', bytes: encode(markdown) },
    ]);
    if (!options.json) streams.stderr.write(`wrote ${written.join(', ')}\n`);
  }
  await appendStepSummary(markdown, streams);

  if (options.json) {
    streams.stdout.write(toJson(comparisonFile(comparison)));
    // stdout stays pure JSON; the log still says why the build failed.
    for (const line of failureLines(comparison)) streams.stderr.write(`scale-bench: ${line}\n`);
  } else {
    streams.stdout.write(`${renderComparisonTable(comparison, { color: colorEnabled(streams.stdout, streams.env), all: options.all === true })}\n`);
  }
  return comparison.passed ? EXIT_PASSED : EXIT_GATE_FAILED;
}

const COMPARE_HELP = `
The verdict per cell and per fitted law is regressed / improved / unchanged (or inconclusive).
A time or memory change counts only if it is significant (Mann-Whitney U, exact for small
samples; bootstrap CI of the ratio of medians when repetitions are too few for the test) AND its
whole confidence interval lies beyond the noise threshold. Raw times and memory are gated only
when both runs have the same machine fingerprint and backend; otherwise only the exponents,
parallel efficiency, the USL peak and quality are (--gate overrides).

Examples:
  $ scale-bench compare reports/baselines/main.json reports/<run-id>/results.json
  $ scale-bench compare main reports/<run-id>      # a baseline name and a run folder
  $ scale-bench compare a.json b.json --threshold 5% --assert "mlp-deep.exponent<=1.1" --json

Exit codes:
  0    no regression and every budget holds
  1    a gated regression or a failed budget
  2    usage or input error: a bad flag or budget, a missing or invalid file`;

/** Registers `scale-bench compare`. */
export function registerCompareCommand(program: Command, streams: OutputStreams, setExitCode: (code: number) => void): Command {
  const command = program
    .command('compare')
    .description('compare two saved runs (baseline, current): verdicts per cell and per fitted law, budgets; exit 1 on a regression')
    .argument('<baseline>', 'baseline: a results.json, a run folder, or a baseline name under <dir>/baselines/')
    .argument('<current>', 'current run: a results.json or a run folder')
    .option('--dir <dir>', 'folder holding named baselines', 'reports')
    .option('--out <dir>', 'also write comparison.json and summary.md to this folder')
    .option('--json', 'print the comparison as JSON on stdout, and nothing else there')
    .option('--all', 'list unchanged comparisons too');
  for (const option of gateOptionList()) command.addOption(option);
  command.addHelpText('after', COMPARE_HELP).action(async (baselineArg: string, currentArg: string, options: CompareCommandOptions) => {
    setExitCode(await compareCommand(baselineArg, currentArg, options, streams));
  });
  return command;
}

// ---------------------------------------------------------------------------
// scale-bench run --baseline / --save-baseline / --assert
// ---------------------------------------------------------------------------

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
    if (options.threshold || options.alpha !== undefined || options.gate) {
      streams.stderr.write('scale-bench: note: --threshold, --alpha and --gate only apply when comparing; add --baseline NAME (or use `scale-bench compare`).\n');
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
    compare(result, analysis) {
      if (!baseline) return undefined;
      return compare(baseline.result, result, { ...settings.compareOptions, budgets: settings.budgets, ...(analysis ? { currentAnalysis: analysis } : {}) });
    },
    async finish(input, comparison, outStreams, interrupted) {
      const run = input.runs[0];
      if (!run) throw new Error('run gate: no run to finish');
      const budgets = comparison ? comparison.budgets : evaluateBudgets(settings.budgets, run.analysis);
      const passed = comparison ? comparison.passed : budgets.every((b) => b.passed);
      const notes: string[] = [];
      let savedBaseline: string | null = null;
      if (options.saveBaseline !== undefined) {
        if (run.result.complete && !interrupted) savedBaseline = await saveBaseline(options.saveBaseline, outDir, run.result);
        else notes.push(`--save-baseline ${options.saveBaseline}: not saved, because the run is incomplete (interrupted or with failed cells); a baseline must cover every cell.`);
      }
      const markdown = renderMarkdown(input) + (!comparison && budgets.length > 0 ? `\n${budgetsMarkdown(budgets)}` : '');
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
