/**
 * Training to a target quality (--target, --eval-every, --max-epochs, --patience): the settings the
 * plan saves, checked before anything trains. Every error names the flag and the fix.
 */
import type { ConvergenceSettings, DatasetSpec, Mode, QualityTarget } from '../results/schema.js';
import type { RunOptions } from '../config/schema.js';
import { UsageError } from '../config/errors.js';
import { idealQuality } from '../data/generators/index.js';
import { datasetSeed } from '../data/seed.js';

export const DEFAULT_EVAL_EVERY = 0.25;
export const DEFAULT_MAX_EPOCHS = 50;

const metricName = (metric: QualityTarget['metric']): string => (metric === 'r2' ? 'R²' : 'accuracy');
const taskOf = (metric: QualityTarget['metric']): DatasetSpec['task'] => (metric === 'r2' ? 'regression' : 'classification');
const exampleFor = (task: DatasetSpec['task']): string => (task === 'regression' ? 'r2=0.9' : 'accuracy=0.85');

/** A target a model may approach but never pass: one standard error of a simulated ideal is not enough to say so. */
const IDEAL_MARGIN_STANDARD_ERRORS = 3;

/**
 * The convergence settings of a run, or undefined for the fixed budget of --epochs. `models` maps
 * each model of the sweep to the data set it trains on; `seed` is the run's.
 */
export function convergenceSettings(options: RunOptions, mode: Mode, models: ReadonlyMap<string, DatasetSpec>, seed: number): ConvergenceSettings | undefined {
  const targets = options.targets ?? [];
  const training = targets.length > 0 || options.patience !== undefined;
  if (!training) {
    const stray = options.maxEpochs !== undefined ? '--max-epochs' : options.evalEvery !== undefined ? '--eval-every' : null;
    if (stray) throw new UsageError(`${stray} applies when training to a target: add --target accuracy=0.85 (or r2=0.9), or --patience 8 to train to convergence`);
    return undefined;
  }
  const flag = targets.length > 0 ? '--target' : '--patience';
  if (mode === 'inference') throw new UsageError(`${flag} trains models, --mode inference serves them: drop ${flag} or use --mode job-parallel or data-parallel`);
  if (options.epochs !== undefined) {
    throw new UsageError(`--epochs sets a fixed training budget; with ${flag} each trial trains until it stops (at most --max-epochs, default ${DEFAULT_MAX_EPOCHS}): drop --epochs or use --max-epochs`);
  }
  const evalEvery = options.evalEvery ?? DEFAULT_EVAL_EVERY;
  const maxEpochs = options.maxEpochs ?? DEFAULT_MAX_EPOCHS;
  if (evalEvery > maxEpochs) {
    throw new UsageError(`--eval-every ${evalEvery} is more than --max-epochs ${maxEpochs}: a trial would never be evaluated before it ends; lower --eval-every (default ${DEFAULT_EVAL_EVERY})`);
  }
  checkTargetsMatchModels(targets, models, options.patience !== undefined);
  for (const target of targets) checkTargetReachable(target, models, seed);
  return { targets, evalEvery, maxEpochs, ...(options.patience !== undefined ? { patience: options.patience } : {}) };
}

function checkTargetsMatchModels(targets: readonly QualityTarget[], models: ReadonlyMap<string, DatasetSpec>, hasPatience: boolean): void {
  const described = [...models].map(([model, spec]) => `${model}: ${spec.task}`).join(', ');
  for (const target of targets) {
    const task = taskOf(target.metric);
    if (![...models.values()].some((spec) => spec.task === task)) {
      const other = task === 'regression' ? 'accuracy' : 'r2';
      throw new UsageError(
        `--target ${target.metric}=${target.value}: ${metricName(target.metric)} is a ${task} metric and no model in this sweep does ${task} (${described}); use --target ${other}=${target.value} or add a ${task} model`,
      );
    }
  }
  if (targets.length === 0 || hasPatience) return;
  for (const [model, spec] of models) {
    if (!targets.some((t) => taskOf(t.metric) === spec.task)) {
      throw new UsageError(
        `--target: model "${model}" trains on ${spec.task} data (${spec.name}) but no ${spec.task === 'regression' ? 'r2' : 'accuracy'} target was given; add --target ${exampleFor(spec.task)}, drop ${model} from --models, or add --patience to train it to convergence`,
      );
    }
  }
}

/** A target above the data set's ideal quality can never be reached: refuse it now rather than after --max-epochs of every trial. */
function checkTargetReachable(target: QualityTarget, models: ReadonlyMap<string, DatasetSpec>, seed: number): void {
  const specs = new Map([...models.values()].filter((spec) => spec.task === taskOf(target.metric) && spec.generator !== 'file').map((spec) => [spec.name, spec]));
  for (const spec of specs.values()) {
    const ideal = idealQuality(spec, datasetSeed(seed, spec.name));
    if (target.value > ideal.value + IDEAL_MARGIN_STANDARD_ERRORS * ideal.standardError) {
      const suggestion = Math.floor(ideal.value * 0.95 * 100) / 100;
      throw new UsageError(
        `--target ${target.metric}=${target.value}: the best any model can reach on "${spec.name}" is ${metricName(target.metric)} ${ideal.value.toFixed(3)}` +
          `${ideal.standardError > 0 ? ` ± ${ideal.standardError.toFixed(3)}` : ''} (${ideal.basis}); choose a target below it, e.g. ${target.metric}=${suggestion}`,
      );
    }
  }
}
