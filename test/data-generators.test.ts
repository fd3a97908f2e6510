import { describe, expect, it } from 'vitest';
import {
  BLOBS_DEFAULTS,
  CLASSIFICATION_FIXED_DEFAULTS,
  GENERATORS,
  IMAGE_PATTERNS,
  IMAGES_DEFAULTS,
  REGRESSION_DEFAULTS,
  classificationDefaults,
  generate,
  makeBlobs,
  makeClassification,
  makeImages,
  makeMoons,
  makeRegression,
  patternStencil,
  validateGeneratedSpec,
  type ClassificationOptions,
} from '../src/data/generators/index.js';
import { Random } from '../src/data/random.js';
import { tableChecksum, type DataTable } from '../src/data/table.js';
import type { DatasetSpec, GeneratorName } from '../src/results/schema.js';

const NAMES = Object.keys(GENERATORS) as GeneratorName[];

// ----------------------------------------------------------------------------------------------
// Small linear-algebra helpers (tests only)
// ----------------------------------------------------------------------------------------------

/** Solves A v = b (A square, row-major) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const v = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * v[k]!;
    v[r] = s / m[r]![r]!;
  }
  return v;
}

/** Ordinary least squares of y on [x, 1]: coefficients (intercept last) and R². */
function leastSquares(t: DataTable): { coef: number[]; intercept: number; r2: number } {
  const p = t.features + 1;
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  const row = new Array<number>(p).fill(1);
  for (let i = 0; i < t.n; i++) {
    for (let j = 0; j < t.features; j++) row[j] = t.x[i * t.features + j]!;
    for (let a = 0; a < p; a++) {
      xty[a]! += row[a]! * t.y[i]!;
      for (let b = 0; b < p; b++) xtx[a]![b]! += row[a]! * row[b]!;
    }
  }
  const v = solve(xtx, xty);
  let mean = 0;
  for (let i = 0; i < t.n; i++) mean += t.y[i]! / t.n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < t.n; i++) {
    let pred = v[p - 1]!;
    for (let j = 0; j < t.features; j++) pred += v[j]! * t.x[i * t.features + j]!;
    ssRes += (t.y[i]! - pred) ** 2;
    ssTot += (t.y[i]! - mean) ** 2;
  }
  return { coef: v.slice(0, -1), intercept: v[p - 1]!, r2: 1 - ssRes / ssTot };
}

/** Numerical rank of the columns of x (Gram matrix of standardised columns, eliminated). */
function columnRank(t: DataTable): number {
  const f = t.features;
  const mean = new Array<number>(f).fill(0);
  for (let i = 0; i < t.n; i++) for (let j = 0; j < f; j++) mean[j]! += t.x[i * f + j]! / t.n;
  const g = Array.from({ length: f }, () => new Array<number>(f).fill(0));
  for (let i = 0; i < t.n; i++) {
    for (let a = 0; a < f; a++) {
      const va = t.x[i * f + a]! - mean[a]!;
      for (let b = 0; b < f; b++) g[a]![b]! += va * (t.x[i * f + b]! - mean[b]!);
    }
  }
  const d = g.map((r, a) => Math.sqrt(r[a]!));
  const m = g.map((r, a) => r.map((v, b) => v / (d[a]! * d[b]!))); // correlation matrix
  let rank = 0;
  const used = new Array<boolean>(f).fill(false);
  for (let c = 0; c < f; c++) {
    let p = -1;
    for (let r = 0; r < f; r++) if (!used[r] && (p < 0 || Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!))) p = r;
    if (p < 0 || Math.abs(m[p]![c]!) < 1e-5) continue;
    used[p] = true;
    rank++;
    for (let r = 0; r < f; r++) {
      if (r === p) continue;
      const factor = m[r]![c]! / m[p]![c]!;
      for (let k = 0; k < f; k++) m[r]![k]! -= factor * m[p]![k]!;
    }
  }
  return rank;
}

function classCounts(y: Float32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const v of y) counts[v]! += 1;
  return counts;
}

function allFinite(t: DataTable): boolean {
  return t.x.every(Number.isFinite) && t.y.every(Number.isFinite);
}

// ----------------------------------------------------------------------------------------------
// Every generator
// ----------------------------------------------------------------------------------------------

