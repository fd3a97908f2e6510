/**
 * Several results files as one set of measurements: cells of the same id pool their repetitions,
 * other cells add up. Files must share the training settings (epochs, batch size, learning rate)
 * and backend, or their times do not describe the same work.
 */
import type { RunResult } from '../results/schema.js';
import { UsageError } from '../config/errors.js';

export function combineResults(inputs: ReadonlyArray<{ file: string; result: RunResult }>): RunResult {
  const [first, ...rest] = inputs;
  if (!first) throw new UsageError('predict: give at least one results.json or run folder');
  const training = JSON.stringify(first.result.plan.training);
  const cells = new Map(first.result.cells.map((c) => [c.cell.id, { ...c, trials: [...c.trials] }]));
  for (const { file, result } of rest) {
    if (JSON.stringify(result.plan.training) !== training) {
      throw new UsageError(`${file}: trained with different settings (${JSON.stringify(result.plan.training)}) than ${first.file} (${training}); predict from runs with the same --epochs, --batch-size and --learning-rate.`);
    }
    if (result.environment.backend !== first.result.environment.backend) {
      throw new UsageError(`${file}: measured with the ${result.environment.backend} backend, ${first.file} with ${first.result.environment.backend}; predict from runs of one backend.`);
    }
    for (const c of result.cells) {
      const existing = cells.get(c.cell.id);
      if (existing) existing.trials.push(...c.trials.map((t, i) => ({ ...t, repetition: existing.trials.length + i })));
      else cells.set(c.cell.id, { ...c, trials: [...c.trials] });
    }
  }
  if (rest.length === 0) return first.result;
  return {
    ...first.result,
    runId: inputs.map((i) => i.result.runId).join('+'),
    complete: inputs.every((i) => i.result.complete),
    plan: { ...first.result.plan, cells: [...cells.values()].map((c) => c.cell) },
    machines: Object.assign({}, ...inputs.map((i) => ({ ...(i.result.machines ?? {}), [i.result.environment.machineId]: i.result.environment }))),
    cells: [...cells.values()],
  };
}
