/**
 * Change points of a series by E-Divisive means (Matteson & James 2014), as MongoDB's
 * signal-processing-algorithms and DataStax's Hunter use it to find performance regressions in CI
 * histories, with a permutation test for the significance of every split, followed by Hunter's merge
 * step: change points whose step is smaller than a minimum are dropped, weakest first.
 *
 * Written here rather than taken from a library because no maintained JavaScript package implements
 * E-Divisive; the statistic, the recursion and the test follow MongoDB's `energy_statistics.py` line by
 * line (the X/Y split at τ, the V-statistic energy distance with exponent 1, the max over the current
 * windows), with two deliberate differences:
 * - the p-value is (b + 1) / (R + 1) (Phipson & Smyth 2010) rather than b / (R + 1), so the test is
 *   exact at its level: with α = 0.001 and the default R = 4999, at most 4 permutations may be as extreme;
 * - the permutations stop as soon as the split can no longer reach α (Besag & Clifford 1991): once
 *   (b + 1) / (R + 1) > α no later permutation can make it significant, so the decision is the same as
 *   running all R, at a fraction of the cost for the (common) splits that are not significant.
 *
 * Knows nothing about benchmarks: values in, indices and numbers out.
 */
import { median } from './descriptive.js';
import { bootstrapRatioOfMedians } from './bootstrap.js';
import { seededRandom, randomIndex } from './random.js';
import type { Estimate } from './types.js';

export interface ChangePointOptions {
  /** Significance level of the permutation test; default 0.001. */
  alpha?: number;
  /** Most permutations per test; default 5/alpha − 1 (4999 at 0.001), see defaultPermutations. */
  permutations?: number;
  /** Fewest points a segment may hold; default 2. */
  minSize?: number;
  /**
   * Smallest step worth reporting, as a fraction (relative scale: 0.05 = 5% of the value before) or in
   * the values' own unit (absolute scale); default 0.05. Significant steps smaller than this are merged away.
   */
  minStep?: number;
  /** 'relative' (default): steps as (after − before) / |before|; 'absolute': after − before. */
  scale?: 'relative' | 'absolute';
  /** Seed of the permutations, so the same series always gives the same answer; default 1. */
  seed?: number;
  /** Confidence level of each step's interval; default 0.95. */
  level?: number;
}

/** One change point: the series moves to a new level at `index`. */
export interface ChangePoint {
  /** First index of the new segment (0-based). */
  index: number;
  /** Permutation-test p-value of the split when it was found. */
  pValue: number;
  /** Median of the segment before and of the segment from `index` on. */
  before: number;
  after: number;
  /** Points in those segments. */
  beforeCount: number;
  afterCount: number;
  /** after − before, divided by |before| on the relative scale; null when before is 0 on that scale. */
  step: number | null;
  /** Bootstrap interval of median(after) / median(before) (relative scale, positive medians only). */
  ratio: Estimate | null;
}

export interface ChangePointResult {
  changePoints: ChangePoint[];
  /** Splits that were significant but dropped because their step was below `minStep`. */
  belowMinStep: number;
  /** Permutations computed in all (a cost figure, for tests and tuning). */
  permutationsRun: number;
}

export const CHANGE_POINT_DEFAULTS = { alpha: 0.001, minSize: 2, minStep: 0.05, seed: 1, level: 0.95 } as const;

/** The fewest permutations with which a p-value (b + 1) / (R + 1) can reach `alpha`. */
export function minimumPermutations(alpha: number): number {
  return Math.max(1, Math.ceil(1 / alpha - 1 - 1e-9));
}

/**
 * Permutations run by default: 5/α − 1, so a split is significant with up to 4 permutations as extreme
 * ((4 + 1) / (R + 1) = α). With only the minimum 1/α − 1, a single chance exceedance rejects it: a clean
 * step of 6 runs after 12 (exact p about 0.00013) would then be missed one time in eight at α = 0.001;
 * with 5/α − 1, one time in 2000. Splits that are not significant stop early either way.
 */