describe('generate(): every built-in generator', () => {
  it.each(NAMES)('%s: shape, finite values, labels in range', (name) => {
    const spec = GENERATORS[name].defaultSpec;
    const t = generate(spec, 1000, 1);
    expect(t.n).toBe(1000);
    expect(t.features).toBe(spec.features);
    expect(t.x.length).toBe(1000 * spec.features);
    expect(t.y.length).toBe(1000);
    expect(t.x.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(allFinite(t)).toBe(true);
    if (spec.task === 'classification') {
      expect(t.y.every((v) => Number.isInteger(v) && v >= 0 && v < spec.classes)).toBe(true);
    }
  });

  it.each(NAMES)('%s: same seed gives identical bytes; another seed differs', (name) => {
    const spec = GENERATORS[name].defaultSpec;
    const a = tableChecksum(generate(spec, 500, 42));
    expect(tableChecksum(generate(spec, 500, 42))).toBe(a);
    expect(tableChecksum(generate(spec, 500, 43))).not.toBe(a);
  });

  it.each(NAMES.filter((n) => n !== 'regression'))('%s: classes are roughly balanced', (name) => {
    const spec = GENERATORS[name].defaultSpec;
    const n = 4000;
    const counts = classCounts(generate(spec, n, 3).y, spec.classes);
    for (const c of counts) expect(Math.abs(c - n / spec.classes)).toBeLessThan(0.05 * n);
  });

  it.each(NAMES.filter((n) => n !== 'regression'))(
    '%s: rows come out in random order (head and tail alike, labels not in runs)',
    (name) => {
      const spec = GENERATORS[name].defaultSpec;
      const n = 4000;
      const t = generate(spec, n, 5);
      const head = classCounts(t.y.subarray(0, n / 2), spec.classes);
      const tail = classCounts(t.y.subarray(n / 2), spec.classes);
      for (let c = 0; c < spec.classes; c++) expect(Math.abs(head[c]! - tail[c]!)).toBeLessThan(0.08 * n / spec.classes + 40);
      // For iid labels with equal proportions, consecutive rows differ with probability 1 - 1/C.
      let changes = 0;
      for (let i = 1; i < n; i++) if (t.y[i] !== t.y[i - 1]) changes++;
      expect(changes / (n - 1)).toBeGreaterThan(1 - 1 / spec.classes - 0.05);
    },
  );

  it.each(NAMES)('%s: handles n = 0 and n = 1', (name) => {
    const spec = GENERATORS[name].defaultSpec;
    expect(generate(spec, 0, 1).x.length).toBe(0);
    const one = generate(spec, 1, 1);
    expect(one.y.length).toBe(1);
    expect(allFinite(one)).toBe(true);
  });

  it('pins the bytes of each default dataset (a change here changes every saved result)', () => {
    const sums = Object.fromEntries(NAMES.map((n) => [n, tableChecksum(generate(GENERATORS[n].defaultSpec, 200, 2024))]));
    expect(sums).toEqual(PINNED_CHECKSUMS);
  });

  it('defaults have the documented shapes', () => {
    const shape = (n: GeneratorName): [number, number] => [GENERATORS[n].defaultSpec.features, GENERATORS[n].defaultSpec.classes];
    expect(shape('regression')).toEqual([32, 1]);
    expect(shape('classification')).toEqual([32, 4]);
    expect(shape('blobs')).toEqual([16, 4]);
    expect(shape('moons')).toEqual([2, 2]);
    expect(shape('images')).toEqual([64, 3]);
    expect(GENERATORS.images.defaultSpec.imageShape).toEqual([8, 8, 1]);
    for (const n of NAMES) {
      expect(GENERATORS[n].defaultSpec.generator).toBe(n);
      expect(() => validateGeneratedSpec(GENERATORS[n].defaultSpec)).not.toThrow();
    }
  });
});

const PINNED_CHECKSUMS: Record<GeneratorName, string> = {
  regression: '5a56af85',
  classification: '4a2b77e8',
  blobs: 'db7e67b4',
  moons: 'e330aa36',
  images: '57c038b9',
};

describe('generate(): spec validation', () => {
  const base: DatasetSpec = { name: 'd', generator: 'classification', task: 'classification', features: 8, classes: 3 };

  it('refuses file datasets, unknown generators and task mismatches, naming the dataset', () => {
    expect(() => generate({ ...base, generator: 'file', path: 'a.csv' }, 10, 1)).toThrow(/dataset "d".*file loader/);
    expect(() => generate({ ...base, generator: 'spirals' as GeneratorName }, 10, 1)).toThrow(/unknown generator "spirals"/);
    expect(() => generate({ ...base, task: 'regression' }, 10, 1)).toThrow(/makes a classification task/);
    expect(() => generate({ ...base, generator: 'regression', task: 'regression', classes: 3 }, 10, 1)).toThrow(/classes = 1/);
    expect(() => generate({ ...base, classes: 1 }, 10, 1)).toThrow(/classes >= 2/);
    expect(() => generate({ ...base, features: 0 }, 10, 1)).toThrow(/features/);
  });

  it('checks the generator-specific shapes', () => {
    expect(() => generate({ ...base, generator: 'moons', classes: 3 }, 10, 1)).toThrow(/exactly 2 classes/);
    expect(() => generate({ ...base, generator: 'moons', classes: 2, features: 1 }, 10, 1)).toThrow(/features >= 2/);
    expect(() => generate({ ...base, generator: 'images', features: 63, imageShape: [8, 8, 1] }, 10, 1)).toThrow(
      /8x8x1 has 64 values but features is 63/,
    );
    expect(() => generate({ ...base, generator: 'images', features: 10 }, 10, 1)).toThrow(/imageShape/);
    expect(() => generate({ ...base, generator: 'images', features: 49, classes: 7 }, 10, 1)).toThrow(/at most 6 classes/);
    expect(() => generate({ ...base, features: 1, classes: 4 }, 10, 1)).toThrow(/at least 2 features/);
  });

  it('infers a square single-channel image shape from the feature count', () => {
    const t = generate({ ...base, generator: 'images', features: 36, classes: 2 }, 10, 1);
    expect(t.features).toBe(36);
  });

  it('rejects bad sizes and seeds', () => {
    expect(() => generate(base, -1, 1)).toThrow(/--sizes/);
    expect(() => generate(base, 10, 0.5)).toThrow(/--seed/);
  });
});

// ----------------------------------------------------------------------------------------------
// make_regression
// ----------------------------------------------------------------------------------------------

describe('makeRegression', () => {
  it('without noise, y is exactly linear in x: least squares recovers coef and bias with R² = 1', () => {
    const { table, coef } = makeRegression(400, 6, { informative: 3, bias: 2.5, noise: 0 }, new Random(1));
    const fit = leastSquares(table);
    expect(fit.r2).toBeGreaterThan(1 - 1e-9);
    fit.coef.forEach((c, j) => expect(c).toBeCloseTo(coef[j]!, 3));
    expect(fit.intercept).toBeCloseTo(2.5, 3);
  });

  it('has exactly `informative` nonzero coefficients, each 100·U(0,1), at shuffled columns', () => {
    const positions = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const { coef } = makeRegression(1, 10, { informative: 3, bias: 0, noise: 0 }, new Random(seed));
      const nonzero = Array.from(coef).flatMap((c, j) => (c !== 0 ? [j] : []));
      expect(nonzero.length).toBe(3);
      for (const j of nonzero) expect(coef[j]! > 0 && coef[j]! < 100).toBe(true);
      positions.add(nonzero.join(','));
    }
    expect(positions.size).toBeGreaterThan(10);
  });

  it('caps informative at the feature count', () => {
    const { coef } = makeRegression(1, 4, { informative: 10, bias: 0, noise: 0 }, new Random(1));
    expect(Array.from(coef).every((c) => c > 0)).toBe(true);
  });

  it('x is N(0, 1) and the residual has the noise standard deviation', () => {
    const noise = 3;
    const { table, coef } = makeRegression(20_000, 4, { informative: 4, bias: 0, noise }, new Random(2));
    let sum = 0;
    let sq = 0;
    for (const v of table.x) {
      sum += v;
      sq += v * v;
    }
    expect(sum / table.x.length).toBeCloseTo(0, 1);
    expect(sq / table.x.length).toBeCloseTo(1, 1);
    let res = 0;
    for (let i = 0; i < table.n; i++) {
      let pred = 0;
      for (let j = 0; j < 4; j++) pred += coef[j]! * table.x[i * 4 + j]!;
      res += (table.y[i]! - pred) ** 2;
    }
    expect(Math.sqrt(res / table.n)).toBeCloseTo(noise, 1);
  });

  it('a seed defines the same problem at every size', () => {
    const small = makeRegression(10, 8, REGRESSION_DEFAULTS, new Random(9)).coef;
    const large = makeRegression(5000, 8, REGRESSION_DEFAULTS, new Random(9)).coef;
    expect(Array.from(large)).toEqual(Array.from(small));
  });

  it('the default spec is nearly noiseless but not exactly: held-out R² ceiling about 0.997', () => {
    const t = generate(GENERATORS.regression.defaultSpec, 3000, 4);
    const r2 = leastSquares(t).r2;
    expect(r2).toBeGreaterThan(0.99);
    expect(r2).toBeLessThan(0.9999);
  });
});

