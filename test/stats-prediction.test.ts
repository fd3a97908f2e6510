/** Prediction intervals of fitted laws: hand-computed values, edge cases, the bootstrap refit and the browser-safe kit. */
import { describe, expect, it } from 'vitest';
import {
  bootstrapLaw,
  createPredictionKit,
  errorAtSize,
  errorAtSizeInterval,
  fUpperTail,
  invertMatrix,
  lawUncertainty,
  medianVarianceFraction,
  powerLawTheta,
  refitLaw,
  sizeForErrorInterval,
  sizeForErrorPoint,
  studentTQuantile,
  tQuantileTable,
  uslThroughput,
  type ReplicatedPoint,
} from '../src/stats/index.js';

const kit = createPredictionKit();
const table = tQuantileTable(0.95);

/** One measurement per point: the centre is the value. */
const single = (x: number, y: number): ReplicatedPoint => ({ x, centre: y, values: [y] });

describe('power-law prediction interval', () => {
  it('equals the textbook interval ŷ0 ± t(n−2)·s·sqrt(1 + 1/n + (x0 − x̄)²/Sxx) with one measurement per size', () => {
    // ln n = 0, ln 2, ln 4, ln 8 (in units of ln 2: 0, 1, 2, 3); ln t = 1.0, 1.9, 3.1, 3.9.
    const ys = [1.0, 1.9, 3.1, 3.9];
    const points = [1, 2, 4, 8].map((n, i) => single(n, ys[i]!));
    const law = lawUncertainty('power', powerLawTheta(points)!, points)!;
    expect(law.variance).toEqual({ kind: 'pooled', s2: expect.any(Number), df: 2 });
    // By hand, with u = ln n / ln 2: ū = 1.5, Suu = 5, slope per u = Σ(u−ū)(y−ȳ)/Suu = 4.95/5 = 0.99,
    // intercept = ȳ − 0.99·1.5 = 2.475 − 1.485 = 0.99; residuals 0.01, −0.08, 0.13, −0.06; SSE = 0.027.
    const s2 = 0.027 / 2;
    expect((law.variance as { s2: number }).s2).toBeCloseTo(s2, 12);
    const u0 = 5; // n0 = 32
    const mean = 0.99 + 0.99 * u0;
    const half = studentTQuantile(0.975, 2) * Math.sqrt(s2 * (1 + 1 / 4 + (u0 - 1.5) ** 2 / 5));
    const p = kit.interval(kit.predictLog(law, 32, { newObservation: true }), table);
    expect(Math.log(p.estimate)).toBeCloseTo(mean, 10);
    expect(Math.log(p.low!)).toBeCloseTo(mean - half, 3);
    expect(Math.log(p.high!)).toBeCloseTo(mean + half, 3);
    // Without the new measurement's own noise (the mean only), the interval is narrower.
    const meanOnly = kit.interval(kit.predictLog(law, 32, { newObservation: false }), table);
    expect(meanOnly.high!).toBeLessThan(p.high!);
  });

  it('pools the residuals with the repetitions when the law fits, and keeps them apart when it does not', () => {
    const reps = (x: number, y: number, d = 0.01): ReplicatedPoint => ({ x, centre: y, values: [y - d, y, y + d] });
    const straight = [1, 2, 4, 8].map((n) => reps(n, 0.5 + Math.log(n) + (n === 2 ? 0.004 : 0)));
    const fits = lawUncertainty('power', powerLawTheta(straight)!, straight)!;
    expect(fits.variance?.kind).toBe('pooled');
    expect(fits.variance).toMatchObject({ df: 2 + 8 });
    // A curve (log-log quadratic) misses the line by far more than the ±1% repetitions.
    const bent = [1, 2, 4, 8].map((n) => reps(n, 0.5 + Math.log(n) + 0.3 * Math.log(n) ** 2));
    const misses = lawUncertainty('power', powerLawTheta(bent)!, bent)!;
    expect(misses.variance).toMatchObject({ kind: 'lack-of-fit', centreDf: 2, noiseDf: 8 });
    const wide = kit.interval(kit.predictLog(misses, 32, { newObservation: true }), table);
    const narrow = kit.interval(kit.predictLog(fits, 32, { newObservation: true }), table);
    expect(wide.high! / wide.low!).toBeGreaterThan(10 * (narrow.high! / narrow.low!));
  });

  it('gives no interval when the law has as many points as parameters', () => {
    const two = [1, 2].map((n) => ({ x: n, centre: Math.log(n), values: [Math.log(n) - 0.01, Math.log(n) + 0.01] }));
    const law = lawUncertainty('power', powerLawTheta(two)!, two)!;
    expect(law.variance).toBeNull();
    const p = kit.interval(kit.predictLog(law, 4, { newObservation: true }), table);
    expect(p).toEqual({ estimate: expect.closeTo(4, 10), low: null, high: null });
    expect(lawUncertainty('power', [0, 1], [single(1, 0)])).toBeNull();
  });
});

