/**
 * `scale-bench compare <baseline> <current>` and the gate flags it shares with `scale-bench run`
 * (--assert, --threshold, --alpha, --gate, --gate-config). Output: a terminal table, JSON, and Markdown
 * appended to $GITHUB_STEP_SUMMARY when it is set.
 */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Comparison } from '../gate/schema.js';
import { compare } from '../gate/compare.js';
import { parseBudget, type Budget } from '../gate/budgets.js';
import { loadBaseline } from '../gate/baselines.js';
import { parseThresholds, resolveGateSettings, type GateCliOptions } from '../gate/settings.js';
import type { GateChoice, Normalise, Thresholds } from '../gate/thresholds.js';
import { analyse } from '../analyse/index.js';
import { parseNumber } from '../config/parse.js';
import { writeArtifacts } from '../results/write.js';
import { renderMarkdown } from '../report/markdown.js';
import { ANALYSIS_SCHEMA_VERSION, toJson, type ComparisonFile } from '../report/json.js';
import { failureLines, renderComparisonTable } from '../report/comparison-table.js';
import { colorEnabled, type OutputStreams } from './output.js';
import { appendStepSummary } from './gate.js';

export const EXIT_PASSED = 0;
export const EXIT_GATE_FAILED = 1;

const GATE_CHOICES: readonly GateChoice[] = ['auto', 'raw', 'shape'];
const NORMALISE_CHOICES: readonly Normalise[] = ['none', 'canary'];

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
    new Option('--gate-config <file>', 'JSON file with "assert" (budgets), "threshold", "alpha", "gate", "normalise" and "confirm"; flags add to or override it'),
    new Option('--normalise <how>', 'canary: judge times divided by how much slower the machine ran each cell (its canary reading vs the baseline\'s); none (default): raw times, and a change the canary explains is inconclusive').choices(NORMALISE_CHOICES as string[]),
  ];
}

/** Adds --baseline, --save-baseline and the gate flags to `scale-bench run`. */
export function addRunGateOptions(command: Command): Command {
  command.addOption(new Option('--baseline <name|file>', 'compare with a saved baseline (a name under <out>/baselines/, or a results.json path); exit 1 on a regression'));
  command.addOption(new Option('--save-baseline <name|file>', 'store this run as a baseline (<out>/baselines/<name>.json, or a path) when it completes'));
  command.addOption(new Option('--no-confirm', 'with --baseline: fail on the first measurement instead of re-running regressed cells (with the canary) and failing only if the re-run regresses too'));
  for (const option of gateOptionList()) command.addOption(option);
  return command;
}

function comparisonFile(comparison: Comparison): ComparisonFile {
  return { schemaVersion: ANALYSIS_SCHEMA_VERSION, comparison };
}


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
whole confidence interval lies beyond the noise threshold. Exponents change by an absolute band
(default 0.1) and must leave the baseline's interval; a comparison without an interval is
inconclusive. Raw times and memory are gated only when both runs have the same machine
fingerprint and backend; otherwise only the exponents, parallel efficiency, the USL peak (6+
widths) and quality are (--gate overrides). A time verdict the machine's own slowdown explains
(the canary, read before cells) is inconclusive; regressions a run re-ran after its sweep
(run --baseline) stand only if the re-run confirms them. See docs/ci.md.

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
