/**
 * The one interface every mode implements (src/modes/<mode>/index.ts), registered by name in
 * src/modes/index.ts, as hyperfine registers its exporters and vitest its reporters. Planning,
 * analysis, reports and the pool runner ask the registry, never a mode by name.
 */
import type { Piscina } from 'piscina';
import type { ModeOptions } from '../config/schema.js';
import type { BenchmarkPlan, Cell, Mode, TrialResult } from '../results/schema.js';
import type { CellJob, CellMeasurement, TrialProgress } from '../measure/runner.js';
import type { DataParallelCellAnalysis } from './data-parallel/analysis.js';
import type { InferenceCellAnalysis } from './inference/analysis.js';

/** The cell fields beyond model, data set, size, width and mode that a mode adds. */
export type CellVariant = Pick<Cell, 'scaling' | 'batchSize' | 'concurrency' | 'rate'>;

/** What a mode's host runner gets from the pool runner: its warm pool and the run's settings. */
export interface ModeContext {
  /** The run's one pool, as wide as the widest cell; tasks name their own module via `filename`. */
  pool: Piscina<unknown, unknown>;
  plan: BenchmarkPlan;
  /** Backend compute threads per worker (1 when the pool is as wide as the cores). */
  threads: number;
  coldStartMs: number;
  /** The pool's wasm heaps added up, as the workers last published them (bytes; 0 off wasm or when unknown). */
  wasmHeapBytes?: () => number;
}

export type { ModeOptions };

/** The fields a mode adds to a cell's analysis (see CellAnalysis in src/analyse/schema.ts). */
export interface ModeCellAnalysis {
  dataParallel?: DataParallelCellAnalysis;
  inference?: InferenceCellAnalysis;
}

export interface ModeDefinition {
  readonly name: Mode;
  /** The ModeOptions only this mode accepts, with the flag that sets each (for "applies to --mode X only"). */
  readonly flags: ReadonlyArray<{ key: Exclude<keyof ModeOptions, 'quick'>; flag: string }>;
  /** Sizes when --sizes is not given, from the profile's. */
  defaultSizes(profileSizes: readonly number[]): number[];
  /** Rejects option values out of range; every message names the flag. */
  checkOptions(options: ModeOptions): void;
  /** The variants each (model, size, width) point of the sweep expands into: one cell per entry. */
  cellVariants(options: ModeOptions): CellVariant[];
  /** Plan-wide settings of the mode. */
  planFields(options: ModeOptions): Pick<BenchmarkPlan, 'inference'>;
  /** The cell id's suffix beyond model, data set, size, width and mode, e.g. "|weak" or "|b=32|c=4"; '' for none. */
  variant(cell: CellVariant): string;
  /** Machine-independent estimate of one trial's work in microseconds, from the microseconds of one pass over the data. */
  trialCostUs(cell: Cell, plan: Pick<BenchmarkPlan, 'inference'>, usPerPass: number): number;
  /** What the analysis adds to a cell of this mode, from its ok trials (pure). */
  analyseCell(okTrials: readonly TrialResult[]): ModeCellAnalysis;
  /** Runs one cell on the run's warm pool: warm-ups and counted repetitions; raw numbers only. */
  runCell(ctx: ModeContext, job: CellJob, onTrial?: (progress: TrialProgress) => void): Promise<CellMeasurement>;
}
