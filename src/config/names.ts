/**
 * The names every stage shares: backends, generators, built-in models, modes, tasks. Each is a zod
 * enum, so the saved files and the flags accept exactly the same words, and its type is derived from it.
 */
import { z } from 'zod';

/** tfjs backends; 'node' is @tensorflow/tfjs-node where it installed. */
export const backendNameSchema = z.enum(['node', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof backendNameSchema>;

/** What `--backend` accepts: a backend, or 'auto' for the fastest that loads. */
export const backendChoiceSchema = z.enum(['auto', 'node', 'wasm', 'cpu']);
export type BackendChoice = z.infer<typeof backendChoiceSchema>;
export const BACKEND_CHOICES: readonly BackendChoice[] = backendChoiceSchema.options;

/** Built-in synthetic data generators (mirroring scikit-learn's make_* functions) plus generated images. */
export const generatorNameSchema = z.enum(['regression', 'classification', 'blobs', 'moons', 'images']);
export type GeneratorName = z.infer<typeof generatorNameSchema>;
export const GENERATOR_NAMES: readonly GeneratorName[] = generatorNameSchema.options;

/** Built-in models in increasing complexity. Custom models are `custom:<file name>`. */
export type BuiltinModelName = 'linear' | 'logistic' | 'mlp-small' | 'mlp-deep' | 'cnn-small';

/**
 * job-parallel: each of w workers trains its own replica on the shared dataset; aggregate samples/s.
 * data-parallel: w workers train ONE model with synchronous gradient averaging.
 * inference: a trained model served by w workers under load.
 * Each has its folder under src/modes/; this list is the results file's word for it.
 */
export const modeSchema = z.enum(['job-parallel', 'data-parallel', 'inference']);
export type Mode = z.infer<typeof modeSchema>;
export const MODES: readonly Mode[] = modeSchema.options;

export const taskSchema = z.enum(['regression', 'classification']);
export type Task = z.infer<typeof taskSchema>;

/** Data-parallel scaling: fixed global batch (strong) or global batch growing with the width (weak). */
export const scalingSchema = z.enum(['strong', 'weak']);
export type Scaling = z.infer<typeof scalingSchema>;
export const SCALINGS: readonly Scaling[] = scalingSchema.options;
