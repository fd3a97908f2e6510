/**
 * The command-line entry: parses arguments, runs a command, and is the only place that prints errors
 * and sets the exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import type { GeneratorName } from '../results/schema.js';
import { TOOL_VERSION } from '../config/version.js';
import { UsageError, errorMessage } from '../config/errors.js';
import { terminalSafe } from '../config/terminal-text.js';
import { parseCountList, parseInteger, parseList, parseNumber } from '../config/parse.js';
import { BACKEND_CHOICES, MODES } from '../plan/build.js';
import { DEFAULT_CELL_TIMEOUT_MS, DEFAULT_SEED, PROFILES } from '../config/defaults.js';
import { SCALINGS } from '../config/names.js';
import { checkReportFormats, REPORTER_NAMES, type ReporterName } from '../report/index.js';
import { EXIT_INCOMPLETE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_REGRESSION, EXIT_USAGE, runCommand } from './run.js';
import { reportCommand } from './report.js';
import { addShardOptions, registerMergeCommand } from './merge.js';
import { addRunGateOptions, registerCompareCommand } from './compare.js';
import { openCommand } from './open.js';
import { addHistoryOptions, registerHistoryCommand } from './history.js';
import { registerPredictCommand } from './predict.js';
import { envCommand, listCommand } from './info.js';
import { defaultStreams, type OutputStreams } from './output.js';
import { givenOptions, resolveRunOptions } from './run-options.js';

const EXIT_CODES = `
Exit codes:
  ${EXIT_OK}    success (and, with a baseline, no regression)
  ${EXIT_REGRESSION}    a regression or a failed budget (compare / --baseline / --assert)
  ${EXIT_USAGE}    usage or input error: a bad flag, a missing or invalid file
  ${EXIT_INCOMPLETE}    the run finished but some cells errored or timed out (their reasons are in the results)
  ${EXIT_INTERNAL}   internal error: a bug in scale-bench (the message asks you to report it)
  ${EXIT_INTERRUPTED}  interrupted by Ctrl-C / SIGTERM (finished cells are saved)`;

const RUN_EXAMPLES = `
Examples:
  $ scale-bench run                                  # the default sweep (about 30 s on 2 cores)
  $ scale-bench run --quick                          # a 30-second sweep
  $ scale-bench run --models mlp-small,mlp-deep --sizes 1k,4k,16k --workers 1,2
  $ scale-bench run --quick --json > run.json        # machine-readable results on stdout
  $ scale-bench run --backend cpu --repeats 10 --seed 7 --out my-reports
  $ scale-bench run --data fixtures/data/iris.csv --target species --model fixtures/models/tiny-mlp.js
  $ scale-bench run benchmarks/iris.json --repeats 10  # a suite (or a name: run iris); flags override it
  $ scale-bench run --mode data-parallel --models mlp-small --sizes 16k --workers 1,2 --scaling strong
  $ scale-bench run --models linear,mlp-small --sizes 2k,4k,8k --workers 1,2 --target accuracy=0.8 --target r2=0.9
  $ scale-bench run quality                          # time to target and learning curves (about 6 s)
  $ scale-bench run --mode inference --models mlp-small --workers 1,2 --concurrency 1,2,4,8 --request-rows 1,32
  $ scale-bench run --quick --save-baseline main    # store reports/baselines/main.json
  $ scale-bench run --quick --baseline main --assert "efficiency@2>=0.8"   # exit 1 on a regression
${EXIT_CODES}`;

function formats(text: string): ReporterName[] {
  return checkReportFormats(parseList(text, '--report'), '--report');
}

function choice<T extends string>(flag: string, allowed: readonly T[]) {
  return (text: string): T => {
    if (!allowed.includes(text as T)) throw new UsageError(`${flag}: "${text}" is not one of ${allowed.join(', ')}`);
    return text as T;
  };
}

function parseMaxEpochs(text: string): number {
  if (Number(text.trim()) === 0) throw new UsageError('--max-epochs 0: a trial needs at least 1 epoch to reach a target; give a whole number from 1, e.g. --max-epochs 50');
  return parseInteger(text, '--max-epochs', 1, 10_000);
}

const GENERATOR_NAMES: readonly GeneratorName[] = ['regression', 'classification', 'blobs', 'moons', 'images'];

export function buildProgram(streams: OutputStreams, setExitCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name('scale-bench')
    .description('Measure how ML training scales with data size, model complexity and worker count; fit the scaling laws; gate CI on them.')
    .version(TOOL_VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .addHelpText('after', EXIT_CODES);

  const run = program
    .command('run')
    .description('generate data (or read yours with --data), train models across sizes, models and pool widths, and report the scaling')
    .option('--quick', 'a small sweep that finishes in under 30 s on 2 cores')
    .option('--sizes <list>', 'training-set sizes, e.g. 1k,4k,16k,64k', (text) => parseCountList(text, '--sizes'))
    .option('--models <list>', 'models, e.g. linear,logistic,mlp-small,mlp-deep,cnn-small', (text) => parseList(text, '--models'))
    .option('--workers <list>', 'pool widths, e.g. 1,2,4 (default: 1, 2, 4, ... and the core count; a width above the cores only when listed here)', (text) => parseCountList(text, '--workers'))
    .option('--mode <name>', `job-parallel (w replicas, default), data-parallel (one model split over w workers) or inference (serving under load)`, choice('--mode', MODES))
    .option('--scaling <kind>', 'data-parallel: strong (fixed global batch, default) or weak (global batch = batch size x workers)', choice('--scaling', SCALINGS))
    .option('--concurrency <list>', 'inference closed loop: requests kept outstanding, e.g. 1,2,4,8 (the default unless --rate is given)', (text) => parseCountList(text, '--concurrency'))
    .option('--rate <list>', 'inference open loop: requests per second, e.g. 100,200,400', (text) => parseList(text, '--rate').map((item) => parseNumber(item, '--rate', 0, 1_000_000, true)))
    .option('--request-rows <list>', 'inference: rows (predictions) per request, e.g. 1,32 (default 1,32)', (text) => parseCountList(text, '--request-rows'))
    // The first name of --request-rows, one letter from the training --batch-size: still read, with a warning.
    .addOption(new Option('--batch-sizes <list>', 'deprecated: --request-rows').argParser((text) => parseCountList(text, '--batch-sizes')).hideHelp())
    .option('--duration <seconds>', 'inference: seconds of load per level and repetition (default 1)', (text) => parseNumber(text, '--duration', 0, 3600, true))
    .option('--generator <name>', `data generator for every model (${GENERATOR_NAMES.join(', ')}); default: each model's own`, choice('--generator', GENERATOR_NAMES))
    .option('--repeats <n>', `counted repetitions per cell (default ${PROFILES.default.repeats}, also with --quick: the fewest at which the gate's rank test can fire)`, (text) => parseInteger(text, '--repeats', 1, 1000))
    .option('--warmup <n>', `uncounted warm-up trials per cell (default ${PROFILES.default.warmup})`, (text) => parseInteger(text, '--warmup', 0, 100))
    .option('--seed <n>', `seed for data and initial weights (default ${DEFAULT_SEED})`, (text) => parseInteger(text, '--seed', 0, 2 ** 31 - 1))
    .option('--epochs <n>', `passes over the training data per trial (default ${PROFILES.default.training.epochs})`, (text) => parseInteger(text, '--epochs', 1, 10_000))
    .option('--batch-size <n>', `mini-batch size (default ${PROFILES.default.training.batchSize})`, (text) => parseInteger(text, '--batch-size', 1, 1_000_000))
    .option('--learning-rate <x>', `Adam learning rate (default ${PROFILES.default.training.learningRate})`, (text) => parseNumber(text, '--learning-rate', 0, 10, true))
    .option('--holdout <fraction>', `held-out rows for the quality metric, as a fraction of the training size (default ${PROFILES.default.training.testFraction})`, (text) => parseNumber(text, '--holdout', 0, 1, true))
    .addOption(new Option('--backend <name>', 'tfjs backend; auto picks the fastest that loads').choices(BACKEND_CHOICES as string[]).default('auto'))
    .option('--stock-kernels', "measure tfjs's stock wasm kernels instead of scale-bench's SIMD kernels and fused training steps")
    .option('--cell-timeout <seconds>', `stop a cell that runs longer than this and record it as timed out (default ${DEFAULT_CELL_TIMEOUT_MS / 1000})`, (text) => parseNumber(text, '--cell-timeout', 0, 86_400, true))
    .option('--out <dir>', 'output folder; each run writes <dir>/<run-id>/ (default reports)')
    .option('--no-memory-check', 'skip the memory preflight that refuses a sweep whose largest cell would not fit in memory')
    .option('--resume <run-id>', 'continue an interrupted run in --out, skipping its finished cells (its saved plan is used; sweep flags are ignored)')
    .option('--force', 'with --run-id: replace a run already saved under that id (its folder is emptied first); without it an existing run id is refused')
    .option('--report <formats>', `report formats to write (${REPORTER_NAMES.join(',')})`, formats, REPORTER_NAMES)
    .option('--json', 'print the results and analysis as JSON on stdout, and nothing else there')
    .option('-q, --quiet', 'no progress or tables; only errors and where the reports are')
    .option('--details', 'print every cell, every fitted law and every warning after the Findings (the report files always have them)')
    .addOption(new Option('--runner <kind>', 'measurement runner (fake is for tests)').choices(['tfjs', 'fake']).default('tfjs').hideHelp())
    .argument('[suite]', 'a suite file (e.g. benchmarks/iris.json) or a built-in suite name (see `scale-bench list`); flags override it')
    .option('--data <file>', 'benchmark on your own data: a .csv, .tsv, .json (array of objects) or .ndjson file')
    .option(
      '--target <value>',
      'a held-out quality to train each trial to, e.g. accuracy=0.85 or r2=0.9 (repeatable, one per metric; each model uses its task\'s); with --data, a bare name is the column to predict',
      (text: string, previous: string[] | undefined) => [...(previous ?? []), text],
    )
    .option('--eval-every <epochs>', 'with --target/--patience: evaluate the held-out metric every this many epochs, timed apart from training (default 0.25)', (text) => parseNumber(text, '--eval-every', 0, 10_000, true))
    .option('--max-epochs <n>', 'with --target/--patience: stop a trial that has not reached the target after this many epochs (default 50)', (text) => parseMaxEpochs(text))
    .option('--patience <n>', 'stop a trial after this many evaluations in a row without improvement; with --target, train past the target to convergence (for learning curves)', (text) => parseInteger(text, '--patience', 1, 10_000))
    .option('--task <task>', 'with --data: regression or classification (default: inferred from the target, and printed)', choice('--task', ['regression', 'classification'] as const))
    .option('--features <list>', 'with --data: input columns, e.g. a,b,c (default: every column but the target)', (text) => parseList(text, '--features'))
    .option('--on-bad-row <policy>', 'with --data: rows with a missing or non-numeric value: fail (default; names the line) or skip', choice('--on-bad-row', ['skip', 'fail'] as const))
    .option('--build-timeout <seconds>', 'with --model: seconds each model module may take to load and build while planning before it counts as hung (default 60)', (text) => parseNumber(text, '--build-timeout', 0, 86_400, true))
    .option('--model <file>', 'your own model: a .js module exporting a function that builds a tfjs LayersModel (repeat for several)', (text: string, previous: string[] | undefined) => [...(previous ?? []), text])
    .option('--config <file>', 'config file (default: scale-bench.config.{ts,js,json} in this folder); flags override it')
    .addHelpText('after', RUN_EXAMPLES)
    .action(async (suite: string | undefined, options: Record<string, unknown>, command: Command) => {
      // Only typed flags override the config file and suite; commander's defaults must not.
      const flags = givenOptions(options, (key) => command.getOptionValueSource(key));
      const warn = (message: string): void => void streams.stderr.write(`scale-bench: warning: ${message}\n`);
      setExitCode(await runCommand(await resolveRunOptions({ ...(suite !== undefined ? { suite } : {}), flags, cwd: process.cwd(), warn }), streams));
    });
  addRunGateOptions(run);
  addShardOptions(run, streams.env);
  addHistoryOptions(run);
  registerMergeCommand(program, streams, setExitCode);
  registerHistoryCommand(program, streams, setExitCode);
  registerCompareCommand(program, streams, setExitCode);
  registerPredictCommand(program, streams, setExitCode);

  program
    .command('report')
    .description('regenerate reports from saved results without re-running anything; several files overlay their curves')
    .argument('<results...>', 'results.json files written by `scale-bench run`')
    .option('--out <dir>', 'folder to write the reports to (default: the first results file\'s folder)')
    .option('--report <formats>', `formats (${REPORTER_NAMES.join(',')})`, formats, REPORTER_NAMES)
    .option('--json', 'print the analysis as JSON on stdout')
    .option('--history <dir>', 'add the trends and change points of this history folder to the HTML and Markdown reports')
    .option('--branch <name>', 'with --history: only this branch')
    .option('--details', 'print every cell, every fitted law and every warning after the Findings')
    .action(async (files: string[], options: { out?: string; report: ReporterName[]; json?: boolean; history?: string; branch?: string; details?: boolean }) => {
      setExitCode(await reportCommand(files, options, streams));
    });

  program
    .command('open')
    .alias('view')
    .description('open the latest HTML report in a browser, or serve the reports folder on a loopback port when there is no desktop')
    .argument('[report]', 'a report.html or run folder (default: the newest under --dir)')
    .option('--dir <dir>', 'reports folder', 'reports')
    .option('--port <n>', 'port for serving (default: any free port)', (text) => parseInteger(text, '--port', 0, 65_535))
    .option('--serve', 'serve over HTTP even when a desktop is available')
    .action(async (report: string | undefined, options: { dir: string; port?: number; serve?: boolean }) => {
      setExitCode(await openCommand(report, options, streams));
    });

  program
    .command('list')
    .description('list models, data generators, suites, report formats and backends')
    .action(async () => setExitCode(await listCommand(streams)));

  program
    .command('env')
    .description('print this machine\'s fingerprint and the backend that would run')
    .option('--json', 'as JSON')
    .action(async (options: { json?: boolean }) => setExitCode(await envCommand(options, streams)));

  return program;
}

export async function main(argv: string[], streams: OutputStreams = defaultStreams()): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(streams, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; the message was already printed.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      streams.stderr.write(`scale-bench: ${terminalSafe(error.message)}\n`);
      return error.exitCode;
    }
    streams.stderr.write(`scale-bench: internal error: ${terminalSafe(error instanceof Error ? (error.stack ?? error.message) : errorMessage(error))}\nPlease report this as a bug.\n`);
    return EXIT_INTERNAL;
  }
}