// ----------------------------------------------------------------------------------------------
// make_classification
// ----------------------------------------------------------------------------------------------

function classificationOptions(over: Partial<ClassificationOptions>): ClassificationOptions {
  return { ...CLASSIFICATION_FIXED_DEFAULTS, informative: 2, redundant: 0, clustersPerClass: 1, ...over };
}

describe('makeClassification', () => {
  it('puts class means on distinct hypercube vertices ±classSep', () => {
    const opts = classificationOptions({ informative: 2, flipY: 0, classSep: 10 });
    const { table } = makeClassification(4000, 2, 4, opts, new Random(1));
    const means = Array.from({ length: 4 }, () => [0, 0]);
    const counts = classCounts(table.y, 4);
    expect(counts).toEqual([1000, 1000, 1000, 1000]);
    for (let i = 0; i < table.n; i++) {
      const c = table.y[i]!;
      means[c]![0]! += table.x[2 * i]! / 1000;
      means[c]![1]! += table.x[2 * i + 1]! / 1000;
    }
    // Mixing keeps the cluster mean at its vertex; 2 informative dims have exactly 4 vertices.
    for (const m of means) for (const v of m) expect(Math.abs(Math.abs(v) - 10)).toBeLessThan(0.3);
    const corners = new Set(means.map((m) => m.map((v) => Math.sign(v)).join(',')));
    expect(corners.size).toBe(4);
  });

  it('flips the stated fraction of labels to a uniformly random class', () => {
    const opts = classificationOptions({ informative: 2, flipY: 0.5, classSep: 20 });
    const clean = makeClassification(8000, 2, 4, { ...opts, flipY: 0 }, new Random(2)).table;
    const noisy = makeClassification(8000, 2, 4, opts, new Random(2)).table;
    // The vertex of each row's cluster (its sign pattern) tells its true class; map sign pattern -> class.
    const corner = (t: DataTable, i: number): string => `${Math.sign(t.x[2 * i]!)},${Math.sign(t.x[2 * i + 1]!)}`;
    const classOf = new Map<string, number>();
    for (let i = 0; i < clean.n; i++) classOf.set(corner(clean, i), clean.y[i]!);
    expect(classOf.size).toBe(4);
    let agree = 0;
    for (let i = 0; i < noisy.n; i++) if (classOf.get(corner(noisy, i)) === noisy.y[i]) agree++;
    // Kept with probability 1/2, and a flipped label lands on the right class 1/4 of the time: 0.625.
    expect(agree / noisy.n).toBeGreaterThan(0.6);
    expect(agree / noisy.n).toBeLessThan(0.65);
  });

  it('redundant and repeated features add no rank: rank = informative + useless', () => {
    const opts = classificationOptions({ informative: 3, redundant: 2, repeated: 2, clustersPerClass: 2, flipY: 0 });
    const { table } = makeClassification(3000, 10, 2, opts, new Random(3));
    expect(columnRank(table)).toBe(3 + 3);
    // And the repeated features are exact copies of other columns.
    let identicalPairs = 0;
    for (let a = 0; a < 10; a++) {
      for (let b = a + 1; b < 10; b++) {
        let same = true;
        for (let i = 0; i < 50 && same; i++) same = table.x[i * 10 + a] === table.x[i * 10 + b];
        if (same) identicalPairs++;
      }
    }
    expect(identicalPairs).toBeGreaterThanOrEqual(2);
  });

  it('useless features are N(0, 1) after shift and scale: mean (0 + shift) * scale, sd scale', () => {
    const opts = classificationOptions({ informative: 1, shift: 5, scale: 2, flipY: 0 });
    const { table } = makeClassification(20_000, 1 + 1, 2, opts, new Random(4));
    // One informative and one useless column, in unknown order: the useless one has sd exactly ~2.
    const stats = [0, 1].map((j) => {
      let s = 0;
      let q = 0;
      for (let i = 0; i < table.n; i++) {
        const v = table.x[i * 2 + j]!;
        s += v;
        q += v * v;
      }
      const mean = s / table.n;
      return { mean, sd: Math.sqrt(q / table.n - mean * mean) };
    });
    for (const { mean } of stats) expect(mean).toBeCloseTo(10, 0);
    expect(stats.some(({ sd }) => Math.abs(sd - 2) < 0.05)).toBe(true);
  });

  it('shift then scale apply to every feature, informative and redundant included: x -> (x + shift) * scale', () => {
    const opts = classificationOptions({ informative: 3, redundant: 2, repeated: 1, clustersPerClass: 2, flipY: 0 });
    const plain = makeClassification(500, 8, 3, opts, new Random(11)).table;
    const moved = makeClassification(500, 8, 3, { ...opts, shift: 5, scale: 2 }, new Random(11)).table;
    let worst = 0;
    for (let i = 0; i < plain.x.length; i++) worst = Math.max(worst, Math.abs(moved.x[i]! - (plain.x[i]! + 5) * 2));
    expect(worst).toBeLessThan(1e-4);
    expect(Array.from(moved.y)).toEqual(Array.from(plain.y));
  });

  it('random shift and scale (null) follow sklearn: scale in [1, 101)', () => {
    const opts = classificationOptions({ informative: 2, redundant: 0, shift: null, scale: null });
    const { table } = makeClassification(2000, 6, 2, opts, new Random(5));
    const sds = Array.from({ length: 6 }, (_, j) => {
      let s = 0;
      let q = 0;
      for (let i = 0; i < table.n; i++) {
        const v = table.x[i * 6 + j]!;
        s += v;
        q += v * v;
      }
      return Math.sqrt(q / table.n - (s / table.n) ** 2);
    });
    expect(Math.max(...sds)).toBeGreaterThan(5);
  });

  it('weights set class proportions; weights for classes - 1 infer the last', () => {
    const opts = classificationOptions({ informative: 3, clustersPerClass: 2, flipY: 0, weights: [0.5, 0.3, 0.2] });
    expect(classCounts(makeClassification(1000, 4, 3, opts, new Random(6)).table.y, 3)).toEqual([500, 300, 200]);
    // Inferred last weight 1 - 0.8 = 0.19999999999999996, so int(1000 * w / 2) = 99 per cluster of class 2
    // and the 2 rows left over go round-robin to clusters 0 and 1: sklearn gives the same [501, 301, 198].
    const inferred = { ...opts, weights: [0.5, 0.3] };
    expect(classCounts(makeClassification(1000, 4, 3, inferred, new Random(6)).table.y, 3)).toEqual([501, 301, 198]);
    expect(() => makeClassification(10, 4, 3, { ...opts, weights: [0.9, 0.9] }, new Random(1))).toThrow(/sum to/);
    expect(() => makeClassification(10, 4, 3, { ...opts, weights: [1] }, new Random(1))).toThrow(/3 or 2 values/);
  });

  it('splits rows over clusters like sklearn: floor per cluster, remainder round-robin', () => {
    // 10 rows, 3 classes x 1 cluster: floor(10/3) = 3 each, the 1 left over goes to cluster 0.
    const opts = classificationOptions({ informative: 2, flipY: 0 });
    expect(classCounts(makeClassification(10, 2, 3, opts, new Random(7)).table.y, 3)).toEqual([4, 3, 3]);
  });

  it('validates like sklearn', () => {
    const r = new Random(1);
    expect(() => makeClassification(10, 3, 2, classificationOptions({ informative: 2, redundant: 2 }), r)).toThrow(/exceed/);
    expect(() => makeClassification(10, 4, 5, classificationOptions({ informative: 2 }), r)).toThrow(/2\^informative/);
    expect(() => makeClassification(10, 4, 2, classificationOptions({ flipY: 2 }), r)).toThrow(/flipY/);
    expect(() => makeClassification(10, 4, 2, classificationOptions({ classSep: 0 }), r)).toThrow(/classSep/);
  });

  it('defaults scale with the feature count and always fit the classes', () => {
    expect(classificationDefaults(32, 4)).toMatchObject({ informative: 8, redundant: 4, clustersPerClass: 2 });
    expect(classificationDefaults(2, 2)).toMatchObject({ informative: 2, redundant: 0, clustersPerClass: 2 });
    expect(classificationDefaults(2, 4)).toMatchObject({ informative: 2, redundant: 0, clustersPerClass: 1 });
    expect(classificationDefaults(1, 2)).toMatchObject({ informative: 1, redundant: 0, clustersPerClass: 1 });
    expect(() => classificationDefaults(2, 5)).toThrow(/at least 3 features/);
  });

  it('the default dataset is learnable: a linear least-squares one-vs-rest classifier beats chance well', () => {
    const spec = GENERATORS.classification.defaultSpec;
    const t = generate(spec, 4000, 8);
    // Fit one least-squares scorer per class on 3000 rows, score the last 1000.
    const train: DataTable = { ...t, n: 3000, x: t.x.subarray(0, 3000 * 32), y: t.y.subarray(0, 3000) };
    const scorers = Array.from({ length: 4 }, (_, c) =>
      leastSquares({ ...train, y: train.y.map((v) => (v === c ? 1 : 0)) }),
    );
    let correct = 0;
    for (let i = 3000; i < 4000; i++) {
      const scores = scorers.map((s) => s.intercept + s.coef.reduce((acc, w, j) => acc + w * t.x[i * 32 + j]!, 0));
      if (scores.indexOf(Math.max(...scores)) === t.y[i]) correct++;
    }
    expect(correct / 1000).toBeGreaterThan(0.4); // chance is 0.25
  });
});