export function defaultPermutations(alpha: number): number {
  return Math.max(minimumPermutations(alpha), Math.ceil(5 / alpha - 1 - 1e-9));
}

interface Split {
  /** Split position inside the window (first index of the right part). */
  tau: number;
  statistic: number;
}

/**
 * A window's values with what every ordering of them shares: each value's place in sorted order and its
 * summed distance to all the others. A permutation then only reorders these, so scoring it needs no sort.
 */
interface Window {
  values: Float64Array;
  /** Position of each value in ascending order (ties broken by index; equal values are 0 apart anyway). */
  rank: Int32Array;
  /** Sum of |values[i] − values[j]| over all j. */
  toAll: Float64Array;
  /** Sum of |x − y| over all unordered pairs. */
  allPairs: number;
}

function prepareWindow(values: ArrayLike<number>): Window {
  const length = values.length;
  const copy = Float64Array.from(values);
  const order = Array.from({ length }, (_, i) => i).sort((a, b) => copy[a]! - copy[b]! || a - b);
  const rank = new Int32Array(length);
  const prefix = new Float64Array(length + 1);
  order.forEach((index, position) => {
    rank[index] = position;
    prefix[position + 1] = prefix[position]! + copy[index]!;
  });
  const toAll = new Float64Array(length);
  let allPairs = 0;
  for (let i = 0; i < length; i++) {
    const k = rank[i]!;
    const x = copy[i]!;
    toAll[i] = x * k - prefix[k]! + (prefix[length]! - prefix[k + 1]!) - x * (length - k - 1);
    allPairs += x * (2 * k - length + 1);
  }
  return { values: copy, rank, toAll, allPairs };
}

/** Reusable Fenwick trees (counts and sums by rank) of the points already on the left of the split. */
class LeftSet {
  private count: Float64Array;
  private sum: Float64Array;
  /** Results of the last `below` call (fields rather than a returned pair: this runs millions of times). */
  countBelow = 0;
  sumBelow = 0;
  constructor(capacity: number) {
    this.count = new Float64Array(capacity + 1);
    this.sum = new Float64Array(capacity + 1);
  }
  reset(size: number): void {
    this.count.fill(0, 0, size + 1);
    this.sum.fill(0, 0, size + 1);
  }
  add(rank: number, value: number, size: number): void {
    for (let i = rank + 1; i <= size; i += i & -i) {
      this.count[i]! += 1;
      this.sum[i]! += value;
    }
  }
  /** Count and sum of the points of rank below `rank`, into countBelow and sumBelow. */
  below(rank: number): void {
    let count = 0;
    let sum = 0;
    for (let i = rank; i > 0; i -= i & -i) {
      count += this.count[i]!;
      sum += this.sum[i]!;
    }
    this.countBelow = count;
    this.sumBelow = sum;
  }
}

/**
 * The best split of a window, visiting its points in `order`, by the energy statistic
 * T(τ) = (n·m / (n + m)) · (2·A − B − C), with A the mean |x − y| across the parts and B, C the mean
 * |x − x'| within each (V-statistics, as in the reference). Moving one point from the right part to the
 * left updates the three sums through the Fenwick trees, so a scan is O(n log n). Only τ with at least
 * `minSize` points on each side count; null when there is none.
 */