describe('building blocks', () => {
  it('interpolates Student t quantiles within 0.2% at any degrees of freedom', () => {
    for (const df of [1, 1.3, 2, 2.5, 3.7, 6, 10, 29.5, 100, 1e4]) {
      expect(kit.tQuantile(table, df) / studentTQuantile(0.975, df)).toBeCloseTo(1, 2.7);
    }
    expect(kit.tQuantile(table, 1)).toBeCloseTo(12.7062, 3);
  });

  it('has the F upper tail and the median variance factor right', () => {
    expect(fUpperTail(1, 1, 1)).toBeCloseTo(0.5, 10);
    // F(2, 10) 95% point is 4.1028.
    expect(fUpperTail(4.1028, 2, 10)).toBeCloseTo(0.05, 4);
    expect(medianVarianceFraction(1)).toBe(1);
    expect(medianVarianceFraction(2)).toBe(0.5);
    expect(medianVarianceFraction(3)).toBeCloseTo(1.346 / 3, 6);
    expect(medianVarianceFraction(100)).toBeCloseTo(Math.PI / 2 / 100, 6);
  });

  it('inverts small matrices and refuses singular ones', () => {
    expect(invertMatrix([[4, 7], [2, 6]])).toEqual([[0.6, -0.7], [-0.2, 0.4]].map((r) => r.map((v) => expect.closeTo(v, 12))));
    expect(invertMatrix([[1, 2], [2, 4]])).toBeNull();
  });

  it('combines independent log predictions with Welch-Satterthwaite degrees of freedom', () => {
    const a = { mean: 1, parts: [{ variance: 0.01, df: 4 }], exact: true };
    const b = { mean: 0.5, parts: [{ variance: 0.02, df: 10 }], exact: true };
    const sum = kit.addLog([{ sign: 1, prediction: a }, { sign: -1, prediction: b }], Math.log(2));
    expect(sum.mean).toBeCloseTo(1 - 0.5 + Math.log(2), 12);
    // ν = 0.03² / (0.01²/4 + 0.02²/10) = 0.0009 / 0.000065 = 13.846.
    const p = kit.interval(sum, table);
    const half = studentTQuantile(0.975, 0.0009 / 0.000065) * Math.sqrt(0.03);
    expect(Math.log(p.high!) - sum.mean).toBeCloseTo(half, 3);
  });
});

