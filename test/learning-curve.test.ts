/** Learning curves err(n) = a·n^(−α) + c and the time-to-target summaries, against known answers and seeded simulations. */
import { describe, expect, it } from 'vitest';
import {
  censoredMedian,
  coefficientOfVariation,
  fitLearningCurve,
  learningCurveBand,
  learningCurveError,
  mlperfSummary,
  repetitionsForPrecision,
  seededRandom,
  sizeForError,
  sizeForErrorEstimate,
  standardNormal,
} from '../src/stats/index.js';

const TRUE = { a: 2, alpha: 0.3, c: 0.05 };
/** Six sizes, 4x apart: the span the exponent needs to be told apart from the floor. */
const SIZES = [250, 1000, 4000, 16_000, 64_000, 256_000];

function noisyCurve(seed: number, noise = 0.02) {
  const random = seededRandom(seed);
  return SIZES.map((size) => ({ size, errors: [learningCurveError(TRUE, size) * (1 + noise * standardNormal(random))] }));
}

describe('fitLearningCurve', () => {
  it('recovers exact parameters from noise-free points', () => {
    const fit = fitLearningCurve(SIZES.map((size) => ({ size, errors: [learningCurveError(TRUE, size)] })))!;
    expect(fit.alpha.value).toBeCloseTo(0.3, 3);
    expect(fit.c.value).toBeCloseTo(0.05, 4);
    expect(fit.a.value).toBeCloseTo(2, 2);
    expect(fit.verdict.kind).toBe('power-law');
    expect(fit.rSquared).toBeGreaterThan(0.9999);
  });

  it('recovers α = 0.3 within ±0.05 and c = 0.05 from 6 sizes with 2% noise', () => {
    const fit = fitLearningCurve(noisyCurve(11))!;
    expect(Math.abs(fit.alpha.value - 0.3)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(fit.c.value - 0.05)).toBeLessThanOrEqual(0.01);
    expect(fit.verdict.kind).toBe('power-law');
  });

  it('over 200 seeded simulations: α within ±0.05 in at least 90%, and the 95% intervals of α and c cover the truth in at least 90%', () => {
    let alphaWithin = 0;
    let alphaCovered = 0;
    let cCovered = 0;
    const sims = 200;
    for (let seed = 1; seed <= sims; seed++) {
      const fit = fitLearningCurve(noisyCurve(1000 + seed), { seed })!;
      if (Math.abs(fit.alpha.value - 0.3) <= 0.05) alphaWithin++;
      if (fit.alpha.low! <= 0.3 && 0.3 <= fit.alpha.high!) alphaCovered++;
      if (fit.c.low! <= 0.05 && 0.05 <= fit.c.high!) cCovered++;
    }
    expect(alphaWithin / sims).toBeGreaterThanOrEqual(0.9);
    expect(alphaCovered / sims).toBeGreaterThanOrEqual(0.9);
    expect(cCovered / sims).toBeGreaterThanOrEqual(0.9);
    // Not absurdly conservative either: an interval covering everything would pass the checks above.
    expect(alphaCovered / sims).toBeLessThan(1);
  });

  it('uses the median of the repetitions at each size', () => {
    const fit = fitLearningCurve(SIZES.map((size) => ({ size, errors: [learningCurveError(TRUE, size), 9, learningCurveError(TRUE, size), -9, learningCurveError(TRUE, size)] })))!;
    expect(fit.points.map((p) => p.error)).toEqual(SIZES.map((n) => learningCurveError(TRUE, n)));
    expect(fit.alpha.value).toBeCloseTo(0.3, 3);
  });

  it('holds the floor at or above minFloor (an error no model can beat)', () => {
    const fit = fitLearningCurve(noisyCurve(12), { minFloor: 0.06 })!;
    expect(fit.c.value).toBeGreaterThanOrEqual(0.06);
    expect(Math.min(...fit.draws.map((d) => d.c))).toBeGreaterThanOrEqual(0.06);
    expect(fitLearningCurve(noisyCurve(12))!.c.value).toBeLessThan(0.06);
  });

  it('needs 4 sizes', () => {
    expect(fitLearningCurve(SIZES.slice(0, 3).map((size) => ({ size, errors: [0.1] })))).toBeNull();
    expect(fitLearningCurve(SIZES.slice(0, 4).map((size) => ({ size, errors: [learningCurveError(TRUE, size)] })))).not.toBeNull();
  });

  it('calls a flat curve (noise around one error) not a power law', () => {
    const random = seededRandom(5);
    const fit = fitLearningCurve(SIZES.map((size) => ({ size, errors: [0.1 * (1 + 0.02 * standardNormal(random))] })))!;
    expect(fit.verdict.kind).toBe('not-a-power-law');
  });

  it('calls an error that rises with n not a power law', () => {
    const fit = fitLearningCurve(SIZES.map((size, i) => ({ size, errors: [0.1 + 0.02 * i] })))!;
    expect(fit.verdict).toMatchObject({ kind: 'not-a-power-law' });
    expect(fit.a.value).toBe(0);
  });
});