function scanSplits(window: Window, order: ArrayLike<number>, minSize: number, left: LeftSet): Split | null {
  const length = order.length;
  if (length < 2 * minSize) return null;
  left.reset(length);
  let cross = 0;
  let within = 0;
  let right = window.allPairs;
  let leftSum = 0;
  let best: Split | null = null;
  for (let tau = 1; tau < length; tau++) {
    const point = order[tau - 1]!;
    const x = window.values[point]!;
    const rank = window.rank[point]!;
    left.below(rank);
    const countBelow = left.countBelow;
    const sumBelow = left.sumBelow;
    const countAbove = tau - 1 - countBelow;
    const toLeft = x * countBelow - sumBelow + (leftSum - sumBelow) - x * countAbove;
    const toRight = window.toAll[point]! - toLeft;
    cross += toRight - toLeft;
    within += toLeft;
    right -= toRight;
    leftSum += x;
    left.add(rank, x, length);
    if (tau < minSize || length - tau < minSize) continue;
    const n = tau;
    const m = length - tau;
    const energy = (2 * cross) / (n * m) - (2 * within) / (n * n) - (2 * right) / (m * m);
    const statistic = ((n * m) / (n + m)) * energy;
    if (!best || statistic > best.statistic) best = { tau, statistic };
  }
  return best;
}

/** The best split of `values` in their own order (see scanSplits); null when no split leaves `minSize` a side. */
export function bestSplit(values: ArrayLike<number>, minSize: number): Split | null {
  const window = prepareWindow(values);
  return scanSplits(window, Array.from({ length: values.length }, (_, i) => i), minSize, new LeftSet(values.length));
}

