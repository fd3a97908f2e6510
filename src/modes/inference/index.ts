/** Inference mode: a trained model served by w workers under closed-loop (--concurrency) or open-loop (--rate) load. */
import { UsageError } from '../../config/errors.js';
import type { CellVariant, ModeDefinition } from '../types.js';
import { inferenceCellAnalysis } from './analysis.js';
import { runInferenceCell } from './host.js';
import { QUEUE_CAPACITY } from './queue.js';

export const DEFAULT_CONCURRENCY: readonly number[] = [1, 2, 4, 8];
export const DEFAULT_INFERENCE_BATCH_SIZES: readonly number[] = [1, 32];
/** Seconds of load per level: long enough for thousands of requests of the small models, short enough for a sweep. */
export const DEFAULT_LEVEL_SECONDS = 1;
/** --quick inference: two levels, one batch size, short levels. */
export const QUICK_CONCURRENCY: readonly number[] = [1, 4];
export const QUICK_INFERENCE_BATCH_SIZES: readonly number[] = [32];
export const QUICK_LEVEL_SECONDS = 0.25;

/** Outstanding requests must fit in the request queue. */
const MAX_CONCURRENCY = Math.min(4096, QUEUE_CAPACITY);
const MAX_RATE = 1_000_000;
const MAX_REQUEST_ROWS = 65_536;

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function checkList(flag: string, values: readonly number[] | undefined, min: number, max: number, integer: boolean, example: string): void {
  if (values === undefined) return;
  if (values.length === 0) throw new UsageError(`${flag}: give at least one value, e.g. ${flag} ${example}`);
  for (const value of values) {
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new UsageError(`${flag}: ${value} is out of range; each value must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}, e.g. ${flag} ${example}`);
    }
  }
}

export const inference: ModeDefinition = {
  name: 'inference',
  flags: [
    { key: 'concurrency', flag: '--concurrency' },
    { key: 'rate', flag: '--rate' },
    { key: 'requestRows', flag: '--request-rows' },
    { key: 'duration', flag: '--duration' },
  ],
  // Inference speed does not depend on how many rows the model was trained on, so one model per
  // model kind is served, trained on the profile's largest size.
  defaultSizes: (profileSizes) => (profileSizes.length === 0 ? [] : [Math.max(...profileSizes)]),
  checkOptions(options) {
    checkList('--concurrency', options.concurrency, 1, MAX_CONCURRENCY, true, '1,2,4,8');
    checkList('--rate', options.rate, 1e-3, MAX_RATE, false, '50,100,200');
    checkList('--request-rows', options.requestRows, 1, MAX_REQUEST_ROWS, true, '1,32');
    if (options.duration !== undefined && !(options.duration >= 0.05 && options.duration <= 3600)) {
      throw new UsageError(`--duration: ${options.duration} is out of range; give seconds of load per level from 0.05 to 3600, e.g. --duration 2`);
    }
  },
  cellVariants(options) {
    const batchSizes = sortedUnique(options.requestRows ?? (options.quick ? QUICK_INFERENCE_BATCH_SIZES : DEFAULT_INFERENCE_BATCH_SIZES));
    const concurrency = options.concurrency ?? (options.rate !== undefined ? [] : options.quick ? QUICK_CONCURRENCY : DEFAULT_CONCURRENCY);
    const variants: CellVariant[] = [];
    for (const batchSize of batchSizes) {
      for (const c of sortedUnique(concurrency)) variants.push({ batchSize, concurrency: c });
      for (const r of sortedUnique(options.rate ?? [])) variants.push({ batchSize, rate: r });
    }
    return variants;
  },
  planFields: (options) => ({
    inference: { durationMs: Math.round((options.duration ?? (options.quick ? QUICK_LEVEL_SECONDS : DEFAULT_LEVEL_SECONDS)) * 1000) },
  }),
  variant(cell) {
    const batch = cell.batchSize !== undefined ? `|b=${cell.batchSize}` : '';
    const load = cell.rate !== undefined ? `|r=${cell.rate}` : cell.concurrency !== undefined ? `|c=${cell.concurrency}` : '';
    return `${batch}${load}`;
  },
  // The seconds of load the cell puts on its servers.
  trialCostUs: (cell, plan) => (plan.inference?.durationMs ?? DEFAULT_LEVEL_SECONDS * 1000) * 1000 * cell.workers,
  analyseCell: (okTrials) => ({ inference: inferenceCellAnalysis(okTrials) }),
  runCell: (ctx, job, onTrial) => runInferenceCell(ctx, job, onTrial),
};
