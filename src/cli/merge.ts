/** `scale-bench merge`: join the results files of a sweep split with `run --shard i/n` into one. */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readRunResult } from '../results/file.js';
import { mergeResults, parseShardInfo, type MergeInput, type MergeOutcome } from '../plan/merge.js';
import { writeFileAtomic } from '../results/write.js';
import { UsageError } from '../config/errors.js';
import { parseRunId } from '../plan/shard.js';
import { parseShardFlag } from '../plan/shard-env.js';
import type { OutputStreams } from './output.js';
import { EXIT_INCOMPLETE, EXIT_OK } from './run.js';
import { serialiseResult } from '../results/file.js';

export interface MergeCommandOptions {
  /** Where the merged results.json goes. */
  output: string;
  /** Run id of the merged result (default: the shards' shared one). */
  runId?: string;
  /** Print the merged result and what is missing as JSON on stdout. */
  json?: boolean;
  quiet?: boolean;
}

/** How many missing cell ids to list before "and N more". */
const LISTED = 5;

/** A results file with its shard block, which the results schema may not carry through. */
async function readInput(file: string): Promise<MergeInput> {
  const result = await readRunResult(file);
  if (!result.plan.shard) {
    const shard = parseShardInfo(JSON.parse(await readFile(file, 'utf8')) as unknown, file);
    if (shard) result.plan.shard = shard;
  }
  return { file, result };
}

function listed(ids: string[]): string {
  const head = ids.slice(0, LISTED).join(', ');
  return ids.length > LISTED ? `${head} and ${ids.length - LISTED} more` : head;
}

function describe(outcome: MergeOutcome, files: number, output: string): string[] {
  const { result } = outcome;
  const machines = Object.keys(result.machines ?? {}).length;
  const lines = [
    `merged ${files} file${files === 1 ? '' : 's'}: ${result.cells.length} of ${result.plan.cells.length} planned cells, ` +
      `${machines} machine${machines === 1 ? '' : 's'}, run id ${result.runId} -> ${output}`,
  ];
  for (const warning of outcome.warnings) lines.push(`warning: ${warning}`);
  const missing = outcome.missingShards;
  if (missing.length > 0) {
    lines.push(`missing shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: run ${missing.length === 1 ? 'it' : 'them'} with the same flags and --shard i/n, then merge again`);
  }
  if (outcome.missingCells.length > 0) lines.push(`missing ${outcome.missingCells.length} cell(s): ${listed(outcome.missingCells)}`);
  if (outcome.failedCells.length > 0) lines.push(`${outcome.failedCells.length} cell(s) errored or timed out: ${listed(outcome.failedCells)}`);
  if (!result.complete) lines.push('the merged result is incomplete (exit code 3); reports can still be made from it');
  return lines;
}

/** The same file by identity (device and inode), so a symlink or another spelling of the path is caught too. */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** `merge shard1.json shard2.json -o shard1.json` would replace a shard by the merge: refused, the shards are the only copy. */
function refuseOverwritingAnInput(output: string, files: readonly string[]): void {
  const input = files.find((file) => sameFile(output, file));
  if (input !== undefined) {
    throw new UsageError(`--output: ${output} is one of the inputs (${input}); merging into it would overwrite that shard's results. Write the merge to a new file, e.g. -o merged/results.json`);
  }
}

export async function mergeCommand(files: string[], options: MergeCommandOptions, streams: OutputStreams): Promise<number> {
  if (existsSync(options.output) && statSync(options.output).isDirectory()) {
    throw new UsageError(`--output: ${options.output} is a folder; give a file path, e.g. -o ${options.output.replace(/\/+$/, '')}/results.json`);
  }
  refuseOverwritingAnInput(options.output, files);
  const inputs: MergeInput[] = [];
  for (const file of files) inputs.push(await readInput(file));
  const outcome = mergeResults(inputs, options.runId !== undefined ? { runId: options.runId } : {});
  await writeFileAtomic(options.output, serialiseResult(outcome.result));

  if (options.json) {
    const { result, ...rest } = outcome;
    streams.stdout.write(`${JSON.stringify({ output: options.output, ...rest, result }, null, 2)}\n`);
  } else if (!options.quiet || !outcome.result.complete) {
    streams.stderr.write(`${describe(outcome, files.length, options.output).join('\n')}\n`);
  }
  return outcome.result.complete ? EXIT_OK : EXIT_INCOMPLETE;
}

/** `run --shard i/n|auto --run-id <id>`: options on the run command, parsed into RunOptions.shard and .runId. */
export function addShardOptions(run: Command, env: NodeJS.ProcessEnv = process.env): void {
  run
    .option(
      '--shard <i/n|auto>',
      'run only shard i of n of the sweep (balanced by estimated cost; join them with `scale-bench merge`); auto: from SCALE_BENCH_SHARD, a Kubernetes Indexed Job or a Slurm array',
      (text) => parseShardFlag(text, env),
    )
    .option('--run-id <id>', 'run id (folder name) instead of a timestamp; with --shard, the id every shard shares', (text) => parseRunId(text));
}

export function registerMergeCommand(program: Command, streams: OutputStreams, setExitCode: (code: number) => void): void {
  program
    .command('merge')
    .description('join the results of a sweep split with `run --shard i/n` into one results file')
    .argument('<results...>', 'results.json files of the shards')
    .requiredOption('-o, --output <file>', 'merged results file to write, e.g. results.json')
    .option('--run-id <id>', "run id of the merged result (default: the shards' shared run id)", (text) => parseRunId(text))
    .option('--json', 'print the merged result and what is missing as JSON on stdout')
    .option('-q, --quiet', 'print nothing unless the merged result is incomplete')
    .addHelpText(
      'after',
      `
Example:
  $ scale-bench run --shard 1/4 --run-id nightly --out shards    # on four machines, i = 1..4
  $ scale-bench merge shards/nightly-shard*/results.json -o merged/results.json
  $ scale-bench report merged/results.json

Exit codes: 0 merged and complete, 2 files that must not be joined (the message says why),
3 merged but incomplete (a shard missing, or cells that errored).`,
    )
    .action(async (files: string[], options: MergeCommandOptions) => {
      setExitCode(await mergeCommand(files, options, streams));
    });
}
