/**
 * `scale-bench predict <results...>`: capacity planning from the fitted laws. Predictions at the
 * sizes and widths asked, with 95% prediction intervals, --budget, --workers auto, --quality and
 * --backtest; --json prints the versioned PredictionFile.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../config/errors.js';
import { parseCountList, parseDuration, parseList } from '../config/parse.js';
import { readRunResult } from '../results/file.js';
import { analyse } from '../analyse/index.js';
import { combineResults } from '../predict/inputs.js';
import { parseQualityTarget, runPrediction, type PredictQuery, type QualityTarget } from '../predict/index.js';
import { learningCurveInputs } from '../predict/quality.js';
import { toJson } from '../report/json.js';
import { renderPredictions } from '../report/predict-text.js';
import { colorEnabled, type OutputStreams } from './output.js';
import { EXIT_OK } from './run.js';

export interface PredictCommandOptions {
  size?: number[];
  workers?: number[] | 'auto';
  model?: string[];
  dataset?: string[];
  budget?: number;
  quality?: QualityTarget;
  backtest?: boolean;
  force?: boolean;
  json?: boolean;
}

function parseSizes(text: string): number[] {
  const sizes = parseCountList(text, '--size');
  if (sizes.some((n) => n < 1)) throw new UsageError(`--size: "${text}" must be training-set sizes of at least 1, e.g. --size 1m or --size 64k,1m`);
  return sizes;
}

function parseWorkers(text: string): number[] | 'auto' {
  if (text.trim().toLowerCase() === 'auto') return 'auto';
  const widths = parseCountList(text, '--workers');
  if (widths.some((w) => w < 1)) throw new UsageError(`--workers: "${text}" must be pool widths of at least 1, e.g. --workers 8, --workers 1,2,4,8 or --workers auto`);
  return widths;
}

/** A run folder stands for the results.json inside it. */
function resultsFile(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'results.json') : path;
}

export async function predictCommand(paths: string[], options: PredictCommandOptions, streams: OutputStreams): Promise<number> {
  const inputs = [];
  for (const path of paths) {
    const file = resultsFile(path);
    inputs.push({ file, result: await readRunResult(file) });
  }
  const result = combineResults(inputs);
  const query: PredictQuery = {
    ...(options.size ? { sizes: options.size } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.budget !== undefined ? { budgetMs: options.budget } : {}),
    ...(options.quality ? { quality: options.quality } : {}),
    ...(options.model ? { models: options.model } : {}),
    ...(options.dataset ? { datasets: options.dataset } : {}),
    backtest: options.backtest === true,
    force: options.force === true,
  };
  const analysis = analyse(result);
  const file = runPrediction(result, analysis, query, learningCurveInputs(analysis));
  if (options.json) streams.stdout.write(toJson(file));
  else streams.stdout.write(renderPredictions(file, { color: colorEnabled(streams.stdout, streams.env) }));
  return EXIT_OK;
}

const PREDICT_HELP = `
Every predicted quantity is an estimate with its 95% prediction interval: the range one new
measurement is expected to fall in, not only the mean. Time combines the laws explicitly:
t(n, w) = t(n, 1) · k(w) / S(w), S from the USL (4+ widths) or Amdahl, k(w) = w in job-parallel
mode (each worker trains its own replica); a width measured across sizes uses its own size law.
Widths beyond 2x the widest measured get a warning and beyond 8x are refused (--force); sizes
beyond 100x the largest measured get a warning.

Examples:
  $ scale-bench predict reports/<run-id> --size 1m --workers 8
  $ scale-bench predict reports/<run-id> --budget 10m          # largest n within 10 minutes, per width
  $ scale-bench predict reports/<run-id> --size 256k --workers auto
  $ scale-bench predict reports/<run-id> --backtest            # how good are these predictions on this run?
  $ scale-bench predict a/results.json b/results.json --size 64k --model mlp-deep --json

Exit codes:
  0    predictions printed
  2    usage or input error: a bad flag, a missing or invalid file, or results without the laws the question needs`;

/** Registers `scale-bench predict`. */
export function registerPredictCommand(program: Command, streams: OutputStreams, setExitCode: (code: number) => void): Command {
  return program
    .command('predict')
    .description('predict time, throughput and memory at new sizes and widths from the fitted laws, with 95% prediction intervals; --budget, --workers auto, --backtest')
    .argument('<results...>', 'results.json files or run folders written by `scale-bench run` (several pool their cells)')
    .option('--size <list>', 'training-set sizes to predict at, e.g. 1m or 64k,256k (default 10x the largest measured)', parseSizes)
    .option('--workers <list|auto>', 'pool widths, e.g. 8 or 1,2,4,8, or auto: the fastest width, or the cheapest within 10% of it (default: the measured widths)', parseWorkers)
    .option('--model <list>', 'only these models', (text) => parseList(text, '--model'))
    .option('--dataset <list>', 'only these data sets', (text) => parseList(text, '--dataset'))
    .option('--budget <duration>', 'the largest n whose predicted wall time fits, per width, e.g. 10m, 90s, 1.5h', (text) => parseDuration(text, '--budget'))
    .option('--quality <metric=value>', 'the n a learning curve needs for a quality target and the time to train it, e.g. accuracy=0.9 or r2=0.95', parseQualityTarget)
    .option('--backtest', 'refit each law without its largest size and without its widest width, and check the held-out predictions')
    .option('--force', 'predict at widths beyond 8x the widest measured')
    .option('--json', 'print the predictions as versioned JSON on stdout, and nothing else there')
    .addHelpText('after', PREDICT_HELP)
    .action(async (paths: string[], options: PredictCommandOptions) => {
      setExitCode(await predictCommand(paths, options, streams));
    });
}
