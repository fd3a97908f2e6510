/**
 * E-Divisive means with its permutation test (stats/change-points.ts): the statistic against a
 * hand-computed value and a direct O(n²) computation, the test's exactness, the minimum step, and the
 * known-answer simulations of the history issue (a 10% step at run 40 of 60; noise-only histories).
 */
import { describe, expect, it } from 'vitest';
import { bestSplit, defaultPermutations, eDivisive, fewestPointsForSignificance, findChangePoints, minimumPermutations } from '../src/stats/change-points.js';
import { seededRandom } from '../src/stats/random.js';

function normal(random: () => number): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** The energy statistic straight from its definition, every sum recomputed: the reference for the fast scan. */
function directBestSplit(values: number[], minSize: number): { tau: number; statistic: number } | null {
  let best: { tau: number; statistic: number } | null = null;
  for (let tau = minSize; tau <= values.length - minSize; tau++) {
    const x = values.slice(0, tau);
    const y = values.slice(tau);
    const mean = (a: number[], b: number[]) => a.reduce((s, p) => s + b.reduce((t, q) => t + Math.abs(p - q), 0), 0) / (a.length * b.length);
    const energy = 2 * mean(x, y) - mean(x, x) - mean(y, y);
    const statistic = ((x.length * y.length) / values.length) * energy;
    if (!best || statistic > best.statistic + 1e-9) best = { tau, statistic };
  }
  return best;
}

/** `runs` values of level 100 with relative noise `noise()`, multiplied by 1 + step from index `at` on. */
function history(seed: number, runs: number, noise: (random: () => number) => number, step = 0, at = runs): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: runs }, (_, i) => 100 * (i >= at ? 1 + step : 1) * (1 + noise(random)));
}

const gaussian = (sigma: number) => (random: () => number) => sigma * normal(random);
/** Every run within ±5% of its level. */
const uniform5 = (random: () => number) => 0.05 * (2 * random() - 1);

/** Gaussian maximum-likelihood location of a single mean shift (least squares), for comparison. */
function leastSquaresSplit(values: number[]): number {
  let best = { tau: 1, score: -Infinity };
  const total = values.reduce((a, b) => a + b, 0);
  let left = 0;
  for (let tau = 1; tau < values.length; tau++) {
    left += values[tau - 1]!;
    const n = tau;
    const m = values.length - tau;
    const diff = left / n - (total - left) / m;
    const score = ((n * m) / values.length) * diff * diff;
    if (score > best.score) best = { tau, score };
  }
  return best.tau;
}

describe('energy statistic of a split', () => {
  it('matches a hand computation: [1,1,1,5,5,5] splits at 3 with T = 12', () => {
    // X = {1,1,1}, Y = {5,5,5}: mean |x-y| = 4, within both 0; E = 2·4 = 8; T = (3·3/6)·8 = 12.
    expect(bestSplit([1, 1, 1, 5, 5, 5], 1)).toEqual({ tau: 3, statistic: 12 });
  });

  it('equals the direct O(n²) computation on random series with ties', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const length = 4 + Math.floor(random() * 40);
      const values = Array.from({ length }, () => Math.round(random() * 20) / 2 + (random() < 0.3 ? 5 : 0));
      for (const minSize of [1, 2, 3]) {
        const fast = bestSplit(values, minSize);
        const direct = directBestSplit(values, minSize);
        if (!direct) {
          expect(fast).toBeNull();
          continue;
        }
        expect(fast!.statistic).toBeCloseTo(direct.statistic, 8);
        expect(fast!.tau).toBe(direct.tau);
      }
    }
  });

  it('has no split when a side would hold fewer than minSize points', () => {
    expect(bestSplit([1, 2, 3], 2)).toBeNull();
    expect(bestSplit([1, 2, 3, 4], 2)!.tau).toBe(2);
  });
});

