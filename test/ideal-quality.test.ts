/** The ideal quality of every generated data set, against closed forms and the data the generators make. */
import { describe, expect, it } from 'vitest';
import {
  GENERATORS,
  REGRESSION_DEFAULTS,
  blobsIdealQuality,
  classificationDefaults,
  classificationIdealQuality,
  drawClassificationProblem,
  idealQuality,
  imagesIdealQuality,
  makeRegression,
  moonsIdealQuality,
  regressionCoefficients,
  regressionIdealR2,
} from '../src/data/generators/index.js';
import { invertWithLogDet, mixtureBayesAccuracy } from '../src/data/generators/bayes.js';
import { Random } from '../src/data/random.js';
import { normalCdf } from '../src/stats/index.js';
import type { GeneratorName } from '../src/results/schema.js';
import { trivialQuality } from '../src/data/trivial.js';
import { allocateTable } from '../src/data/table.js';

describe('regression: noise-free R² (closed form)', () => {
  it('is |coef|² / (|coef|² + noise²) by hand', () => {
    expect(regressionIdealR2([3, 4], 5)).toBeCloseTo(25 / 50, 12);
    expect(regressionIdealR2([3, 4], 0)).toBe(1);
  });

  it('matches the R² of the true coefficients on data the generator makes', () => {
    const n = 40_000;
    const { table, coef } = makeRegression(n, 32, REGRESSION_DEFAULTS, new Random(9));
    let mean = 0;
    for (let i = 0; i < n; i++) mean += table.y[i]!;
    mean /= n;
    let ssRes = 0;
    let ssTot = 0;
    for (let i = 0; i < n; i++) {
      let pred = 0;
      for (let j = 0; j < 32; j++) pred += coef[j]! * table.x[i * 32 + j]!;
      ssRes += (table.y[i]! - pred) ** 2;
      ssTot += (table.y[i]! - mean) ** 2;
    }
    expect(1 - ssRes / ssTot).toBeCloseTo(regressionIdealR2(coef, REGRESSION_DEFAULTS.noise), 3);
  });

  it('draws the same problem as make() from the same seed, at any size', () => {
    const coef = regressionCoefficients(32, REGRESSION_DEFAULTS, new Random(5));
    expect(makeRegression(10, 32, REGRESSION_DEFAULTS, new Random(5)).coef).toEqual(coef);
    expect(makeRegression(5000, 32, REGRESSION_DEFAULTS, new Random(5)).coef).toEqual(coef);
  });
});

describe('classification: Bayes accuracy of the gaussian mixture (simulated)', () => {
  it('inverts a matrix and gives its log determinant', () => {
    const { inverse, logAbsDet } = invertWithLogDet(Float64Array.from([0, 2, 4, 0]), 0, 2);
    // [[0,2],[4,0]]^-1 = [[0,1/4],[1/2,0]], |det| = 8
    expect([...inverse]).toEqual([0, 0.25, 0.5, 0]);
    expect(logAbsDet).toBeCloseTo(Math.log(8), 12);
  });

  it('two unit gaussians at ±d: the simulated Bayes accuracy is Φ(d) within 3 standard errors', () => {
    const d = 0.8;
    const samples = 40_000;
    const acc = mixtureBayesAccuracy(
      { dims: 1, priors: [0.5, 0.5], centres: Float64Array.from([-d, d]), mixing: Float64Array.from([1, 1]), classOf: (k) => k, classes: 2 },
      samples,
      new Random(3),
    );
    const truth = normalCdf(d);
    expect(Math.abs(acc - truth)).toBeLessThan(3 * Math.sqrt((truth * (1 - truth)) / samples));
  });

  it('far-apart clusters leave only the label noise: (1 − flip) + flip/classes', () => {
    const options = { ...classificationDefaults(32, 4), classSep: 50, flipY: 0.2 };
    const ideal = classificationIdealQuality(drawClassificationProblem(32, 4, options, new Random(1)), new Random(2));
    expect(ideal.value).toBeCloseTo(0.8 + 0.2 / 4, 3);
    expect(ideal.method).toBe('simulation');
  });

  it('the default data set sits between chance and 1, with a small standard error', () => {
    const ideal = idealQuality(GENERATORS.classification.defaultSpec, 42);
    expect(ideal.value).toBeGreaterThan(0.85);
    expect(ideal.value).toBeLessThan(0.995);
    expect(ideal.standardError).toBeLessThan(0.004);
    expect(ideal.method).toBe('simulation');
  });
});

describe('blobs, moons and images', () => {
  it('blobs: well separated blobs are closed form; close ones are simulated and match Φ(d/2σ)', () => {
    expect(idealQuality(GENERATORS.blobs.defaultSpec, 1)).toMatchObject({ method: 'closed-form', metric: 'accuracy' });
    const close = blobsIdealQuality(Float64Array.from([0, 0, 2, 0]), 2, 1, new Random(4));
    expect(close.method).toBe('simulation');
    expect(Math.abs(close.value - normalCdf(1))).toBeLessThan(3 * close.standardError + 1e-9);
  });

  it('moons: noise-free is 1; heavy noise tends to chance; the default is high but below 1', () => {
    expect(moonsIdealQuality(0, new Random(1)).value).toBe(1);
    expect(moonsIdealQuality(20, new Random(1)).value).toBeLessThan(0.56);
    const ideal = moonsIdealQuality(0.2, new Random(1));
    expect(ideal.value).toBeGreaterThan(0.9);
    expect(ideal.value).toBeLessThan(0.995);
  });

  it('images: heavy noise tends to chance (1/3); the default is near 1', () => {
    expect(imagesIdealQuality([8, 8, 1], 3, { noise: 30, intensity: 1 }, new Random(2)).value).toBeLessThan(0.4);
    expect(imagesIdealQuality([8, 8, 1], 3, { noise: 0.3, intensity: 1 }, new Random(2)).value).toBeGreaterThan(0.99);
  });

  it('every generator states one, deterministically per seed', () => {
    for (const name of Object.keys(GENERATORS) as GeneratorName[]) {
      const spec = GENERATORS[name].defaultSpec;
      const a = idealQuality(spec, 7);
      expect(a.value).toBeGreaterThan(0);
      expect(a.value).toBeLessThanOrEqual(1);
      expect(a.metric).toBe(spec.task === 'regression' ? 'r2' : 'accuracy');
      expect(GENERATORS[name].idealQuality(spec, new Random(7))).toEqual(a);
    }
  });
});

describe('trivial predictor', () => {
  it('classification: the training majority class, scored on the held-out rows', () => {
    const table = allocateTable(10, 1);
    table.y.set([0, 1, 1, 1, 2, 2, /* held out */ 1, 0, 1, 2]);
    expect(trivialQuality(table, 6, 4, { name: 't', generator: 'blobs', task: 'classification', features: 1, classes: 3 })).toEqual({ metric: 'accuracy', value: 0.5 });
  });

  it('regression: R² 0', () => {
    const table = allocateTable(4, 1);
    expect(trivialQuality(table, 2, 2, { name: 't', generator: 'regression', task: 'regression', features: 1, classes: 1 })).toEqual({ metric: 'r2', value: 0 });
  });
});