// ----------------------------------------------------------------------------------------------
// make_blobs
// ----------------------------------------------------------------------------------------------

describe('makeBlobs', () => {
  it('draws centres in the box and points around their own centre with the cluster sd', () => {
    const { table, centers } = makeBlobs(4000, 3, 4, { clusterStd: 0.5, centerBox: [-10, 10] }, new Random(1));
    expect(centers.length).toBe(12);
    expect(Array.from(centers).every((c) => c >= -10 && c < 10)).toBe(true);
    let sq = 0;
    for (let i = 0; i < table.n; i++) {
      const k = table.y[i]!;
      for (let j = 0; j < 3; j++) sq += (table.x[i * 3 + j]! - centers[k * 3 + j]!) ** 2;
    }
    expect(Math.sqrt(sq / (table.n * 3))).toBeCloseTo(0.5, 1);
  });

  it('with sklearn defaults in 16 features every point is nearest its own centre', () => {
    const { table, centers } = makeBlobs(2000, 16, 4, BLOBS_DEFAULTS, new Random(2));
    for (let i = 0; i < table.n; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let k = 0; k < 4; k++) {
        let d = 0;
        for (let j = 0; j < 16; j++) d += (table.x[i * 16 + j]! - centers[k * 16 + j]!) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      }
      expect(best).toBe(table.y[i]);
    }
  });

  it('splits n evenly, the remainder to the first centres (sklearn)', () => {
    expect(classCounts(makeBlobs(10, 2, 4, BLOBS_DEFAULTS, new Random(3)).table.y, 4)).toEqual([3, 3, 2, 2]);
  });

  it('clusterStd 0 puts every point exactly on its centre (as float32)', () => {
    const { table, centers } = makeBlobs(50, 2, 3, { clusterStd: 0, centerBox: [0, 1] }, new Random(4));
    for (let i = 0; i < table.n; i++) {
      for (let j = 0; j < 2; j++) expect(table.x[i * 2 + j]).toBe(Math.fround(centers[table.y[i]! * 2 + j]!));
    }
  });

  it('a seed defines the same centres at every size', () => {
    const a = makeBlobs(5, 4, 3, BLOBS_DEFAULTS, new Random(5)).centers;
    const b = makeBlobs(5000, 4, 3, BLOBS_DEFAULTS, new Random(5)).centers;
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('validates its options', () => {
    expect(() => makeBlobs(5, 2, 2, { clusterStd: -1, centerBox: [0, 1] }, new Random(1))).toThrow(/standard deviation/);
    expect(() => makeBlobs(5, 2, 2, { clusterStd: 1, centerBox: [1, 0] }, new Random(1))).toThrow(/low <= high/);
  });
});

// ----------------------------------------------------------------------------------------------
// make_moons
// ----------------------------------------------------------------------------------------------

describe('makeMoons', () => {
  it('without noise reproduces sklearn points exactly (n = 7, hand-computed)', () => {
    const { table } = makeMoons(7, 2, { noise: 0 }, new Random(1));
    const s = Math.sqrt(3) / 2;
    // Outer (class 0): n // 2 = 3 points at 0, pi/2, pi. Inner (class 1): 4 points at 0, pi/3, 2pi/3, pi
    // on (1 - cos t, 1 - sin t - 0.5).
    const expected = [
      [1, 0, 0],
      [0, 1, 0],
      [-1, 0, 0],
      [0, 0.5, 1],
      [0.5, 0.5 - s, 1],
      [1.5, 0.5 - s, 1],
      [2, 0.5, 1],
    ];
    const got = Array.from({ length: 7 }, (_, i) => [table.x[2 * i]!, table.x[2 * i + 1]!, table.y[i]!]);
    const key = (p: number[]): string => p.map((v) => Math.fround(v).toFixed(5)).join(',');
    expect(got.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it('two interleaving half circles of radius 1: upper centred at (0, 0), lower at (1, 0.5)', () => {
    const { table } = makeMoons(1001, 2, { noise: 0 }, new Random(2));
    expect(classCounts(table.y, 2)).toEqual([500, 501]);
    for (let i = 0; i < table.n; i++) {
      const px = table.x[2 * i]!;
      const py = table.x[2 * i + 1]!;
      if (table.y[i] === 0) {
        expect(Math.hypot(px, py)).toBeCloseTo(1, 5);
        expect(py).toBeGreaterThanOrEqual(-1e-6);
      } else {
        expect(Math.hypot(px - 1, py - 0.5)).toBeCloseTo(1, 5);
        expect(py).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    }
  });

  it('adds gaussian noise of the given sd to both coordinates', () => {
    const { table } = makeMoons(20_000, 2, { noise: 0.1 }, new Random(3));
    let sq = 0;
    for (let i = 0; i < table.n; i++) {
      const px = table.x[2 * i]!;
      const py = table.x[2 * i + 1]!;
      const r = table.y[i] === 0 ? Math.hypot(px, py) : Math.hypot(px - 1, py - 0.5);
      sq += (r - 1) ** 2;
    }
    // The radial error of isotropic 2-D noise has sd close to the noise sd.
    expect(Math.sqrt(sq / table.n)).toBeCloseTo(0.1, 2);
  });

  it('extra features beyond 2 are N(0, 1) and carry no class signal', () => {
    const { table } = makeMoons(20_000, 4, { noise: 0 }, new Random(4));
    const mean = [0, 0];
    const count = [0, 0];
    let sq = 0;
    for (let i = 0; i < table.n; i++) {
      const v = table.x[i * 4 + 3]!;
      mean[table.y[i]!]! += v;
      count[table.y[i]!]! += 1;
      sq += v * v;
    }
    expect(sq / table.n).toBeCloseTo(1, 1);
    expect(Math.abs(mean[0]! / count[0]! - mean[1]! / count[1]!)).toBeLessThan(0.05);
    expect(Math.hypot(table.x[0]! - (table.y[0] === 0 ? 0 : 1), table.x[1]! - (table.y[0] === 0 ? 0 : 0.5))).toBeCloseTo(1, 5);
  });
});

// ----------------------------------------------------------------------------------------------
// images
// ----------------------------------------------------------------------------------------------

describe('makeImages', () => {
  it('stencils have the documented shapes on 8x8', () => {
    const cells = (p: (typeof IMAGE_PATTERNS)[number]): number => patternStencil(p, 8, 8).rows.length;
    expect(patternStencil('horizontal-bar', 8, 8)).toMatchObject({ height: 1, width: 5 });
    expect(patternStencil('vertical-bar', 8, 8)).toMatchObject({ height: 5, width: 1 });
    expect(patternStencil('diagonal', 8, 8)).toMatchObject({ height: 5, width: 5 });
    expect(patternStencil('square', 8, 8)).toMatchObject({ height: 2, width: 2 });
    expect(patternStencil('plus', 8, 8)).toMatchObject({ height: 3, width: 3 });
    expect(IMAGE_PATTERNS.map(cells)).toEqual([5, 5, 5, 5, 4, 5]);
  });

  it('without noise each image is exactly its class pattern at some position, in every channel', () => {
    const { table } = makeImages(300, [8, 8, 2], 6, { noise: 0, intensity: 1 }, new Random(1));
    const positions = new Set<string>();
    for (let i = 0; i < table.n; i++) {
      const img = table.x.subarray(i * 128, (i + 1) * 128);
      const lit: Array<[number, number]> = [];
      let bad = 0;
      for (let p = 0; p < 64; p++) {
        // Both channels alike (=== because 0 * a negative draw is -0), every pixel 0 or 1.
        if (img[2 * p] !== img[2 * p + 1]) bad++;
        if (img[2 * p] === 1) lit.push([Math.floor(p / 8), p % 8]);
        else if (img[2 * p] !== 0) bad++;
      }
      expect(bad).toBe(0);
      const top = Math.min(...lit.map(([r]) => r));
      const left = Math.min(...lit.map(([, c]) => c));
      const stencil = patternStencil(IMAGE_PATTERNS[table.y[i]!]!, 8, 8);
      // Shift so the stencil's bounding box starts at 0,0 (the anti-diagonal's first cell is not at column 0).
      const expected = Array.from(stencil.rows, (r, k) => `${r},${stencil.cols[k]}`).sort();
      expect(lit.map(([r, c]) => `${r - top},${c - left}`).sort()).toEqual(expected);
      positions.add(`${table.y[i]}:${top},${left}`);
    }
    expect(positions.size).toBeGreaterThan(60); // positions vary
  });

  it('with the default noise a matched filter (best stencil response) classifies > 90%', () => {
    const { table } = makeImages(600, [8, 8, 1], 3, IMAGES_DEFAULTS, new Random(2));
    const stencils = IMAGE_PATTERNS.slice(0, 3).map((p) => patternStencil(p, 8, 8));
    let correct = 0;
    for (let i = 0; i < table.n; i++) {
      const img = table.x.subarray(i * 64, (i + 1) * 64);
      const scores = stencils.map((s) => {
        let best = -Infinity;
        for (let top = 0; top + s.height <= 8; top++) {
          for (let left = 0; left + s.width <= 8; left++) {
            let sum = 0;
            for (let k = 0; k < s.rows.length; k++) sum += img[(top + s.rows[k]!) * 8 + left + s.cols[k]!]!;
            best = Math.max(best, sum / s.rows.length);
          }
        }
        return best;
      });
      if (scores.indexOf(Math.max(...scores)) === table.y[i]) correct++;
    }
    expect(correct / table.n).toBeGreaterThan(0.9);
  });

  it('noise has the stated sd on background pixels', () => {
    const { table } = makeImages(2000, [8, 8, 1], 3, { noise: 0.3, intensity: 0 }, new Random(3));
    let sq = 0;
    for (const v of table.x) sq += v * v;
    expect(Math.sqrt(sq / table.x.length)).toBeCloseTo(0.3, 2);
  });

  it('validates shape and classes', () => {
    expect(() => makeImages(1, [2, 8, 1], 2, IMAGES_DEFAULTS, new Random(1))).toThrow(/height/);
    expect(() => makeImages(1, [8, 8, 0], 2, IMAGES_DEFAULTS, new Random(1))).toThrow(/channels/);
    expect(() => makeImages(1, [8, 8, 1], 7, IMAGES_DEFAULTS, new Random(1))).toThrow(/at most 6/);
    expect(() => makeImages(1, [8, 8, 1], 2, { noise: -1, intensity: 1 }, new Random(1))).toThrow(/noise/);
  });
});
