/**
 * The package's public entry (`import { defineConfig } from 'scale-bench'`): the config helper, the
 * contract of a custom model module, and the types (and zod schemas) of the files scale-bench writes.
 */
export { defineConfig } from './config/file.js';
export type { ScaleBenchConfig, DataConfig } from './config/schema.js';
export type { ModelFactory, ModelFactoryInput } from './models/custom.js';
export type * from './results/schema.js';
export type * from './analyse/schema.js';
export type * from './gate/schema.js';
export type * from './history/schema.js';
export type { Artifact, ReportInput } from './report/types.js';
export { RESULT_SCHEMA_VERSION, runResultSchema } from './results/schema.js';
export { analysisSchema } from './analyse/schema.js';
export { comparisonSchema } from './gate/schema.js';
export { HISTORY_RECORD_VERSION, historyRecordSchema } from './history/schema.js';
export type { PredictionFile, CellPrediction, PredictionModel, Backtest } from './predict/schema.js';
export { PREDICTION_SCHEMA_VERSION, predictionFileSchema } from './predict/schema.js';
