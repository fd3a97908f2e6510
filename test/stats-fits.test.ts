import { describe, expect, it } from 'vitest';
import { fitBigO } from '../src/stats/complexity.js';
import { amdahlParallelFraction, amdahlSpeedup, efficiency, karpFlatt, speedupFromThroughput, speedupFromTime } from '../src/stats/parallel.js';
import { linearFit, powerLawFit } from '../src/stats/regression.js';
import { fitUsl, uslThroughput } from '../src/stats/usl.js';

describe('linearFit', () => {
  it('gives the slope, its t-interval and R² of noisy data (hand-computed)', () => {
    const fit = linearFit([1, 2, 3, 4, 5], [2.1, 3.9, 6.2, 7.8, 10.1])!;
    // Sxy = 19.9, Sxx = 10 -> slope 1.99, intercept 0.05; SSE = 0.107, s² = SSE/3;
    // half-width = t(0.975, 3) * sqrt(s² / Sxx) = 3.182446 * 0.0597216 = 0.190059.
    expect(fit.slope).toBeCloseTo(1.99, 12);
    expect(fit.intercept).toBeCloseTo(0.05, 12);
    expect(fit.slopeEstimate.low).toBeCloseTo(1.99 - 0.190059, 5);
    expect(fit.slopeEstimate.high).toBeCloseTo(1.99 + 0.190059, 5);
    // SST = 39.708, R² = 1 - 0.107 / 39.708.
    expect(fit.rSquared).toBeCloseTo(1 - 0.107 / 39.708, 10);
  });

  it('has no interval with 2 points and no fit with one distinct x', () => {
    const two = linearFit([1, 2], [3, 5])!;
    expect(two.slopeEstimate).toEqual({ value: 2, low: null, high: null, level: 0.95 });
    expect(two.rSquared).toBe(1);
    expect(linearFit([3, 3, 3], [1, 2, 3])).toBeNull();
    expect(linearFit([1], [1])).toBeNull();
  });

  it('treats a constant y as a perfect flat fit', () => {
    const fit = linearFit([1, 2, 3], [4, 4, 4])!;
    expect(fit.slope).toBe(0);
    expect(fit.rSquared).toBe(1);
    expect(fit.slopeEstimate.low).toBe(0);
  });
});

describe('powerLawFit', () => {
  it('recovers a and b of y = 3 x^2', () => {
    const x = [10, 20, 40, 80];
    const fit = powerLawFit(x, x.map((v) => 3 * v * v))!;
    expect(fit.exponent.value).toBeCloseTo(2, 10);
    expect(fit.coefficient).toBeCloseTo(3, 8);
    expect(fit.rSquared).toBeCloseTo(1, 10);
  });

  it('skips points without a logarithm and needs 2 sizes', () => {
    expect(powerLawFit([0, 10, 20], [5, 10, 20])!.exponent.value).toBeCloseTo(1, 10);
    expect(powerLawFit([10], [5])).toBeNull();
    expect(powerLawFit([10, 20], [0, 0])).toBeNull();
  });
});

