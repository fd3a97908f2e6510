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
});
export type MetricComparison = z.infer<typeof metricComparisonSchema>;

export const budgetResultSchema = z.object({
  /** The budget as written, e.g. "mlp-deep.exponent<=1.1". */
  expression: z.string(),
  measured: z.number().nullable(),
  passed: z.boolean(),
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
});
export type Comparison = z.infer<typeof comparisonSchema>;
