/**
 * Series -> trends: the change points of every series (E-Divisive means with its permutation test and
 * a minimum step, stats/change-points.ts), each named by the commit and run where the new level starts,
 * with the size of the step, its interval and its p-value, and which way it went for this metric.
 */
import { CHANGE_POINT_DEFAULTS, fewestPointsForSignificance, findChangePoints, type ChangePoint } from '../stats/change-points.js';
import { METRIC_INFO, type Series } from './series.js';

export interface TrendOptions {
  /** Significance level of the permutation test; default 0.001. */
  alpha?: number;
  /** Smallest step worth reporting: a fraction of the level before (quality: accuracy / R² points); default 0.05. */
  minStep?: number;
  /** Most permutations per test (default: the fewest that can reach alpha). */
  permutations?: number;
  /** Seed of the permutations; default 1, so the same history always gives the same answer. */
  seed?: number;
}

export type ResolvedTrendOptions = Required<Omit<TrendOptions, 'permutations'>> & Pick<TrendOptions, 'permutations'>;

export function resolveTrendOptions(options: TrendOptions = {}): ResolvedTrendOptions {
  return {
    alpha: options.alpha ?? CHANGE_POINT_DEFAULTS.alpha,
    minStep: options.minStep ?? CHANGE_POINT_DEFAULTS.minStep,
    seed: options.seed ?? CHANGE_POINT_DEFAULTS.seed,
    ...(options.permutations !== undefined ? { permutations: options.permutations } : {}),
  };
}

export interface TrendChangePoint extends ChangePoint {
  /** Whether the new level is better or worse for this metric. */
  direction: 'worse' | 'better';
  /** The first run at the new level. */
  commit: string;
  date: string;
  runId: string;
  run: string;
}

export interface SeriesTrend {
  series: Series;
  /** 'too-few-runs': no split of this many points can reach the significance level, so nothing was tested. */
  status: 'analysed' | 'too-few-runs';
  changePoints: TrendChangePoint[];
}

export interface HistoryAnalysis {
  trends: SeriesTrend[];
  options: ResolvedTrendOptions;
  /** Fewest runs a series needs before a change point can be significant at options.alpha. */
  fewestRuns: number;
}

export function directionOf(series: Pick<Series, 'metric'>, step: number): 'worse' | 'better' {
  const worseUp = METRIC_INFO[series.metric].worse === 'up';
  return step > 0 === worseUp ? 'worse' : 'better';
}

/** Change points of one series (or of its first `length` points, for "was this already known?"). */
export function seriesChangePoints(series: Series, options: ResolvedTrendOptions, length = series.points.length): TrendChangePoint[] {
  const points = series.points.slice(0, length);
  const found = findChangePoints(
    points.map((p) => p.value),
    {
      alpha: options.alpha,
      minStep: options.minStep,
      seed: options.seed,
      scale: METRIC_INFO[series.metric].scale,
      ...(options.permutations !== undefined ? { permutations: options.permutations } : {}),
    },
  );
  return found.changePoints.map((cp) => {
    const first = points[cp.index]!;
    return { ...cp, direction: directionOf(series, cp.after - cp.before), commit: first.commit, date: first.date, runId: first.runId, run: first.run };
  });
}

export function analyseHistory(series: readonly Series[], options: TrendOptions = {}): HistoryAnalysis {
  const resolved = resolveTrendOptions(options);
  const fewestRuns = fewestPointsForSignificance(resolved.alpha);
  const trends = series.map((entry): SeriesTrend => {
    if (entry.points.length < fewestRuns) return { series: entry, status: 'too-few-runs', changePoints: [] };
    return { series: entry, status: 'analysed', changePoints: seriesChangePoints(entry, resolved) };
  });
  return { trends, options: resolved, fewestRuns };
}
