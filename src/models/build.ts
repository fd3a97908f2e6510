/** Builds the model a task names, in a worker thread: every mode's worker goes through here. */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Tf } from '../backends/index.js';
import type { DatasetSpec } from '../results/schema.js';
import { BUILTIN_MODELS } from './catalog.js';
import { buildCustomModel, isCustomModel } from './custom.js';

/** A built-in model, or a custom one (`custom:<file>`) from the module at `path`; seeded, so every worker builds the same weights. */
export async function buildModel(tf: Tf, name: string, spec: DatasetSpec, seed: number, path?: string): Promise<LayersModel> {
  if (isCustomModel(name)) {
    if (!path) throw new Error(`model "${name}" has no module path in the plan: pass it with --model <file>`);
    return buildCustomModel(tf, path, spec, seed);
  }
  const definition = BUILTIN_MODELS[name as keyof typeof BUILTIN_MODELS];
  if (!definition) throw new Error(`unknown model "${name}": choose a built-in model (see \`scale-bench list\`)`);
  return definition.build(tf, spec, seed);
}