describe('bounded laws', () => {
  const usl = { sigma: 0.05, kappa: 0.002, lambda: 1000 };
  const widths = [1, 2, 4, 8];

  it('refits the USL on the log scale from a nearby start, and holds κ at 0 when throughput is linear', () => {
    const ys = widths.map((w) => Math.log(uslThroughput(usl, w)));
    const theta = refitLaw('usl', [Math.log(900), 0.1, 0.01], widths, ys, [null, [0, 1], [0, 1]]);
    expect(Math.exp(theta[0]!)).toBeCloseTo(1000, 1);
    expect(theta[1]).toBeCloseTo(0.05, 4);
    expect(theta[2]).toBeCloseTo(0.002, 5);
    const linear = widths.map((w) => Math.log(1000 * w * (1 + 0.01 * (w % 2))));
    const held = refitLaw('usl', [Math.log(1000), 0.01, 0.01], widths, linear, [null, [0, 1], [0, 1]]);
    expect(held[2]).toBeGreaterThanOrEqual(0);
    expect(held[1]).toBeGreaterThanOrEqual(0);
  });

  it('bootstraps reproducibly (seeded) and spreads more at wider extrapolation', () => {
    const theta = [Math.log(1000), 0.05, 0.002];
    const a = bootstrapLaw('usl', theta, widths, 0.001, [null, [0, 1], [0, 1]], { replicates: 50, seed: 3 });
    const b = bootstrapLaw('usl', theta, widths, 0.001, [null, [0, 1], [0, 1]], { replicates: 50, seed: 3 });
    expect(a).toEqual(b);
    expect(a.every((t) => t[1]! >= 0 && t[2]! >= 0)).toBe(true);
    const points = widths.map((w) => ({ x: w, centre: Math.log(uslThroughput(usl, w)) + (w === 2 ? 0.02 : w === 4 ? -0.02 : 0), values: [0, 0.03, -0.03].map((d) => Math.log(uslThroughput(usl, w)) + d) }));
    const law = lawUncertainty('usl', theta, points)!;
    expect(law.replicates).toHaveLength(200);
    const spread = (w: number) => {
      const p = kit.interval(kit.predictLog(law, w, { reference: 1, newObservation: false }), table);
      return p.high! / p.low!;
    };
    expect(spread(32)).toBeGreaterThan(spread(16));
    expect(spread(16)).toBeGreaterThan(spread(8));
  });
});

describe('the kit runs stand-alone (as the HTML report embeds it)', () => {
  it('has no free variables: rebuilt from its source text it computes the same numbers', () => {
    const rebuilt = new Function(`return (${createPredictionKit.toString()})();`)() as typeof kit;
    const points = [1, 2, 4, 8].map((n, i) => ({ x: n, centre: [1.0, 1.9, 3.1, 3.9][i]!, values: [1.0, 1.9, 3.1, 3.9].map((y) => y + i * 0.001) }));
    const law = lawUncertainty('power', powerLawTheta(points)!, points)!;
    expect(rebuilt.interval(rebuilt.predictLog(law, 40, { newObservation: true }), table)).toEqual(kit.interval(kit.predictLog(law, 40, { newObservation: true }), table));
  });
});

describe('learning curves read backwards', () => {
  const curve = { a: 1, alpha: 0.5, c: 0.05 };

  it('gives the size for a target error and the error at a size (hand-computed)', () => {
    // err = n^-0.5 + 0.05 = 0.1 at n = (1/0.05)^2 = 400.
    expect(sizeForErrorPoint(curve, 0.1)).toBeCloseTo(400, 8);
    expect(errorAtSize(curve, 400)).toBeCloseTo(0.1, 12);
    expect(sizeForErrorPoint(curve, 0.05)).toBe(Infinity);
  });

  it('takes intervals from bootstrap replicates, or from the corners of the α and c intervals', () => {
    const replicates = Array.from({ length: 199 }, (_, i) => ({ a: 1, alpha: 0.45 + (0.1 * i) / 198, c: 0.05 }));
    const fromReplicates = sizeForErrorInterval({ ...curve, replicates }, 0.1);
    expect(fromReplicates.estimate).toBeCloseTo(400, 6);
    expect(fromReplicates.low!).toBeLessThan(400);
    expect(fromReplicates.high!).toBeGreaterThan(400);
    // α in [0.45, 0.55] at c = 0.05: n = 20^(1/α) spans 20^(1/0.55) … 20^(1/0.45).
    const corners = sizeForErrorInterval({ ...curve, alphaInterval: [0.45, 0.55], cInterval: [0.05, 0.05] }, 0.1);
    expect(corners.low).toBeCloseTo(20 ** (1 / 0.55), 6);
    expect(corners.high).toBeCloseTo(20 ** (1 / 0.45), 6);
    const error = errorAtSizeInterval({ ...curve, replicates }, 100);
    expect(error.low!).toBeLessThan(error.estimate);
    expect(error.high!).toBeGreaterThan(error.estimate);
  });

  it('leaves the upper end open when plausible curves level off above the target', () => {
    const replicates = Array.from({ length: 100 }, (_, i) => ({ a: 1, alpha: 0.5, c: 0.04 + (0.08 * i) / 99 }));
    const n = sizeForErrorInterval({ ...curve, replicates }, 0.1);
    expect(n.high).toBeNull();
    expect(n.low).not.toBeNull();
  });
});