describe('permutation test', () => {
  it('needs 999 permutations at alpha 0.001 and 19 at 0.05: (b + 1) / (R + 1) must reach alpha', () => {
    expect(minimumPermutations(0.001)).toBe(999);
    expect(minimumPermutations(0.05)).toBe(19);
    expect(minimumPermutations(0.01)).toBe(99);
    // By default up to 4 permutations may be as extreme: (4 + 1) / (R + 1) = alpha.
    expect(defaultPermutations(0.001)).toBe(4999);
    expect(defaultPermutations(0.05)).toBe(99);
  });

  it('finds a clean step of 6 runs after 12, whose exact p (about 0.00013) a 999-permutation test misses 1 time in 8', () => {
    // Medians of a fake-runner history: 12 runs near 7 ms, then 6 near 9.1 ms.
    const values = [7.111, 7.084, 7.04, 7.136, 7.012, 6.949, 6.87, 7.047, 6.96, 6.935, 6.95, 7.135, 8.924, 9.086, 9.059, 9.094, 9.153, 9.086];
    for (let seed = 1; seed <= 20; seed++) expect(eDivisive(values, { seed }).points.map((p) => p.index)).toEqual([12]);
  });

  it('no split of fewer than 14 points can reach p <= 0.001 (2 / C(14, 7) < 0.001 <= 2 / C(13, 6))', () => {
    expect(fewestPointsForSignificance(0.001)).toBe(14);
    expect(fewestPointsForSignificance(0.05)).toBe(8);
  });

  it('finds a clean step with the smallest p-value the permutations allow', () => {
    const values = history(3, 30, gaussian(0.01), 0.5, 18);
    const { points, permutationsRun } = eDivisive(values);
    expect(points).toEqual([{ index: 18, pValue: 1 / 5000 }]);
    // The found split ran all 4999 permutations; testing the two halves stopped after 5 exceedances each.
    expect(permutationsRun).toBeGreaterThanOrEqual(4999);
    expect(permutationsRun).toBeLessThan(4999 + 300);
  });

  it('stops as soon as a split can no longer reach alpha (Besag-Clifford), so noise costs few permutations', () => {
    const values = history(5, 60, gaussian(0.05));
    const { points, permutationsRun } = eDivisive(values);
    expect(points).toEqual([]);
    // Stopping at the fifth permutation as extreme: dozens, not 4999.
    expect(permutationsRun).toBeLessThan(200);
  });

  it('gives the same answer for the same series and seed, and refuses non-finite values', () => {
    const values = history(9, 40, gaussian(0.03), 0.2, 25);
    expect(findChangePoints(values)).toEqual(findChangePoints(values));
    expect(() => eDivisive([1, 2, Number.NaN, 4])).toThrow(/finite/);
  });

  it('finds two steps in one series', () => {
    const values = history(11, 60, gaussian(0.02), 0, 60).map((v, i) => v * (i >= 20 ? 1.3 : 1) * (i >= 45 ? 0.8 : 1));
    expect(findChangePoints(values).changePoints.map((cp) => cp.index)).toEqual([20, 45]);
  });
});

describe('minimum step', () => {
  it('drops a significant step smaller than minStep, keeps it with a smaller minStep', () => {
    const values = history(13, 40, gaussian(0.002), 0.03, 20);
    const strict = findChangePoints(values, { minStep: 0.05 });
    expect(strict.changePoints).toEqual([]);
    expect(strict.belowMinStep).toBe(1);
    const loose = findChangePoints(values, { minStep: 0.01 });
    expect(loose.changePoints.map((cp) => cp.index)).toEqual([20]);
    const [cp] = loose.changePoints;
    expect(cp!.step).toBeCloseTo(0.03, 2);
    // The interval of the ratio of medians covers the true 1.03 and excludes 1.
    expect(cp!.ratio!.low!).toBeLessThan(1.03);
    expect(cp!.ratio!.high!).toBeGreaterThan(1.03);
    expect(cp!.ratio!.low!).toBeGreaterThan(1);
  });

  it('measures steps in the values’ own unit on the absolute scale', () => {
    const values = history(17, 30, gaussian(0.001), 0, 30).map((v, i) => v / 100 - (i >= 15 ? 0.08 : 0));
    const [cp] = findChangePoints(values, { scale: 'absolute', minStep: 0.05 }).changePoints;
    expect(cp!.index).toBe(15);
    expect(cp!.step!).toBeCloseTo(-0.08, 2);
    expect(cp!.ratio).toBeNull();
    expect(findChangePoints(values, { scale: 'absolute', minStep: 0.1 }).changePoints).toEqual([]);
  });
});

