/** The 95% band of a fitted power law, against the textbook formula computed by hand from the residuals. */
import { describe, expect, it } from 'vitest';
import { linearFit, powerLawBand, powerLawFit, studentTQuantile } from '../src/stats/index.js';
import { seededRandom } from '../src/stats/random.js';

describe('powerLawBand', () => {
  const x = [1000, 2000, 4000, 8000, 16000];
  const y = [10.3, 19.1, 41.7, 79.2, 166];

  it('equals exp(ln a + b ln x ± t s sqrt(1/n + (ln x - m)^2 / Sxx))', () => {
    const fit = powerLawFit(x, y)!;
    const lx = x.map(Math.log);
    const ly = y.map(Math.log);
    const line = linearFit(lx, ly)!;
    const n = lx.length;
    const m = lx.reduce((s, v) => s + v, 0) / n;
    const sxx = lx.reduce((s, v) => s + (v - m) ** 2, 0);
    const sse = lx.reduce((s, v, i) => s + (ly[i]! - (line.intercept + line.slope * v)) ** 2, 0);
    const sd = Math.sqrt(sse / (n - 2));
    const t = studentTQuantile(0.975, n - 2);
    const at = [1000, 3000, 16000, 50000];
    const band = powerLawBand(x, fit.coefficient, fit.exponent, at)!;
    at.forEach((point, i) => {
      const centre = line.intercept + line.slope * Math.log(point);
      const half = t * sd * Math.sqrt(1 / n + (Math.log(point) - m) ** 2 / sxx);
      expect(band[i]!.low).toBeCloseTo(Math.exp(centre - half), 9);
      expect(band[i]!.high).toBeCloseTo(Math.exp(centre + half), 9);
    });
    // Narrowest at the centre of the data (in log space), wider outside it.
    const width = (i: number) => Math.log(band[i]!.high / band[i]!.low);
    expect(width(1)).toBeLessThan(width(0));
    expect(width(3)).toBeGreaterThan(width(2));
  });

  it('is null without an interval on the exponent (2 sizes)', () => {
    const fit = powerLawFit([1000, 2000], [10, 20])!;
    expect(powerLawBand([1000, 2000], fit.coefficient, fit.exponent, [1500])).toBeNull();
  });

  it('covers the true line about 95% of the time (seeded simulation)', () => {
    const random = seededRandom(7);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    let covered = 0;
    const trials = 2000;
    for (let i = 0; i < trials; i++) {
      const ys = x.map((v) => 0.01 * v ** 1.1 * Math.exp(0.1 * normal()));
      const fit = powerLawFit(x, ys)!;
      const [point] = powerLawBand(x, fit.coefficient, fit.exponent, [5000])!;
      const truth = 0.01 * 5000 ** 1.1;
      if (point!.low <= truth && truth <= point!.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });
});
