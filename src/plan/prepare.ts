/**
 * Planning with the user's own inputs: reads the data file, builds the plan, and builds every custom
 * model once, so that a bad file or a bad module stops the run (exit 2) before any training starts.
 */
import type { BenchmarkPlan } from '../results/schema.js';
import { loadDataFile, displayPath } from '../data/load.js';
import { checkCustomModels } from './custom-check.js';
import { buildPlan, type RunOptions } from './build.js';

function formatCount(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(1)} G`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return `${value} `;
}

/**
 * buildPlan for options that may name a data file or custom models. `note` receives one line per
 * thing the user should know (the task that was inferred, rows skipped, each custom model's size).
 */
export async function planRun(options: RunOptions, cores: number, note: (line: string) => void = () => {}): Promise<BenchmarkPlan> {
  const dataset = options.data ? await loadDataFile(options.data) : undefined;
  for (const line of dataset?.notes ?? []) note(line);
  const plan = buildPlan(options, cores, dataset ? { dataset } : {});
  for (const model of await checkCustomModels(plan, (path) => displayPath(path), options.buildTimeout !== undefined ? { buildTimeout: options.buildTimeout } : {})) {
    const estimated = model.estimated.length > 0 ? ` (FLOPs of ${model.estimated.join(', ')} layers estimated as 2 per parameter)` : '';
    note(
      `${model.name} on ${model.dataset}: ${model.info.params.toLocaleString('en-US')} parameters, ` +
        `${formatCount(model.info.forwardFlopsPerSample)}FLOP forward and ${formatCount(model.info.trainFlopsPerSample)}FLOP training per sample${estimated}`,
    );
  }
  return plan;
}