describe('size needed for an error', () => {
  it('inverts the curve', () => {
    const n = sizeForError(TRUE, 0.1);
    expect(learningCurveError(TRUE, n)).toBeCloseTo(0.1, 10);
    // (2 / 0.05)^(1/0.3) by hand
    expect(n).toBeCloseTo(40 ** (1 / 0.3), 3);
  });

  it('is unreachable at or below the floor', () => {
    expect(sizeForError(TRUE, 0.05)).toBe(Infinity);
    expect(sizeForError(TRUE, 0.01)).toBe(Infinity);
  });

  it('has an interval that holds the point estimate, unbounded when the floor may be above the error', () => {
    const fit = fitLearningCurve(noisyCurve(3))!;
    const near = sizeForErrorEstimate(fit, 0.1);
    expect(near.reachable).toBe(true);
    expect(near.size.low!).toBeLessThanOrEqual(near.size.value);
    expect(near.size.high!).toBeGreaterThanOrEqual(near.size.value);
    const atFloor = sizeForErrorEstimate(fit, fit.c.value + 1e-4);
    expect(atFloor.size.high).toBeNull();
  });

  it('gives a band around the fitted curve', () => {
    const fit = fitLearningCurve(noisyCurve(4))!;
    for (const p of learningCurveBand(fit, [500, 5000, 50_000])) {
      expect(p.low!).toBeLessThanOrEqual(p.error);
      expect(p.high!).toBeGreaterThanOrEqual(p.error);
    }
  });
});

describe('time-to-target summaries', () => {
  it('MLPerf: drops the fastest and slowest and averages the rest', () => {
    expect(mlperfSummary([5, 1, 3, 4, 2], 0)).toEqual({ kind: 'value', value: 3, used: 3 });
    expect(mlperfSummary([10, 20, 30, 100], 0)).toEqual({ kind: 'value', value: 25, used: 2 });
  });

  it('MLPerf: one non-converged run is the slowest; two make the cell not converged', () => {
    expect(mlperfSummary([1, 2, 3, 4], 1)).toEqual({ kind: 'value', value: 3, used: 3 });
    expect(mlperfSummary([1, 2, 3], 2).kind).toBe('not-converged');
    expect(mlperfSummary([1, 2], 0).kind).toBe('too-few');
  });

  it('censored median: non-converged runs sort last', () => {
    expect(censoredMedian([1, 2, 3, 4], 1)?.value).toBe(3);
    expect(censoredMedian([1, 2, 3, 4], 1)?.high).toBeNull();
    expect(censoredMedian([1], 2)).toBeNull();
    expect(censoredMedian([], 0)).toBeNull();
  });

  it('CV and the repetitions it calls for', () => {
    // mean 10, sample sd sqrt(((-2)^2 + 0 + 2^2)/2) = 2
    expect(coefficientOfVariation([8, 10, 12])).toBeCloseTo(0.2, 12);
    expect(coefficientOfVariation([5])).toBeNull();
    // (1.96 * 0.2 / 0.1)^2 = 15.37 -> 16
    expect(repetitionsForPrecision(0.2)).toBe(16);
    expect(repetitionsForPrecision(0.01)).toBe(1);
  });
});