describe('known answers: 60 runs, one 10% step at run 40', () => {
  const SIMULATIONS = 200;
  /*
   * Fewer permutations where the maths allows: 20 runs after a 2-sd step have an exact p-value far below
   * 1/5000, so 999 permutations (none as extreme) decide as the default 4999 do at a fifth of the cost.
   * The first test checks that on the first simulated histories.
   */
  const PERMUTATIONS = 999;

  it('999 permutations find the same change points as the default on these histories', () => {
    for (let s = 0; s < 10; s++) {
      for (const noise of [uniform5, gaussian(0.05)]) {
        const values = history(1000 + s, 60, noise, 0.1, 40);
        const fast = findChangePoints(values, { seed: s + 1, permutations: PERMUTATIONS }).changePoints.map((cp) => cp.index);
        expect(fast).toEqual(findChangePoints(values, { seed: s + 1 }).changePoints.map((cp) => cp.index));
      }
    }
  });

  function simulate(noise: (random: () => number) => number) {
    let within1 = 0;
    let within3 = 0;
    let detected = 0;
    let extra = 0;
    let leastSquaresWithin1 = 0;
    for (let s = 0; s < SIMULATIONS; s++) {
      const values = history(1000 + s, 60, noise, 0.1, 40);
      const found = findChangePoints(values, { seed: s + 1, permutations: PERMUTATIONS }).changePoints.map((cp) => cp.index);
      if (found.length > 0) detected += 1;
      if (found.some((i) => Math.abs(i - 40) <= 1)) within1 += 1;
      if (found.some((i) => Math.abs(i - 40) <= 3)) within3 += 1;
      // More than the one true step: a false change point.
      extra += Math.max(0, found.length - 1);
      if (Math.abs(leastSquaresSplit(values) - 40) <= 1) leastSquaresWithin1 += 1;
    }
    return { within1, within3, detected, extra, leastSquaresWithin1 };
  }

  it('every run within ±5% of its level: found at 40 ± 1 in at least 90% of 200 seeded histories', () => {
    const outcome = simulate(uniform5);
    expect(outcome.within1 / SIMULATIONS).toBeGreaterThanOrEqual(0.9);
    expect(outcome.extra).toBeLessThanOrEqual(SIMULATIONS / 20);
  });

  it('Gaussian noise of 5% sd: detected almost always, located as well as least squares can', () => {
    // A 10% step is 2 sd here, and then no estimator puts it within ±1 of run 40 nine times in ten:
    // the Gaussian maximum-likelihood split (least squares) manages about 83%. E-Divisive must do as well.
    const outcome = simulate(gaussian(0.05));
    expect(outcome.detected / SIMULATIONS).toBeGreaterThanOrEqual(0.97);
    expect(outcome.within1).toBeGreaterThanOrEqual(outcome.leastSquaresWithin1 - 0.05 * SIMULATIONS);
    expect(outcome.within3 / SIMULATIONS).toBeGreaterThanOrEqual(0.9);
    expect(outcome.extra).toBeLessThanOrEqual(SIMULATIONS / 20);
  });

  it('noise only: at most 1 false change point per 20 histories', () => {
    for (const noise of [uniform5, gaussian(0.05)]) {
      let falseChangePoints = 0;
      for (let s = 0; s < SIMULATIONS; s++) falseChangePoints += findChangePoints(history(5000 + s, 60, noise), { seed: s + 1 }).changePoints.length;
      expect(falseChangePoints).toBeLessThanOrEqual(SIMULATIONS / 20);
    }
  });
});
