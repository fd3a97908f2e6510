/**
 * The package's public entry (`import { defineConfig } from 'scale-bench'`): the config helper, the
 * contract of a custom model module, and the types of the files scale-bench writes.
 */
export { defineConfig } from './config/file.js';
export type { ScaleBenchConfig, DataConfig } from './config/file.js';
export type { ModelFactory, ModelFactoryInput } from './models/custom.js';
export type * from './results/schema.js';
export { RESULT_SCHEMA_VERSION } from './results/schema.js';