describe('fitBigO (Google Benchmark style)', () => {
  const n = [1000, 2000, 4000, 8000, 16000];
  it('classes t = 5n as O(n) with coefficient 5', () => {
    const fit = fitBigO(n, n.map((v) => 5 * v))!;
    expect(fit.class).toBe('O(n)');
    expect(fit.coefficient).toBeCloseTo(5, 10);
    expect(fit.relativeRms).toBeLessThan(1e-12);
  });

  it('classes a noisy t = 3n² as O(n^2), with power-law exponent in [1.95, 2.05]', () => {
    const noise = [1.02, 0.98, 1.01, 0.99, 1.0];
    const t = n.map((v, i) => 3 * v * v * (noise[i] ?? 1));
    expect(fitBigO(n, t)!.class).toBe('O(n^2)');
    const exponent = powerLawFit(n, t)!.exponent;
    expect(exponent.value).toBeGreaterThanOrEqual(1.95);
    expect(exponent.value).toBeLessThanOrEqual(2.05);
    expect(exponent.low!).toBeLessThan(2);
    expect(exponent.high!).toBeGreaterThan(2);
  });

  it('tells the other classes apart', () => {
    expect(fitBigO(n, n.map(() => 7))!.class).toBe('O(1)');
    expect(fitBigO(n, n.map((v) => 4 * Math.log2(v)))!.class).toBe('O(log n)');
    expect(fitBigO(n, n.map((v) => v * Math.log2(v)))!.class).toBe('O(n log n)');
    expect(fitBigO(n, n.map((v) => v ** 3))!.class).toBe('O(n^3)');
  });

  it('needs 2 distinct sizes', () => {
    expect(fitBigO([1000], [5])).toBeNull();
    expect(fitBigO([1000, 1000], [5, 6])).toBeNull();
  });
});

describe('parallel laws', () => {
  it('Karp-Flatt of S(4) = 3 is 1/9', () => {
    expect(karpFlatt(3, 4)).toBeCloseTo(1 / 9, 14);
    expect(karpFlatt(2, 2)).toBe(0);
    expect(karpFlatt(1, 1)).toBeNull();
    expect(karpFlatt(0, 4)).toBeNull();
  });

  it('speedup and efficiency', () => {
    expect(speedupFromThroughput(100, 188)).toBeCloseTo(1.88, 12);
    expect(speedupFromTime(100, 25)).toBe(4);
    expect(efficiency(1.88, 2)).toBeCloseTo(0.94, 12);
    expect(speedupFromThroughput(0, 10)).toBeNull();
    expect(speedupFromTime(10, 0)).toBeNull();
  });

  it('Amdahl fit recovers the parallel fraction of exact Amdahl speedups', () => {
    const points = [2, 4, 8].map((w) => ({ workers: w, speedup: amdahlSpeedup(0.9, w) }));
    expect(amdahlParallelFraction(points)).toBeCloseTo(0.9, 12);
    expect(amdahlParallelFraction([{ workers: 1, speedup: 1 }])).toBeNull();
    // Superlinear speedup is clamped to fully parallel.
    expect(amdahlParallelFraction([{ workers: 2, speedup: 2.5 }])).toBe(1);
  });
});