function shuffled(order: Int32Array, random: () => number): Int32Array {
  for (let i = order.length - 1; i > 0; i--) {
    const j = randomIndex(random, i + 1);
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}

/**
 * E-Divisive means: splits the series at the most dissimilar point of any current window, as long as
 * that split is significant by the permutation test. Returns the change point indices in order, with
 * the p-value each had when found.
 */
export function eDivisive(
  values: readonly number[],
  options: Pick<ChangePointOptions, 'alpha' | 'permutations' | 'minSize' | 'seed'> = {},
): { points: Array<{ index: number; pValue: number }>; permutationsRun: number } {
  const alpha = options.alpha ?? CHANGE_POINT_DEFAULTS.alpha;
  const permutations = options.permutations ?? defaultPermutations(alpha);
  const minSize = Math.max(1, options.minSize ?? CHANGE_POINT_DEFAULTS.minSize);
  const random = seededRandom(options.seed ?? CHANGE_POINT_DEFAULTS.seed);
  const left = new LeftSet(values.length);
  // Windows are memoised by their bounds: a window keeps its best split until a change point cuts it.
  // Fisher-Yates from any arrangement gives a uniform permutation, so `order` is reshuffled in place.
  const windows = new Map<string, { window: Window; order: Int32Array; split: Split | null }>();
  const points: Array<{ index: number; pValue: number }> = [];
  let permutationsRun = 0;
  if (values.some((v) => !Number.isFinite(v))) throw new RangeError('change points: every value must be a finite number');

  for (;;) {
    const bounds = [0, ...points.map((p) => p.index).sort((a, b) => a - b), values.length];
    const current = [];
    let best: { index: number; statistic: number } | null = null;
    for (let k = 0; k + 1 < bounds.length; k++) {
      const start = bounds[k]!;
      const end = bounds[k + 1]!;
      const key = `${start}:${end}`;
      let entry = windows.get(key);
      if (!entry) {
        const window = prepareWindow(values.slice(start, end));
        const identity = Int32Array.from({ length: end - start }, (_, i) => i);
        entry = { window, order: Int32Array.from(identity), split: scanSplits(window, identity, minSize, left) };
        windows.set(key, entry);
      }
      current.push(entry);
      if (entry.split && (!best || entry.split.statistic > best.statistic)) best = { index: start + entry.split.tau, statistic: entry.split.statistic };
    }
    if (!best || !(best.statistic > 0)) break;

    // How often a random reordering inside every window splits at least as well as the best split.
    let asExtreme = 0;
    let run = 0;
    const tolerance = 1e-12 * Math.abs(best.statistic);
    while (run < permutations) {
      run += 1;
      let permutedBest = -Infinity;
      for (const entry of current) {
        const split = scanSplits(entry.window, shuffled(entry.order, random), minSize, left);
        if (split && split.statistic > permutedBest) permutedBest = split.statistic;
      }
      if (permutedBest >= best.statistic - tolerance) asExtreme += 1;
      // Besag-Clifford: even if every remaining permutation were less extreme, p would stay above alpha.
      if ((asExtreme + 1) / (permutations + 1) > alpha) break;
    }
    permutationsRun += run;
    const pValue = (asExtreme + 1) / (run + 1);
    if (run < permutations || pValue > alpha) break;
    points.push({ index: best.index, pValue });
  }
  points.sort((a, b) => a.index - b.index);
  return { points, permutationsRun };
}

function stepOf(before: number, after: number, scale: 'relative' | 'absolute'): number | null {
  if (scale === 'absolute') return after - before;
  return before === 0 ? null : (after - before) / Math.abs(before);
}

function describe(values: readonly number[], indices: readonly number[], pValues: ReadonlyMap<number, number>, options: Required<Pick<ChangePointOptions, 'scale' | 'level' | 'seed'>>): ChangePoint[] {
  const bounds = [0, ...indices, values.length];
  const out: ChangePoint[] = [];
  for (let k = 1; k + 1 < bounds.length; k++) {
    const left = values.slice(bounds[k - 1]!, bounds[k]!);
    const rightPart = values.slice(bounds[k]!, bounds[k + 1]!);
    const before = median(left);
    const after = median(rightPart);
    const ratio =
      options.scale === 'relative' && before > 0 && after > 0
        ? bootstrapRatioOfMedians(rightPart, left, { level: options.level, seed: options.seed, resamples: 1000 })
        : null;
    out.push({
      index: bounds[k]!,
      pValue: pValues.get(bounds[k]!) ?? 1,
      before,
      after,
      beforeCount: left.length,
      afterCount: rightPart.length,
      step: stepOf(before, after, options.scale),
      ratio,
    });
  }
  return out;
}

/**
 * Change points worth reporting: the significant E-Divisive splits, then (as Hunter's `merge`) the one
 * with the smallest step is dropped while any step is below `minStep`, re-measuring its neighbours'
 * steps after each removal, since dropping a point joins two segments.
 */
export function findChangePoints(values: readonly number[], options: ChangePointOptions = {}): ChangePointResult {
  const minStep = options.minStep ?? CHANGE_POINT_DEFAULTS.minStep;
  const settings = {
    scale: options.scale ?? 'relative',
    level: options.level ?? CHANGE_POINT_DEFAULTS.level,
    seed: options.seed ?? CHANGE_POINT_DEFAULTS.seed,
  } as const;
  const { points, permutationsRun } = eDivisive(values, options);
  const pValues = new Map(points.map((p) => [p.index, p.pValue]));
  let indices = points.map((p) => p.index);
  let dropped = 0;
  for (;;) {
    const described = describe(values, indices, pValues, settings);
    // A step that cannot be measured (relative to 0) is kept: it is not known to be small.
    const smallest = described
      .filter((cp) => cp.step !== null && Math.abs(cp.step) < minStep)
      .sort((a, b) => Math.abs(a.step!) - Math.abs(b.step!))[0];
    if (!smallest) return { changePoints: described, belowMinStep: dropped, permutationsRun };
    indices = indices.filter((index) => index !== smallest.index);
    dropped += 1;
  }
}

function binomial(n: number, k: number): number {
  let value = 1;
  for (let i = 1; i <= k; i++) value = (value * (n - k + i)) / i;
  return value;
}

/**
 * The fewest points among which any split can reach significance `alpha`: a perfect split of n points
 * into halves is matched by its mirror image among the C(n, n/2) equally likely arrangements, so its
 * permutation p-value is at least 2 / C(n, ⌊n/2⌋). Below this length the test cannot find anything.
 */
export function fewestPointsForSignificance(alpha: number): number {
  let n = 2;
  while (2 / binomial(n, Math.floor(n / 2)) > alpha) n += 1;
  return n;
}
