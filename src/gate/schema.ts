/** baseline RunResult + current RunResult -> Comparison: the types comparison.json holds, as zod schemas. */
import { z } from 'zod';
import { estimateSchema } from '../stats/types.js';

export const verdictSchema = z.enum(['improved', 'regressed', 'unchanged', 'inconclusive']);
export type Verdict = z.infer<typeof verdictSchema>;

export const metricComparisonSchema = z.object({
  /** e.g. "wallMs", "peakRssBytes", "quality", "exponent", "efficiency@2", "uslPeak". */
  metric: z.string(),
  subject: z.string(),
  baseline: z.number(),
  current: z.number(),
  /** Relative change (current / baseline - 1); for quality the absolute difference. */
  change: z.number(),
  /** Confidence interval of the change, when the test gives one. */
  changeCi: estimateSchema.nullable(),
  /** Test used, e.g. "mann-whitney-exact", "bootstrap-ratio", "ci-overlap", "threshold". */
  test: z.string(),
  pValue: z.number().nullable(),
  /** Noise threshold the change had to exceed, relative. */
  threshold: z.number(),
  verdict: verdictSchema,
  /** Whether this comparison was allowed to fail the gate (raw times only on the same machine). */
  gated: z.boolean(),
  /** Why the verdict is what it is where the numbers alone do not say (no interval, machine speed, not confirmed). */
  note: z.string().optional(),
  /** How much slower the machine ran the cells behind this comparison, by the canary: current / baseline − 1 (median over cells). */
  canaryChange: z.number().optional(),
  /** The verdict of the raw numbers, when the canary or the confirm step changed it. */
  rawVerdict: verdictSchema.optional(),
  /** The confirm step's re-run: the same comparison with the re-run's measurements in place of the sweep's. */
  confirmation: z
    .object({
      current: z.number(),
      change: z.number(),
      changeCi: estimateSchema.nullable(),
      verdict: verdictSchema,
      canaryChange: z.number().optional(),
    })
    .optional(),
});
export type MetricComparison = z.infer<typeof metricComparisonSchema>;

export const budgetResultSchema = z.object({
  /** The budget as written, e.g. "mlp-deep.exponent<=1.1". */
  expression: z.string(),
  measured: z.number().nullable(),
  /** false only for 'failed': an inconclusive budget does not fail the build. */
  passed: z.boolean(),
  /** 'failed' only when the measurement's whole interval lies beyond the limit; 'inconclusive' when it straddles it or has none. */
  verdict: z.enum(['passed', 'failed', 'inconclusive']).optional(),
  /** The confidence interval of `measured`, when it has one. */
  interval: z.object({ low: z.number(), high: z.number(), level: z.number() }).optional(),
  message: z.string(),
});
export type BudgetResult = z.infer<typeof budgetResultSchema>;

export const comparisonSchema = z.object({
  baselineRunId: z.string(),
  currentRunId: z.string(),
  sameMachine: z.boolean(),
  /** 'raw' = times and memory gated (same machine); 'shape' = only fitted laws and quality gated. */
  gateMode: z.enum(['raw', 'shape']),
  metrics: z.array(metricComparisonSchema),
  budgets: z.array(budgetResultSchema),
  /** Geometric mean of current/baseline wall-time ratios over matched cells. */
  geometricMeanRatio: z.number().nullable(),
  regressions: z.number(),
  improvements: z.number(),
  warnings: z.array(z.string()),
  /** true when nothing gated regressed and every budget passed. */
  passed: z.boolean(),
  /** The machine's speed between the runs, from the canary readings; absent when the current run has none. */
  canary: z
    .object({
      /** 'paired': current vs baseline reading per cell; 'within': only the current run has readings (vs its lower quartile per width). */
      basis: z.enum(['paired', 'within']),
      /** Cells with a canary change. */
      cells: z.number(),
      /** Of those, cells whose change exceeded the canary threshold (`band`). */
      movedCells: z.number(),
      band: z.number(),
      /** Median, smallest and largest per-cell change of the canary, current / reference − 1. */
      medianChange: z.number(),
      minChange: z.number(),
      maxChange: z.number(),
      /** Whether times were divided by the canary's change (--normalise canary). */
      normalised: z.boolean(),
      /** Verdicts the canary changed (a raw regression or improvement it explained). */
      affectedVerdicts: z.number(),
      /** How much the machine's speed varied within the runs: the largest per-width interquartile ratio of the canary readings, q75 / q25 − 1. */
      spread: z.number().optional(),
      /** Of the moved cells, those whose change is their own CPU share's (load during the cell), not the canary's. */
      cpuShareCells: z.number().optional(),
    })
    .optional(),
  /** The confirm step: regressions whose cells were re-run after the sweep, and how many the re-run confirmed. */
  confirm: z.object({ checked: z.number(), confirmed: z.number() }).optional(),
});
export type Comparison = z.infer<typeof comparisonSchema>;
