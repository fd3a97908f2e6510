/**
 * The history store's record: one JSON line per cell and per fitted law of a run, with what a trend
 * needs (commit, branch, date, machine fingerprint, backend, medians with their intervals, quality,
 * exponents, efficiencies) and never the raw trials. These zod schemas are the one definition of its
 * type; every line read is validated against them.
 *
 * Every record carries its run's identity, so a line stands on its own: files merge by concatenation,
 * grep and jq work on them, and the CSV export is one row per record.
 */
import { z } from 'zod';
import { backendNameSchema } from '../config/names.js';
import { qualitySchema } from '../results/schema.js';

/** Version of the record format (the `v` field of every line). Bump on any incompatible change. */
export const HISTORY_RECORD_VERSION = 1 as const;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** [median, low, high]: a median with its confidence interval; null bounds when there were too few repetitions. */
export const intervalSchema = z.tuple([finite, finite.nullable(), finite.nullable()]);
export type Interval = z.infer<typeof intervalSchema>;

const recordBase = {
  v: z.literal(HISTORY_RECORD_VERSION),
  /** Key of the run: a hash of its run id, start time and machine, unique even when run ids repeat (--run-id nightly). */
  run: z.string().min(1),
  /** The results file's run id, for people. */
  runId: z.string(),
  /** ISO 8601 start time of the run; series are ordered by it. */
  date: z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO 8601 date'),
  /** Git commit measured ("unknown" when neither the results nor --commit said). */
  commit: z.string().min(1),
  branch: z.string().min(1),
  /** Machine fingerprint (Environment.machineId) of the machine that measured. */
  machine: z.string().min(1),
  backend: backendNameSchema,
  /** 'fake' records come from the test runner and never share a series with real ones. */
  runner: z.enum(['tfjs', 'fake']),
  /** Cell id (cells) or the fitted law's key (laws). */
  subject: z.string().min(1),
};

export const cellRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('cell'),
  /** Median wall time of the timed phase, in ms, with its interval. */
  wallMs: intervalSchema,
  /** Median samples (or, for inference, requests' rows) per second, all workers, with its interval. */
  throughput: intervalSchema,
  /** Median peak resident set size, in bytes. */
  memory: finite,
  /** Median held-out quality. */
  quality: qualitySchema.optional(),
  /** inference: median p99 latency, in ms. */
  latencyP99: finite.optional(),
  /** Repetitions that finished ok, of `trials`. */
  ok: z.number().int().nonnegative(),
  trials: z.number().int().nonnegative(),
});
export type CellRecord = z.infer<typeof cellRecordSchema>;

/** Time against dataset size (t = a·n^b) or time per sample against parameters: the exponent b with its interval. */
export const exponentRecordSchema = z.object({
  ...recordBase,
  kind: z.enum(['size-law', 'complexity-law']),
  exponent: intervalSchema,
});
export type ExponentRecord = z.infer<typeof exponentRecordSchema>;

/** Throughput against pool width: parallel efficiency S(w)/w by width, and the USL peak width when fitted. */
export const widthRecordSchema = z.object({
  ...recordBase,
  kind: z.literal('width-law'),
  /** Efficiency (0..1 is typical) by pool width, as a string key ("2", "3"). */
  efficiency: z.record(z.string().regex(/^\d+$/), finite),
  /** Pool width of peak throughput by the Universal Scalability Law. */
  uslPeak: finite.optional(),
});
export type WidthRecord = z.infer<typeof widthRecordSchema>;

export const historyRecordSchema = z.union([cellRecordSchema, exponentRecordSchema, widthRecordSchema]);
export type HistoryRecord = z.infer<typeof historyRecordSchema>;
export type RecordKind = HistoryRecord['kind'];

/** A record with where it was read from, so every message can name the file and line. */
export interface StoredRecord {
  record: HistoryRecord;
  file: string;
  /** 1-based line number. */
  line: number;
}
