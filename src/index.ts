/**
 * The package's public entry (`import { defineConfig } from 'scale-bench'`): the config helper, the
 * contract of a custom model module, and the types of the files scale-bench writes.
 */
export { defineConfig } from './config.js';
export type { ScaleBenchConfig, DataConfig } from './config.js';
export type { ModelFactory, ModelFactoryInput } from './models/custom.js';
export type * from './types.js';
export { RESULT_SCHEMA_VERSION } from './types.js';
