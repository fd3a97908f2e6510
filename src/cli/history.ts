/**
 * `scale-bench history add|show|check|export` and `run --history <dir>`: the results store over
 * commits, its trends and change points, and the CI check on them.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Analysis } from '../analyse/schema.js';
import type { RunResult } from '../results/schema.js';
import { analyse } from '../analyse/index.js';
import { readRunResult } from '../results/file.js';
import { writeFileAtomic } from '../results/write.js';
import { UsageError } from '../config/errors.js';
import { parseInteger, parseList, parseNumber } from '../config/parse.js';
import { historyRecords, runKey, type RecordContext } from '../history/records.js';
import { appendRecords, readHistory, type HistoryContents } from '../history/store.js';
import { buildSeries, HISTORY_METRICS, historyMetricSchema, type HistoryMetric, type SeriesFilter } from '../history/series.js';
import { analyseHistory, type HistoryAnalysis, type TrendOptions } from '../history/trend.js';
import { checkHistory, type CheckOutcome, type HistoryView } from '../history/check.js';
import type { RecordKind } from '../history/schema.js';
import { renderHistoryCheck, renderHistoryShow } from '../report/history-text.js';
import { renderHistoryCsv } from '../report/history-csv.js';
import { renderHistoryMarkdown, renderHistorySection } from '../report/history-markdown.js';
import type { ReportInput } from '../report/types.js';
import { appendStepSummary } from './gate.js';
import type { OutputStreams } from './output.js';
import { confirmSuspects } from './history-confirm.js';

const EXIT_OK = 0;
const EXIT_WORSE = 1;

/** The branch being measured: CI variables first (a CI checkout is often a detached HEAD), then git. */
export function detectBranch(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  for (const name of ['GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'CI_COMMIT_REF_NAME', 'BUILDKITE_BRANCH', 'BRANCH_NAME']) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  try {
    const branch = execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim();
    return branch && branch !== 'HEAD' ? branch : undefined;
  } catch {
    return undefined;
  }
}

export interface ContextFlags {
  branch?: string;
  commit?: string;
}

/** Commit and branch of a run: flags, then the results (commit), CI variables and git, then "unknown". */
export function recordContext(result: RunResult, flags: ContextFlags, env: NodeJS.ProcessEnv, cwd: string): RecordContext {
  return {
    commit: flags.commit ?? result.environment.gitCommit ?? env.GITHUB_SHA ?? 'unknown',
    branch: flags.branch ?? detectBranch(env, cwd) ?? 'unknown',
  };
}

/** Appends a run's records; returns the lines to tell the user. */
export async function addRunToHistory(dir: string, result: RunResult, analysis: Analysis, context: RecordContext): Promise<string[]> {
  const { records, skippedCells } = historyRecords(result, analysis, context);
  const outcome = await appendRecords(dir, records);
  const lines = [
    `history: ${outcome.added} record${outcome.added === 1 ? '' : 's'} of run ${result.runId} (commit ${context.commit.slice(0, 10)}, branch ${context.branch}) -> ${outcome.files.join(', ') || dir}`,
  ];
  if (outcome.duplicates > 0) lines.push(`history: ${outcome.duplicates} record${outcome.duplicates === 1 ? ' was' : 's were'} already there (run ${runKey(result)} added before) and ${outcome.duplicates === 1 ? 'was' : 'were'} not added again`);
  if (skippedCells.length > 0) lines.push(`history: ${skippedCells.length} cell${skippedCells.length === 1 ? '' : 's'} with no ok repetition not recorded: ${skippedCells.slice(0, 3).join(', ')}${skippedCells.length > 3 ? ', ...' : ''}`);
  return lines;
}

export interface AnalysisFlags {
  dir: string;
  metric?: HistoryMetric[];
  branch?: string;
  machine?: string;
  subject?: string;
  last?: number;
  alpha?: number;
  minStep?: number;
  json?: boolean;
}

function filterOf(flags: AnalysisFlags): SeriesFilter {
  return {
    ...(flags.metric ? { metrics: flags.metric } : {}),
    ...(flags.branch !== undefined ? { branch: flags.branch } : {}),
    ...(flags.machine !== undefined ? { machine: flags.machine } : {}),
    ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
    ...(flags.last !== undefined ? { last: flags.last } : {}),
  };
}

function trendOptionsOf(flags: AnalysisFlags): TrendOptions {
  return { ...(flags.alpha !== undefined ? { alpha: flags.alpha } : {}), ...(flags.minStep !== undefined ? { minStep: flags.minStep } : {}) };
}

/** Reads the store and analyses every series the flags select. */
export async function analyseStore(flags: AnalysisFlags): Promise<{ contents: HistoryContents; analysis: HistoryAnalysis }> {
  const contents = await readHistory(flags.dir);
  const series = buildSeries(contents.records, filterOf(flags));
  if (series.length === 0 && contents.records.length > 0) {
    throw new UsageError(`${flags.dir}: no series match the filters (--metric, --branch, --machine, --subject); \`scale-bench history show --dir ${flags.dir}\` lists what is there.`);
  }
  return { contents, analysis: analyseHistory(series, trendOptionsOf(flags)) };
}

function counts(contents: HistoryContents) {
  return { records: contents.records.length, runs: new Set(contents.records.map((r) => r.record.run)).size, files: contents.files.length, duplicates: contents.duplicates };
}

/** The JSON form of an analysis: every series with its points and change points. */
function analysisJson(analysis: HistoryAnalysis) {
  return {
    options: analysis.options,
    fewestRuns: analysis.fewestRuns,
    series: analysis.trends.map(({ series, status, changePoints }) => ({
      key: series.key,
      metric: series.metric,
      subject: series.subject,
      branch: series.branch,
      machine: series.machine,
      backend: series.backend,
      runner: series.runner,
      status,
      points: series.points.map(({ file: _file, line: _line, ...point }) => point),
      changePoints,
    })),
  };
}

async function showCommand(flags: AnalysisFlags, streams: OutputStreams): Promise<number> {
  const { contents, analysis } = await analyseStore(flags);
  if (flags.json) streams.stdout.write(`${JSON.stringify(analysisJson(analysis), null, 2)}\n`);
  else streams.stdout.write(renderHistoryShow(analysis, counts(contents)));
  return EXIT_OK;
}

export interface CheckFlags extends AnalysisFlags {
  /** Results file whose suspect cells are re-run once before failing. */
  confirm?: string;
  /** Where the re-run's results go (default: beside the confirmed run's folder). */
  out?: string;
  runner?: 'tfjs' | 'fake';
}

async function checkCommand(flags: CheckFlags, streams: OutputStreams): Promise<number> {
  let { contents, analysis } = await analyseStore(flags);
  let outcome: CheckOutcome = checkHistory(analysis);
  const notes: string[] = [];
  if (outcome.failures.length > 0 && flags.confirm) {
    const confirmation = await confirmSuspects(outcome.failures, flags, streams);
    notes.push(...confirmation.notes);
    ({ contents, analysis } = await analyseStore(flags));
    const confirmed = new Set(confirmation.confirmedKeys);
    outcome = checkHistory(analysis);
    // A suspect the re-run did not reproduce passes; it stays in the history and in `history show`.
    outcome = { ...outcome, failures: outcome.failures.filter((f) => confirmed.has(f.trend.series.key)) };
  }
  if (flags.json) {
    const finding = (f: CheckOutcome['failures'][number]) => ({ key: f.trend.series.key, metric: f.trend.series.metric, subject: f.trend.series.subject, changePoint: f.changePoint, newestCommit: f.newestCommit, runsSince: f.runsSince });
    streams.stdout.write(`${JSON.stringify({ passed: outcome.failures.length === 0, failures: outcome.failures.map(finding), improvements: outcome.improvements.map(finding), known: outcome.known.map(finding), analysed: outcome.analysed, tooFewRuns: outcome.tooFewRuns, notes }, null, 2)}\n`);
  } else {
    for (const note of notes) streams.stderr.write(`${note}\n`);
    streams.stdout.write(renderHistoryCheck(outcome, analysis));
  }
  const commitUrl = commitUrlFrom(streams.env);
  await appendStepSummary(renderHistoryMarkdown(analysis, outcome, counts(contents), commitUrl), streams);
  return outcome.failures.length > 0 ? EXIT_WORSE : EXIT_OK;
}

const KINDS: readonly RecordKind[] = ['cell', 'size-law', 'complexity-law', 'width-law'];

async function exportCommand(flags: { dir: string; csv?: boolean; output?: string; kind?: RecordKind[]; subject?: string; branch?: string; machine?: string }, streams: OutputStreams): Promise<number> {
  if (!flags.csv) throw new UsageError('history export: give the format, --csv (the only one so far), e.g. scale-bench history export --dir history --csv -o history.csv');
  const contents = await readHistory(flags.dir);
  const records = contents.records.filter(({ record }) =>
    (!flags.kind || flags.kind.includes(record.kind)) &&
    (flags.subject === undefined || record.subject.includes(flags.subject)) &&
    (flags.branch === undefined || record.branch === flags.branch) &&
    (flags.machine === undefined || record.machine === flags.machine),
  );
  const csv = renderHistoryCsv(records);
  if (flags.output) {
    await writeFileAtomic(resolve(flags.output), csv);
    streams.stderr.write(`wrote ${records.length} rows to ${flags.output}\n`);
  } else streams.stdout.write(csv);
  return EXIT_OK;
}

async function addCommand(files: string[], flags: ContextFlags & { dir: string }, streams: OutputStreams): Promise<number> {
  for (const file of files) {
    const result = await readRunResult(file);
    const lines = await addRunToHistory(flags.dir, result, analyse(result), recordContext(result, flags, streams.env, process.cwd()));
    for (const line of lines) streams.stderr.write(`${line}\n`);
  }
  return EXIT_OK;
}

function metricList(text: string): HistoryMetric[] {
  return parseList(text, '--metric').map((name) => {
    const parsed = historyMetricSchema.safeParse(name);
    if (!parsed.success) throw new UsageError(`--metric: "${name}" is not one of ${HISTORY_METRICS.join(', ')}`);
    return parsed.data;
  });
}

function minStep(text: string): number {
  const percent = text.trim().endsWith('%');
  const value = parseNumber(percent ? text.trim().slice(0, -1) : text, '--min-step', 0, percent ? 100 : 1);
  return percent ? value / 100 : value;
}

function analysisOptions(command: Command): Command {
  return command
    .requiredOption('--dir <dir>', 'the history folder')
    .option('--metric <list>', `metrics (${HISTORY_METRICS.join(', ')}); default all`, metricList)
    .option('--branch <name>', 'only this branch')
    .option('--machine <id>', 'only this machine fingerprint')
    .option('--subject <text>', 'only cells or laws whose id contains this text')
    .option('--last <n>', 'only the newest n runs of each series', (text) => parseInteger(text, '--last', 2, 1_000_000))
    .option('--alpha <p>', 'significance level of the permutation test (default 0.001)', (text) => parseNumber(text, '--alpha', 0, 0.5, true))
    .option('--min-step <x>', 'smallest step worth reporting: 5% of the level before (default); quality in points, e.g. 0.05', minStep)
    .option('--json', 'as JSON on stdout');
}

const HISTORY_HELP = `
The store is a folder of append-only JSON Lines files, <dir>/<branch>/<machine>.jsonl: one record per
cell and per fitted law of every run (medians with intervals, quality, exponents, efficiencies; never
the raw trials). Concurrent appends are safe; folders merge by concatenating their files.
Change points: E-Divisive means per series with a permutation test (p <= 0.001) and a minimum step
(5%); raw times on the same machine fingerprint only, exponents, efficiencies and quality across machines.

Examples:
  $ scale-bench run --quick --history history                 # measure and append
  $ scale-bench history add reports/*/results.json --dir history --branch main
  $ scale-bench history show --dir history --metric wallMs,exponent
  $ scale-bench history check --dir history --confirm reports/<run-id>/results.json
  $ scale-bench history export --dir history --csv --subject "mlp-small|classification|n=4000|w=2" -o mlp.csv

Exit codes: 0 ok (check: no new change point for the worse), 1 check failed, 2 usage or input error
(a bad flag, a corrupt history line: the message names file and line).`;

export function registerHistoryCommand(program: Command, streams: OutputStreams, setExitCode: (code: number) => void): void {
  const history = program.command('history').description('the results store over commits: add runs, show trends and change points, check for new regressions, export').addHelpText('after', HISTORY_HELP);
  history
    .command('add')
    .description('append the records of results files to the history')
    .argument('<results...>', 'results.json files written by `scale-bench run` (or `merge`)')
    .requiredOption('--dir <dir>', 'the history folder (created if missing)')
    .option('--branch <name>', 'branch (default: $GITHUB_HEAD_REF, $GITHUB_REF_NAME, ... or git)')
    .option('--commit <sha>', "commit (default: the one the run recorded, or $GITHUB_SHA)")
    .action(async (files: string[], flags: ContextFlags & { dir: string }) => setExitCode(await addCommand(files, flags, streams)));
  analysisOptions(history.command('show').description('per series: the trend over commits and its change points (commit, step with its interval, p-value)')).action(
    async (flags: AnalysisFlags) => setExitCode(await showCommand(flags, streams)),
  );
  analysisOptions(history.command('check').description('exit 1 when the newest runs form a new level that is worse beyond the minimum step'))
    .option('--confirm <results.json>', 'before failing, re-run the suspect cells of this run once; fail only if the re-run is worse too')
    .option('--out <dir>', 'with --confirm: where the re-run writes its results (default: beside that run)')
    .addOption(new Option('--runner <kind>').choices(['tfjs', 'fake']).default('tfjs').hideHelp())
    .action(async (flags: CheckFlags) => setExitCode(await checkCommand(flags, streams)));
  history
    .command('export')
    .description('write the history as a flat table: one row per record, readable by Hunter and spreadsheets')
    .requiredOption('--dir <dir>', 'the history folder')
    .option('--csv', 'CSV (RFC 4180)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--kind <list>', `only these records (${KINDS.join(', ')})`, (text) =>
      parseList(text, '--kind').map((kind) => {
        if (!KINDS.includes(kind as RecordKind)) throw new UsageError(`--kind: "${kind}" is not one of ${KINDS.join(', ')}`);
        return kind as RecordKind;
      }),
    )
    .option('--subject <text>', 'only cells or laws whose id contains this text')
    .option('--branch <name>', 'only this branch')
    .option('--machine <id>', 'only this machine fingerprint')
    .action(async (flags: Parameters<typeof exportCommand>[0]) => setExitCode(await exportCommand(flags, streams)));
}

/** `run --history <dir>`: append the run to a history (and give the reports its trends). */
export function addHistoryOptions(run: Command): void {
  run
    .option('--history <dir>', 'append this run to a history folder (see `scale-bench history`); the HTML report gains its trends')
    .option('--branch <name>', 'with --history: the branch to record (default: CI variables, then git)')
    .option('--commit <sha>', 'with --history: the commit to record (default: the one measured)');
}

export interface RunHistoryOptions {
  history?: string;
  branch?: string;
  commit?: string;
}

/** GitHub's commit links, when the run is a GitHub Actions job. */
function commitUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  return env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL.replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}/commit/` : undefined;
}

/** The trends of one branch of a history (every branch when none is given), for the reports. */
export async function historyView(dir: string, branch: string | undefined, env: NodeJS.ProcessEnv): Promise<HistoryView> {
  const { analysis } = await analyseStore({ dir, ...(branch !== undefined ? { branch } : {}) });
  const commitUrl = commitUrlFrom(env);
  return { analysis, outcome: checkHistory(analysis), ...(commitUrl ? { commitUrl } : {}) };
}

/**
 * `run --history <dir>`: appends the run, analyses its branch's history and hands the trends to the
 * reports (`input.history`). With `stepSummary`, the new change points also go to $GITHUB_STEP_SUMMARY
 * (the gate writes its own summary, which includes them, when it runs). Returns lines for stderr.
 */
export async function recordRunHistory(
  options: RunHistoryOptions & { history: string },
  input: ReportInput,
  streams: OutputStreams,
  settings: { stepSummary: boolean; interrupted: boolean },
): Promise<string[]> {
  const run = input.runs[0];
  if (!run) return [];
  if (settings.interrupted) return [`history: run ${run.result.runId} was interrupted, so it was not added to ${options.history}`];
  const context = recordContext(run.result, options, streams.env, process.cwd());
  const lines = await addRunToHistory(options.history, run.result, run.analysis, context);
  const view = await historyView(options.history, context.branch, streams.env);
  input.history = view;
  const { failures, improvements } = view.outcome;
  if (failures.length + improvements.length > 0) {
    lines.push(`history: ${failures.length} new change point${failures.length === 1 ? '' : 's'} for the worse, ${improvements.length} for the better (scale-bench history show --dir ${options.history})`);
  }
  if (settings.stepSummary) await appendStepSummary(renderHistorySection(view), streams);
  return lines;
}