describe('fitUsl', () => {
  const N = [1, 2, 4, 6, 8, 10];
  const X = [1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557];

  it('recovers σ = κ = 0.02, λ = 1 within 1e-3', () => {
    const fit = fitUsl(N.map((n, i) => ({ workers: n, throughput: X[i] ?? 0 })));
    if ('unavailable' in fit) throw new Error(fit.unavailable);
    expect(Math.abs(fit.sigma - 0.02)).toBeLessThan(1e-3);
    expect(Math.abs(fit.kappa - 0.02)).toBeLessThan(1e-3);
    expect(Math.abs(fit.lambda - 1)).toBeLessThan(1e-3);
    expect(fit.peakWorkers!).toBeCloseTo(Math.sqrt(0.98 / 0.02), 2);
    expect(fit.peakThroughput!).toBeCloseTo(uslThroughput({ sigma: 0.02, kappa: 0.02, lambda: 1 }, 7), 3);
    expect(fit.limitedBy).toBe('coherency');
    expect(fit.rSquared).toBeGreaterThan(0.9999);
  });

  it('is unit-free: scaling throughput scales λ only', () => {
    const fit = fitUsl(N.map((n, i) => ({ workers: n, throughput: (X[i] ?? 0) * 5000 })));
    if ('unavailable' in fit) throw new Error(fit.unavailable);
    expect(fit.lambda / 5000).toBeCloseTo(1, 3);
    expect(fit.sigma).toBeCloseTo(0.02, 3);
  });

  it('fits noisy throughput at least as well as the true parameters do (a least-squares minimum)', () => {
    const truth = { sigma: 0.05, kappa: 0.005, lambda: 200 };
    const noise = [1.01, 0.98, 1.02, 0.99, 1.01, 0.985, 1.0];
    const widths = [1, 2, 3, 4, 6, 8, 12];
    const points = widths.map((n, i) => ({ workers: n, throughput: uslThroughput(truth, n) * (noise[i] ?? 1) }));
    const fit = fitUsl(points);
    if ('unavailable' in fit) throw new Error(fit.unavailable);
    const sse = (p: { sigma: number; kappa: number; lambda: number }) =>
      points.reduce((s, q) => s + (q.throughput - uslThroughput(p, q.workers)) ** 2, 0);
    expect(sse(fit)).toBeLessThanOrEqual(sse(truth));
    // λ is fitted, not pinned to X(1) as the linearised start has it.
    expect(fit.lambda).not.toBeCloseTo(points[0]!.throughput, 1);
    expect(fit.sigma).toBeGreaterThan(0.02);
    expect(fit.sigma).toBeLessThan(0.08);
    expect(fit.kappa).toBeGreaterThan(0.002);
    expect(fit.kappa).toBeLessThan(0.01);
    expect(fit.lambda).toBeGreaterThan(190);
    expect(fit.lambda).toBeLessThan(210);
  });

  it('says contention-limited when κ = 0 and σ > 0, and finds no peak', () => {
    const truth = { sigma: 0.1, kappa: 0, lambda: 50 };
    const fit = fitUsl(N.map((n) => ({ workers: n, throughput: uslThroughput(truth, n) })));
    if ('unavailable' in fit) throw new Error(fit.unavailable);
    expect(fit.sigma).toBeCloseTo(0.1, 4);
    expect(fit.kappa).toBeLessThan(1e-6);
    expect(fit.peakWorkers).toBeNull();
    expect(fit.peakThroughput).toBeNull();
    expect(fit.limitedBy).toBe('contention');
  });

  it('says near-linear for perfect scaling, with σ and κ at their lower bound 0', () => {
    const fit = fitUsl(N.map((n) => ({ workers: n, throughput: 100 * n })));
    if ('unavailable' in fit) throw new Error(fit.unavailable);
    expect(fit.sigma).toBeLessThan(1e-6);
    expect(fit.kappa).toBeLessThan(1e-6);
    expect(fit.limitedBy).toBe('none');
    expect(fit.rSquared).toBeCloseTo(1, 9);
  });

  it('refuses below 4 widths or without width 1', () => {
    expect(fitUsl([1, 2, 4].map((n) => ({ workers: n, throughput: n })))).toEqual({ unavailable: 'not enough widths: 3 < 4' });
    const noWidth1 = fitUsl([2, 3, 4, 5].map((n) => ({ workers: n, throughput: n })));
    expect('unavailable' in noWidth1 && noWidth1.unavailable).toMatch(/width 1/);
    // A zero throughput is not a measurement.
    expect(fitUsl([1, 2, 3, 4].map((n) => ({ workers: n, throughput: n === 3 ? 0 : n })))).toEqual({ unavailable: 'not enough widths: 3 < 4' });
  });

  it('keeps σ and κ within their bounds on hostile data', () => {
    // Throughput falling from w = 1: the law cannot follow it with σ <= 1, but must stay finite.
    const fit = fitUsl([1, 2, 3, 4].map((n) => ({ workers: n, throughput: 100 / n })));
    if ('unavailable' in fit) throw new Error(fit.unavailable);
    for (const v of [fit.sigma, fit.kappa, fit.lambda, fit.rSquared]) expect(Number.isFinite(v)).toBe(true);
    expect(fit.sigma).toBeGreaterThanOrEqual(0);
    expect(fit.sigma).toBeLessThanOrEqual(1);
    expect(fit.kappa).toBeGreaterThanOrEqual(0);
    expect(fit.kappa).toBeLessThanOrEqual(1);
  });
});
