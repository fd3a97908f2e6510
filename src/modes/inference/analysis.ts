/** The pure analysis of inference cells: latency percentiles, the knee, and the load sweeps. */
import { z } from 'zod';
import { quantileSorted } from 'simple-statistics';
import { median } from '../../stats/index.js';
import { latencySummarySchema, type Cell, type LatencySummary, type TrialResult } from '../../results/schema.js';

/** Latency and errors of one inference cell, medians over its ok repetitions. */
export const inferenceCellAnalysisSchema = z.object({
  /** Median over repetitions of each latency statistic, in ms; null without answered requests. */
  latency: latencySummarySchema.nullable(),
  /** Errors summed over the ok repetitions. */
  errors: z.number(),
  /** Requests summed over the ok repetitions. */
  requests: z.number(),
});
export type InferenceCellAnalysis = z.infer<typeof inferenceCellAnalysisSchema>;

/** Throughput and latency against load for one (model, dataset, size, width, batch size, loop). */
export const inferenceSweepSchema = z.object({
  key: z.string(),
  model: z.string(),
  dataset: z.string(),
  size: z.number(),
  workers: z.number(),
  /** Rows per request. */
  batchSize: z.number(),
  /** closed: the level is the concurrency; open: the level is the request rate (requests/s). */
  loop: z.enum(['closed', 'open']),
  points: z.array(
    z.object({ level: z.number(), throughput: z.number(), latency: latencySummarySchema.nullable(), errors: z.number(), requests: z.number() }),
  ),
  /** First level where latency starts to climb (see kneeRule); null when it never does among the levels run. */
  knee: z.number().nullable(),
  /** The rule the knee was found by, in words. */
  kneeRule: z.string(),
});
export type InferenceSweep = z.infer<typeof inferenceSweepSchema>;

/** What the sweeps need of an analysed cell (the analysis's CellAnalysis has these fields). */
export interface InferenceSweepCell {
  cell: Cell;
  samplesPerSec: { median: number } | null;
  inference?: InferenceCellAnalysis | undefined;
}


/** p50/p95/p99 (type 7 quantiles), max and mean of latencies in ms; null for none. */
export function latencySummary(latencies: readonly number[]): LatencySummary | null {
  const finite = latencies.filter(Number.isFinite);
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  return {
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((sum, v) => sum + v, 0) / sorted.length,
  };
}

export const KNEE_LATENCY_GROWTH = 1.5;
export const KNEE_THROUGHPUT_GROWTH = 1.2;
export const KNEE_RULE = `first level whose p95 latency is more than ${KNEE_LATENCY_GROWTH}x the previous level's while throughput grows less than ${KNEE_THROUGHPUT_GROWTH}x`;

/**
 * The load level where latency starts to climb: the first level (in increasing order) whose p95 is
 * more than 1.5x the previous level's while its throughput is less than 1.2x the previous level's
 * (more load buys queueing, not answers). null when no level qualifies or fewer than 2 have latencies.
 */
export function findKnee(
  points: ReadonlyArray<{ level: number; throughput: number; p95: number | null }>,
  latencyGrowth = KNEE_LATENCY_GROWTH,
  throughputGrowth = KNEE_THROUGHPUT_GROWTH,
): number | null {
  const measured = points
    .filter((p): p is { level: number; throughput: number; p95: number } => p.p95 !== null && Number.isFinite(p.p95) && Number.isFinite(p.throughput))
    .sort((a, b) => a.level - b.level);
  for (let i = 1; i < measured.length; i++) {
    const before = measured[i - 1]!;
    const point = measured[i]!;
    if (!(before.p95 > 0) || !(before.throughput > 0)) continue;
    if (point.p95 > latencyGrowth * before.p95 && point.throughput < throughputGrowth * before.throughput) return point.level;
  }
  return null;
}


/** Latency (median over ok repetitions of each statistic), errors and requests of one inference cell. */
export function inferenceCellAnalysis(trials: readonly TrialResult[]): InferenceCellAnalysis {
  const ok = trials.filter((t) => t.state === 'ok');
  const withLatency = ok.flatMap((t) => (t.latency ? [t.latency] : []));
  const pick = (key: keyof LatencySummary): number => median(withLatency.map((l) => l[key]));
  return {
    latency: withLatency.length === 0 ? null : { p50: pick('p50'), p95: pick('p95'), p99: pick('p99'), max: pick('max'), mean: pick('mean') },
    errors: ok.reduce((sum, t) => sum + (t.errors ?? 0), 0),
    requests: ok.reduce((sum, t) => sum + (t.requests ?? 0), 0),
  };
}

/** Throughput and latency against load level, per (model, dataset, size, width, batch size, loop), with the knee. */
export function inferenceSweeps(cells: readonly InferenceSweepCell[]): InferenceSweep[] {
  const groups = new Map<string, InferenceSweepCell[]>();
  for (const c of cells) {
    const { cell } = c;
    if (cell.mode !== 'inference' || (cell.concurrency === undefined && cell.rate === undefined)) continue;
    const loop = cell.rate !== undefined ? 'open' : 'closed';
    const key = `${cell.model}|${cell.dataset}|n=${cell.size}|w=${cell.workers}|inference|b=${cell.batchSize ?? 1}|${loop}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const sweeps: InferenceSweep[] = [];
  for (const [key, group] of groups) {
    const { cell } = group[0]!;
    const loop = cell.rate !== undefined ? 'open' : 'closed';
    const points = group
      .filter((c) => c.samplesPerSec !== null)
      .map((c) => ({
        level: (loop === 'open' ? c.cell.rate : c.cell.concurrency) ?? 0,
        throughput: c.samplesPerSec?.median ?? 0,
        latency: c.inference?.latency ?? null,
        errors: c.inference?.errors ?? 0,
        requests: c.inference?.requests ?? 0,
      }))
      .sort((a, b) => a.level - b.level);
    sweeps.push({
      key,
      model: cell.model,
      dataset: cell.dataset,
      size: cell.size,
      workers: cell.workers,
      batchSize: cell.batchSize ?? 1,
      loop,
      points,
      knee: findKnee(points.map((p) => ({ level: p.level, throughput: p.throughput, p95: p.latency?.p95 ?? null }))),
      kneeRule: KNEE_RULE,
    });
  }
  return sweeps;
}
