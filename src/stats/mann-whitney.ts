/**
 * Mann-Whitney U (Wilcoxon rank-sum) test of two independent samples.
 *
 * Without ties and with both samples of at most `exactLimit` values, the p-value is exact: the
 * null distribution of U is counted with the recurrence c(m, n, u) = c(m−1, n, u−n) + c(m, n−1, u)
 * (the largest value belongs to x and beats all n y's, or to y and beats none), additions only, so
 * no precision is lost. Otherwise the normal approximation with tie correction and continuity
 * correction is used.
 */
import { normalCdf } from './distributions.js';

/** 'less': x tends to be smaller than y; 'greater': x tends to be larger. */
export type Alternative = 'two-sided' | 'less' | 'greater';

export interface MannWhitneyResult {
  /** U of x: pairs (xᵢ, yⱼ) with xᵢ > yⱼ, ties counting one half. */
  u: number;
  /** U of y = n1·n2 − u. */
  uY: number;
  n1: number;
  n2: number;
  pValue: number;
  method: 'exact' | 'normal';
  /** Standardised statistic of the normal approximation; null for the exact method. */
  z: number | null;
  /** Probability that a random x exceeds a random y (ties count half): u / (n1·n2). */
  effectSize: number;
}

export interface MannWhitneyOptions {
  alternative?: Alternative;
  /** Largest sample size (each side) for the exact distribution; default 50. */
  exactLimit?: number;
}

/** Midranks (1-based) of the pooled values, and the tie-correction sum Σ(t³ − t) over tie groups. */
function rank(values: readonly number[]): { ranks: number[]; tieSum: number } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length).fill(0);
  let tieSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.[0] === order[start]?.[0]) end++;
    const midrank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]?.[1] ?? 0] = midrank;
    const t = end - start + 1;
    tieSum += t * t * t - t;
    start = end + 1;
  }
  return { ranks, tieSum };
}

/**
 * Null distribution of U for sample sizes m and n without ties: P(U = u) for u = 0..m·n.
 * Row-by-row dynamic programme over m, keeping only two rows of n+1 count arrays.
 */
export function exactUDistribution(m: number, n: number): number[] {
  // prev[j] = counts for (i−1, j); cur[j] = counts for (i, j).
  let prev: number[][] = Array.from({ length: n + 1 }, () => [1]);
  for (let i = 1; i <= m; i++) {
    const cur: number[][] = [[1]];
    for (let j = 1; j <= n; j++) {
      const counts = new Array<number>(i * j + 1).fill(0);
      const withoutLargestY = cur[j - 1] ?? [];
      const withoutLargestX = prev[j] ?? [];
      withoutLargestY.forEach((c, u) => (counts[u] = (counts[u] ?? 0) + c));
      withoutLargestX.forEach((c, u) => (counts[u + j] = (counts[u + j] ?? 0) + c));
      cur.push(counts);
    }
    prev = cur;
  }
  const counts = prev[n] ?? [1];
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => c / total);
}

/** Mann-Whitney U test of x against y; null when either sample is empty. */
export function mannWhitneyU(x: readonly number[], y: readonly number[], options: MannWhitneyOptions = {}): MannWhitneyResult | null {
  const alternative = options.alternative ?? 'two-sided';
  const exactLimit = options.exactLimit ?? 50;
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return null;
  const { ranks, tieSum } = rank([...x, ...y]);
  const rankSumX = ranks.slice(0, n1).reduce((s, r) => s + r, 0);
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const uY = n1 * n2 - u;
  const effectSize = u / (n1 * n2);

  if (tieSum === 0 && n1 <= exactLimit && n2 <= exactLimit) {
    const dist = exactUDistribution(n1, n2);
    let lower = 0;
    let upper = 0;
    dist.forEach((p, k) => {
      if (k <= u) lower += p;
      if (k >= u) upper += p;
    });
    const pValue = alternative === 'less' ? lower : alternative === 'greater' ? upper : 2 * Math.min(lower, upper);
    return { u, uY, n1, n2, pValue: Math.min(1, pValue), method: 'exact', z: null, effectSize };
  }

  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieSum / (n * (n - 1)));
  if (!(variance > 0)) {
    // Every value tied: no evidence either way.
    return { u, uY, n1, n2, pValue: 1, method: 'normal', z: 0, effectSize };
  }
  const sd = Math.sqrt(variance);
  let z: number;
  let pValue: number;
  if (alternative === 'less') {
    z = (u - mean + 0.5) / sd;
    pValue = normalCdf(z);
  } else if (alternative === 'greater') {
    z = (u - mean - 0.5) / sd;
    pValue = 1 - normalCdf(z);
  } else {
    z = Math.max(0, Math.abs(u - mean) - 0.5) / sd;
    pValue = 2 * (1 - normalCdf(z));
    if (u < mean) z = -z;
  }
  return { u, uY, n1, n2, pValue: Math.min(1, Math.max(0, pValue)), method: 'normal', z, effectSize };
}
