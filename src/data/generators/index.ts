/**
 * Seeded synthetic datasets mirroring scikit-learn's make_regression, make_classification,
 * make_blobs and make_moons (sklearn/datasets/_samples_generator.py), plus small images for CNNs.
 *
 * Two deliberate departures from sklearn's code, neither changing the distribution:
 * - Rows are written straight into shared memory in their final order. sklearn generates the rows
 *   grouped by cluster and then shuffles them (shuffle=True); here the shuffled sequence of cluster
 *   labels is drawn first and every row is generated from its label, which gives the same joint
 *   distribution without moving rows or holding a second copy.
 * - Everything that defines the problem (coefficients, centroids, mixing matrices, centres, the
 *   feature permutation) is drawn before any row, from the same seed. A given seed is therefore the
 *   same problem at every dataset size, which a size sweep needs to compare like with like.
 */
import type { DatasetSpec, GeneratorName } from '../../results/schema.js';
import { Random } from '../random.js';
import { allocateTable, type DataTable } from '../table.js';

/** Largest label / group id stored exactly in a float32 y (2^24). */
const MAX_EXACT_FLOAT32_INT = 16777216;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/**
 * Writes group ids into y in blocks of `counts`, then shuffles y: the shuffled row order of
 * sklearn's grouped generation, decided before any row exists.
 */
function assignShuffledGroups(y: Float32Array, counts: readonly number[], rng: Random): void {
  if (counts.length > MAX_EXACT_FLOAT32_INT) {
    throw new RangeError(`${counts.length} groups cannot be labelled exactly in a float32 y: use at most 2^24`);
  }
  let row = 0;
  counts.forEach((count, group) => {
    y.fill(group, row, row + count);
    row += count;
  });
  if (row !== y.length) throw new Error(`internal: group counts sum to ${row}, expected ${y.length}`);
  rng.shuffle(y);
}

/** n split as evenly as possible over `groups`, the first `n % groups` groups getting one more (sklearn make_blobs). */
function evenCounts(n: number, groups: number): number[] {
  const base = Math.floor(n / groups);
  return Array.from({ length: groups }, (_, g) => base + (g < n % groups ? 1 : 0));
}

function requireInt(value: number, min: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${what} must be a whole number >= ${min}, got ${String(value)}`);
  }
}

function requireNonNegative(value: number, what: string): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${what} must be a finite number >= 0, got ${String(value)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// make_regression
// ---------------------------------------------------------------------------------------------

export interface RegressionOptions {
  /** Features with a nonzero coefficient (sklearn n_informative); capped at the feature count. */
  informative: number;
  /** Intercept of the linear model (sklearn bias), in target units. */
  bias: number;
  /** Standard deviation of the gaussian noise added to y (sklearn noise), in target units. */
  noise: number;
}

/**
 * sklearn's n_informative=10 and bias=0. sklearn's noise defaults to 0; 10 leaves a held-out R²
 * ceiling of about 0.997 (y's standard deviation is about 180 with 10 informative features), so a
 * model that has not converged shows.
 */
export const REGRESSION_DEFAULTS: Readonly<RegressionOptions> = { informative: 10, bias: 0, noise: 10 };

export interface RegressionResult {
  table: DataTable;
  /** True coefficient per stored column (sklearn coef=True), already in the shuffled column order. */
  coef: Float64Array;
}

/**
 * make_regression with effective_rank=None: x ~ N(0, I); y = x·coef + bias + N(0, noise²), where
 * `informative` coefficients are 100·U(0, 1) at random columns and the rest are 0.
 */
export function makeRegression(
  n: number,
  features: number,
  options: Readonly<RegressionOptions>,
  rng: Random,
): RegressionResult {
  requireInt(features, 1, 'regression features');
  requireInt(options.informative, 0, 'regression informative features');
  requireNonNegative(options.noise, 'regression noise');
  if (!Number.isFinite(options.bias)) throw new RangeError(`regression bias must be finite, got ${options.bias}`);
  const informative = Math.min(features, options.informative);

  const logical = new Float64Array(features);
  for (let j = 0; j < informative; j++) logical[j] = 100 * rng.uniform();
  // sklearn permutes the columns of X and the coefficients together.
  const order = rng.permutation(features);
  const coef = new Float64Array(features);
  for (let j = 0; j < features; j++) coef[j] = logical[order[j]!]!;

  const table = allocateTable(n, features);
  const { x, y } = table;
  const { bias, noise } = options;
  // Bulk fills keep the generator's state in registers; y first holds the unit noise draws.
  rng.fillNormal(x);
  if (noise > 0) rng.fillNormal(y);
  for (let r = 0, base = 0; r < n; r++, base += features) {
    // Built from the stored float32 values, so y is exactly linear in what a model sees.
    let acc = bias;
    for (let j = 0; j < features; j++) acc += coef[j]! * x[base + j]!;
    y[r] = noise > 0 ? acc + noise * y[r]! : acc;
  }
  return { table, coef };
}

// ---------------------------------------------------------------------------------------------
// make_classification
// ---------------------------------------------------------------------------------------------

export interface ClassificationOptions {
  /** Features carrying the class signal (sklearn n_informative); needs 2^informative >= classes * clustersPerClass. */
  informative: number;
  /** Random linear combinations of the informative features (sklearn n_redundant). */
  redundant: number;
  /** Copies of informative or redundant features (sklearn n_repeated). */
  repeated: number;
  /** Gaussian clusters per class (sklearn n_clusters_per_class). */
  clustersPerClass: number;
  /** Class proportions, length classes or classes - 1 (the last is then inferred); null for balanced. */
  weights: readonly number[] | null;
  /** Fraction of rows whose label is replaced by a random class (sklearn flip_y), in [0, 1]. */
  flipY: number;
  /** Half the hypercube's side (sklearn class_sep); larger is easier. */
  classSep: number;
  /** Clusters on hypercube vertices (true) or on a random polytope (false). */
  hypercube: boolean;
  /** Added to every feature; null draws one per feature in [-classSep, classSep). */
  shift: number | null;
  /** Multiplies every feature after the shift; null draws one per feature in [1, 101). */
  scale: number | null;
}

export const CLASSIFICATION_FIXED_DEFAULTS = {
  repeated: 0,
  weights: null,
  flipY: 0.01,
  classSep: 1,
  hypercube: true,
  shift: 0,
  scale: 1,
} as const satisfies Partial<ClassificationOptions>;

/**
 * sklearn's defaults (n_informative=2, n_redundant=2) are sized for 20 features and 2 classes. For
 * benchmarking wider problems a quarter of the features are informative and an eighth redundant,
 * with 2 clusters per class when the informative subspace has room for them (as in sklearn).
 */
export function classificationDefaults(features: number, classes: number): ClassificationOptions {
  requireInt(features, 1, 'classification features');
  requireInt(classes, 1, 'classification classes');
  const bitsFor = (clusters: number): number => Math.ceil(Math.log2(clusters));
  const clustersPerClass = bitsFor(classes * 2) <= features ? 2 : 1;
  const needed = bitsFor(classes * clustersPerClass);
  if (needed > features) {
    throw new RangeError(
      `classification with ${classes} classes needs at least ${needed} features (2^features >= classes): raise features or lower classes`,
    );
  }
  const informative = Math.min(features, Math.max(needed, Math.round(features / 4)));
  const redundant = Math.min(features - informative, Math.round(features / 8));
  return { ...CLASSIFICATION_FIXED_DEFAULTS, informative, redundant, clustersPerClass };
}

/**
 * Distinct vertices of the {0,1}^dims hypercube, as n x dims bits (sklearn _generate_hypercube):
 * distinct codes on the first min(dims, 30) dimensions, random bits on the rest.
 */
function hypercubeVertices(count: number, dims: number, rng: Random): Uint8Array {
  const distinctDims = Math.min(dims, 30);
  const seen = new Set<number>();
  const bits = new Uint8Array(count * dims);
  for (let k = 0; k < count; k++) {
    let code: number;
    do code = rng.int(2 ** distinctDims);
    while (seen.has(code));
    seen.add(code);
    for (let b = 0; b < distinctDims; b++) bits[k * dims + b] = Math.floor(code / 2 ** b) % 2;
    for (let b = distinctDims; b < dims; b++) bits[k * dims + b] = rng.int(2);
  }
  return bits;
}

/** Rows per cluster (sklearn's n_samples_per_cluster): by class weight, the remainder round-robin. */
function clusterCounts(n: number, classes: number, clustersPerClass: number, weights: readonly number[] | null): number[] {
  let w: number[];
  if (weights === null) {
    w = new Array<number>(classes).fill(1 / classes);
  } else {
    if (weights.length !== classes && weights.length !== classes - 1) {
      throw new RangeError(`classification weights need ${classes} or ${classes - 1} values, got ${weights.length}`);
    }
    if (weights.some((v) => !(Number.isFinite(v) && v >= 0))) {
      throw new RangeError(`classification weights must be finite and >= 0, got [${weights.join(', ')}]`);
    }
    w = [...weights];
    const sum = w.reduce((a, b) => a + b, 0);
    if (w.length === classes - 1) w.push(Math.max(0, 1 - sum));
    if (sum > 1 + 1e-9) throw new RangeError(`classification weights sum to ${sum}, more than 1: lower them`);
  }
  const clusters = classes * clustersPerClass;
  const counts = Array.from({ length: clusters }, (_, k) => Math.floor((n * w[k % classes]!) / clustersPerClass));
  const missing = n - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; i < missing; i++) counts[i % clusters]! += 1;
  return counts;
}

/**
 * The affine map from a row's unit normals to its stored values, per cluster. sklearn computes
 * informative = z·A_k + c_k, then redundant = informative·B, then repeats, then shift and scale,
 * then the column permutation; all of it is linear in z, so it folds into one matrix per cluster
 * and the row loop does a single pass of multiply-adds straight into the row's stored columns.
 */
interface ClassificationMap {
  classes: number;
  informative: number;
  flipY: number;
  /** Informative + redundant + repeated: the columns that depend on the cluster. */
  useful: number;
  /** clusters x useful x informative: weight of z[a] in useful column u of cluster k. */
  weights: Float64Array;
  /** clusters x useful: the cluster's constant part of each useful column (centroid, shift, scale). */
  offsets: Float64Array;
  /** Shift and scale per logical feature (only the useless ones are used in the row loop). */
  shift: Float64Array;
  scale: Float64Array;
  /** Stored column of each logical feature. */
  column: Int32Array;
}

function foldClassificationMap(
  clusters: number,
  inf: number,
  redundant: number,
  repeatSource: Int32Array,
  centroids: Float64Array,
  mixing: Float64Array,
  redundantMap: Float64Array,
  shift: Float64Array,
  scale: Float64Array,
): { weights: Float64Array; offsets: Float64Array; useful: number } {
  const useful = inf + redundant + repeatSource.length;
  const weights = new Float64Array(clusters * useful * inf);
  const offsets = new Float64Array(clusters * useful);
  for (let k = 0; k < clusters; k++) {
    // Logical column u of cluster k as (weights on z[0..inf), constant).
    const colWeights = (u: number, a: number): number => weights[(k * useful + u) * inf + a]!;
    for (let u = 0; u < inf; u++) {
      for (let a = 0; a < inf; a++) weights[(k * useful + u) * inf + a] = mixing[(k * inf + a) * inf + u]!;
      offsets[k * useful + u] = centroids[k * inf + u]!;
    }
    for (let c = 0; c < redundant; c++) {
      const u = inf + c;
      for (let a = 0; a < inf; a++) {
        let v = 0;
        for (let b = 0; b < inf; b++) v += colWeights(b, a) * redundantMap[b * redundant + c]!;
        weights[(k * useful + u) * inf + a] = v;
      }
      let o = 0;
      for (let b = 0; b < inf; b++) o += offsets[k * useful + b]! * redundantMap[b * redundant + c]!;
      offsets[k * useful + u] = o;
    }
    repeatSource.forEach((source, m) => {
      const u = inf + redundant + m;
      for (let a = 0; a < inf; a++) weights[(k * useful + u) * inf + a] = colWeights(source, a);
      offsets[k * useful + u] = offsets[k * useful + source]!;
    });
    for (let u = 0; u < useful; u++) {
      for (let a = 0; a < inf; a++) weights[(k * useful + u) * inf + a]! *= scale[u]!;
      offsets[k * useful + u] = (offsets[k * useful + u]! + shift[u]!) * scale[u]!;
    }
  }
  return { weights, offsets, useful };
}

/**
 * The row loop, kept in its own small function so V8 optimises it as a whole instead of
 * on-stack-replacing it inside the set-up code. y holds each row's cluster on entry, its label on exit.
 */
function fillClassificationRows(table: DataTable, p: ClassificationMap, rng: Random): void {
  const { x, y, n, features } = table;
  const { classes, informative: inf, flipY, useful, weights, offsets, shift, scale, column } = p;
  // Per row: inf unit normals to mix, then one per useless feature.
  const z = new Float32Array(inf + features - useful);
  for (let r = 0, base = 0; r < n; r++, base += features) {
    const k = y[r]! | 0; // int32, so the index arithmetic below stays in integers
    rng.fillNormal(z);
    for (let u = 0, w = k * useful * inf; u < useful; u++, w += inf) {
      let v = offsets[k * useful + u]!;
      for (let a = 0; a < inf; a++) v += z[a]! * weights[w + a]!;
      x[base + column[u]!] = v;
    }
    for (let c = useful; c < features; c++) x[base + column[c]!] = (z[inf + c - useful]! + shift[c]!) * scale[c]!;
    y[r] = flipY > 0 && rng.uniform() < flipY ? rng.int(classes) : k % classes;
  }
}

/**
 * make_classification: gaussian clusters (unit normals mixed by a random matrix per cluster) on
 * the vertices of a hypercube in the informative subspace, plus redundant, repeated and useless
 * features, random label flips, shift and scale, and a random column order.
 */
export function makeClassification(
  n: number,
  features: number,
  classes: number,
  options: Readonly<ClassificationOptions>,
  rng: Random,
): { table: DataTable } {
  const { informative, redundant, repeated, clustersPerClass, flipY, classSep, hypercube } = options;
  requireInt(features, 1, 'classification features');
  requireInt(classes, 1, 'classification classes');
  requireInt(informative, 1, 'classification informative features');
  requireInt(redundant, 0, 'classification redundant features');
  requireInt(repeated, 0, 'classification repeated features');
  requireInt(clustersPerClass, 1, 'classification clusters per class');
  if (informative + redundant + repeated > features) {
    throw new RangeError(
      `classification informative (${informative}) + redundant (${redundant}) + repeated (${repeated}) features exceed the ${features} features`,
    );
  }
  const clusters = classes * clustersPerClass;
  if (Math.log2(clusters) > informative) {
    throw new RangeError(
      `classes (${classes}) * clusters per class (${clustersPerClass}) must be <= 2^informative (${2 ** informative})`,
    );
  }
  if (!(flipY >= 0 && flipY <= 1)) throw new RangeError(`classification flipY must be in [0, 1], got ${flipY}`);
  if (!(classSep > 0 && Number.isFinite(classSep))) throw new RangeError(`classification classSep must be > 0, got ${classSep}`);

  // --- the problem: centroids, mixing matrices, redundant map, repeats, shift, scale, column order
  const inf = informative;
  const bits = hypercubeVertices(clusters, inf, rng);
  const centroids = new Float64Array(clusters * inf);
  for (let i = 0; i < centroids.length; i++) centroids[i] = bits[i]! * 2 * classSep - classSep;
  if (!hypercube) {
    const perCluster = Array.from({ length: clusters }, () => rng.uniform());
    const perDim = Array.from({ length: inf }, () => rng.uniform());
    for (let k = 0; k < clusters; k++) {
      for (let b = 0; b < inf; b++) centroids[k * inf + b]! *= perCluster[k]! * perDim[b]!;
    }
  }
  const mixing = new Float64Array(clusters * inf * inf);
  for (let i = 0; i < mixing.length; i++) mixing[i] = 2 * rng.uniform() - 1;
  const redundantMap = new Float64Array(inf * redundant);
  for (let i = 0; i < redundantMap.length; i++) redundantMap[i] = 2 * rng.uniform() - 1;
  const usefulBeforeRepeats = inf + redundant;
  const repeatSource = Int32Array.from({ length: repeated }, () =>
    Math.floor((usefulBeforeRepeats - 1) * rng.uniform() + 0.5),
  );
  const shift = new Float64Array(features).fill(options.shift ?? 0);
  if (options.shift === null) for (let c = 0; c < features; c++) shift[c] = (2 * rng.uniform() - 1) * classSep;
  const scale = new Float64Array(features).fill(options.scale ?? 1);
  if (options.scale === null) for (let c = 0; c < features; c++) scale[c] = 1 + 100 * rng.uniform();
  if (!scale.every(Number.isFinite) || !shift.every(Number.isFinite)) {
    throw new RangeError('classification shift and scale must be finite numbers or null');
  }
  const column = rng.permutation(features);

  // --- the rows
  const table = allocateTable(n, features);
  assignShuffledGroups(table.y, clusterCounts(n, classes, clustersPerClass, options.weights), rng);
  const folded = foldClassificationMap(clusters, inf, redundant, repeatSource, centroids, mixing, redundantMap, shift, scale);
  const problem: ClassificationMap = { classes, informative: inf, flipY, ...folded, shift, scale, column };
  fillClassificationRows(table, problem, rng);
  return { table };
}

// ---------------------------------------------------------------------------------------------
// make_blobs
// ---------------------------------------------------------------------------------------------

export interface BlobsOptions {
  /** Standard deviation of every blob (sklearn cluster_std). */
  clusterStd: number;
  /** Box the centres are drawn from uniformly, [low, high) (sklearn center_box). */
  centerBox: readonly [number, number];
}

export const BLOBS_DEFAULTS: Readonly<BlobsOptions> = { clusterStd: 1, centerBox: [-10, 10] };

export interface BlobsResult {
  table: DataTable;
  /** Centre of blob k at [k * features, (k + 1) * features) (sklearn return_centers=True). */
  centers: Float64Array;
}

/** make_blobs: isotropic gaussian blobs around uniformly drawn centres; y is the blob index. */
export function makeBlobs(
  n: number,
  features: number,
  centers: number,
  options: Readonly<BlobsOptions>,
  rng: Random,
): BlobsResult {
  requireInt(features, 1, 'blobs features');
  requireInt(centers, 1, 'blobs centres (classes)');
  requireNonNegative(options.clusterStd, 'blobs cluster standard deviation');
  const [low, high] = options.centerBox;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) {
    throw new RangeError(`blobs center box must be finite with low <= high, got [${low}, ${high}]`);
  }
  const centerValues = new Float64Array(centers * features);
  for (let i = 0; i < centerValues.length; i++) centerValues[i] = rng.uniformIn(low, high);

  const table = allocateTable(n, features);
  const { x, y } = table;
  assignShuffledGroups(y, evenCounts(n, centers), rng);
  const std = options.clusterStd;
  rng.fillNormal(x);
  for (let r = 0, base = 0; r < n; r++, base += features) {
    const c0 = (y[r]! | 0) * features;
    for (let j = 0; j < features; j++) x[base + j] = centerValues[c0 + j]! + std * x[base + j]!;
  }
  return { table, centers: centerValues };
}

// ---------------------------------------------------------------------------------------------
// make_moons
// ---------------------------------------------------------------------------------------------

export interface MoonsOptions {
  /** Standard deviation of the gaussian noise added to both coordinates (sklearn noise). */
  noise: number;
}

/** sklearn's noise defaults to None (no noise, perfectly separable); 0.2 makes the task non-trivial. */
export const MOONS_DEFAULTS: Readonly<MoonsOptions> = { noise: 0.2 };

/**
 * make_moons: class 0 on the upper half circle of radius 1 centred at (0, 0), class 1 on the lower
 * half circle centred at (1, 0.5), at evenly spaced angles, plus noise. Columns beyond the first
 * two (when features > 2) are N(0, 1) features carrying no signal, like make_classification's.
 */
export function makeMoons(n: number, features: number, options: Readonly<MoonsOptions>, rng: Random): { table: DataTable } {
  requireInt(features, 2, 'moons features');
  requireNonNegative(options.noise, 'moons noise');
  const outer = Math.floor(n / 2);
  const inner = n - outer;
  // linspace(0, pi, m): step pi / (m - 1), and a single point at angle 0.
  const outerStep = outer > 1 ? Math.PI / (outer - 1) : 0;
  const innerStep = inner > 1 ? Math.PI / (inner - 1) : 0;

  const table = allocateTable(n, features);
  const { x, y } = table;
  const point = rng.permutation(n); // which of sklearn's n ordered points lands in each row
  // Unit normals everywhere: the noise on the two moon coordinates, the extra columns as they are.
  rng.fillNormal(x);
  const noise = options.noise;
  for (let r = 0, base = 0; r < n; r++, base += features) {
    const p = point[r]!;
    let px: number;
    let py: number;
    if (p < outer) {
      const t = p * outerStep;
      px = Math.cos(t);
      py = Math.sin(t);
      y[r] = 0;
    } else {
      const t = (p - outer) * innerStep;
      px = 1 - Math.cos(t);
      py = 1 - Math.sin(t) - 0.5;
      y[r] = 1;
    }
    x[base] = px + noise * x[base]!;
    x[base + 1] = py + noise * x[base + 1]!;
  }
  return { table };
}

// ---------------------------------------------------------------------------------------------
// images
// ---------------------------------------------------------------------------------------------

/** Class k draws IMAGE_PATTERNS[k]. */
export const IMAGE_PATTERNS = ['horizontal-bar', 'vertical-bar', 'diagonal', 'anti-diagonal', 'square', 'plus'] as const;
export type ImagePattern = (typeof IMAGE_PATTERNS)[number];

export interface ImagesOptions {
  /** Standard deviation of the gaussian noise on every pixel, in intensity units. */
  noise: number;
  /** Value added to the pattern's pixels (background is 0). */
  intensity: number;
}

export const IMAGES_DEFAULTS: Readonly<ImagesOptions> = { noise: 0.3, intensity: 1 };

/** Pixel offsets (row, col) of a pattern and the box they span. */
interface Stencil {
  rows: Int32Array;
  cols: Int32Array;
  height: number;
  width: number;
}

/** Bars and diagonals span ~5/8 of the image, so they fit at many positions and differ from a full-width line. */
export function patternStencil(pattern: ImagePattern, height: number, width: number): Stencil {
  const span = (size: number): number => Math.max(2, Math.ceil(size * 0.625));
  const cells: Array<[number, number]> = [];
  switch (pattern) {
    case 'horizontal-bar':
      for (let c = 0; c < span(width); c++) cells.push([0, c]);
      break;
    case 'vertical-bar':
      for (let r = 0; r < span(height); r++) cells.push([r, 0]);
      break;
    case 'diagonal':
      for (let k = 0; k < span(Math.min(height, width)); k++) cells.push([k, k]);
      break;
    case 'anti-diagonal': {
      const d = span(Math.min(height, width));
      for (let k = 0; k < d; k++) cells.push([k, d - 1 - k]);
      break;
    }
    case 'square': {
      const s = Math.max(2, Math.floor(Math.min(height, width) / 4));
      for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) cells.push([r, c]);
      break;
    }
    case 'plus':
      cells.push([0, 1], [1, 0], [1, 1], [1, 2], [2, 1]);
      break;
  }
  return {
    rows: Int32Array.from(cells, ([r]) => r),
    cols: Int32Array.from(cells, ([, c]) => c),
    height: 1 + Math.max(...cells.map(([r]) => r)),
    width: 1 + Math.max(...cells.map(([, c]) => c)),
  };
}

/**
 * Images in HWC order (features = height * width * channels): gaussian noise everywhere, plus the
 * class's pattern at a uniformly random position (the same in every channel). Position varies,
 * so a CNN's translation invariance helps; the pattern's shape is the only signal.
 */
export function makeImages(
  n: number,
  shape: readonly [number, number, number],
  classes: number,
  options: Readonly<ImagesOptions>,
  rng: Random,
): { table: DataTable } {
  const [height, width, channels] = shape;
  requireInt(height, 3, 'image height');
  requireInt(width, 3, 'image width');
  requireInt(channels, 1, 'image channels');
  requireInt(classes, 1, 'image classes');
  if (classes > IMAGE_PATTERNS.length) {
    throw new RangeError(`images support at most ${IMAGE_PATTERNS.length} classes (one per pattern), got ${classes}`);
  }
  requireNonNegative(options.noise, 'image noise');
  if (!Number.isFinite(options.intensity)) throw new RangeError(`image intensity must be finite, got ${options.intensity}`);
  const stencils = IMAGE_PATTERNS.slice(0, classes).map((p) => patternStencil(p, height, width));
  const features = height * width * channels;

  const table = allocateTable(n, features);
  const { x, y } = table;
  assignShuffledGroups(y, evenCounts(n, classes), rng);
  const { noise, intensity } = options;
  rng.fillNormal(x);
  for (let r = 0, base = 0; r < n; r++, base += features) {
    for (let j = 0; j < features; j++) x[base + j] = noise * x[base + j]!;
    const s = stencils[y[r]! | 0]!;
    const top = rng.int(height - s.height + 1);
    const left = rng.int(width - s.width + 1);
    for (let p = 0; p < s.rows.length; p++) {
      const pixel = base + ((top + s.rows[p]!) * width + left + s.cols[p]!) * channels;
      for (let ch = 0; ch < channels; ch++) x[pixel + ch]! += intensity;
    }
  }
  return { table };
}

// ---------------------------------------------------------------------------------------------
// Registry and entry point
// ---------------------------------------------------------------------------------------------

export interface GeneratorInfo {
  /** One line for `--help` and reports. */
  description: string;
  /** The dataset this generator makes when the user names only the generator. */
  defaultSpec: DatasetSpec;
}

export const GENERATORS: Record<GeneratorName, GeneratorInfo> = {
  regression: {
    description: 'sklearn make_regression: y linear in 10 of 32 N(0,1) features + noise (sd 10)',
    defaultSpec: { name: 'regression', generator: 'regression', task: 'regression', features: 32, classes: 1 },
  },
  classification: {
    description: 'sklearn make_classification: 4 classes, 2 gaussian clusters each on hypercube vertices; 8 informative, 4 redundant of 32 features, 1% flipped labels',
    defaultSpec: { name: 'classification', generator: 'classification', task: 'classification', features: 32, classes: 4 },
  },
  blobs: {
    description: 'sklearn make_blobs: 4 isotropic gaussian blobs (sd 1) in 16 features, centres uniform in [-10, 10)',
    defaultSpec: { name: 'blobs', generator: 'blobs', task: 'classification', features: 16, classes: 4 },
  },
  moons: {
    description: 'sklearn make_moons: two interleaving half circles of radius 1 in 2 features, noise sd 0.2',
    defaultSpec: { name: 'moons', generator: 'moons', task: 'classification', features: 2, classes: 2 },
  },
  images: {
    description: '8x8x1 images, 3 classes: a horizontal bar, vertical bar or diagonal at a random position, noise sd 0.3',
    defaultSpec: {
      name: 'images',
      generator: 'images',
      task: 'classification',
      features: 64,
      classes: 3,
      imageShape: [8, 8, 1],
    },
  },
};

/** Checks that a spec is something `generate` can make; throws an error naming the dataset and the fix. */
export function validateGeneratedSpec(spec: DatasetSpec): void {
  const where = `dataset "${spec.name}"`;
  if (spec.generator === 'file') {
    throw new Error(`${where} comes from a file (${spec.path ?? 'no path'}): load it with the file loader, not generate()`);
  }
  if (!(spec.generator in GENERATORS)) {
    throw new Error(`${where}: unknown generator "${String(spec.generator)}"; use one of ${Object.keys(GENERATORS).join(', ')}`);
  }
  const expectedTask = spec.generator === 'regression' ? 'regression' : 'classification';
  if (spec.task !== expectedTask) {
    throw new Error(`${where}: generator "${spec.generator}" makes a ${expectedTask} task, but the spec says "${spec.task}"`);
  }
  if (!Number.isSafeInteger(spec.features) || spec.features < 1) {
    throw new Error(`${where}: features must be a whole number >= 1, got ${String(spec.features)}`);
  }
  if (expectedTask === 'regression' && spec.classes !== 1) {
    throw new Error(`${where}: regression has classes = 1, got ${String(spec.classes)}`);
  }
  if (expectedTask === 'classification' && !(Number.isSafeInteger(spec.classes) && spec.classes >= 2)) {
    throw new Error(`${where}: classification needs classes >= 2, got ${String(spec.classes)}`);
  }
  if (spec.generator === 'moons') {
    if (spec.classes !== 2) throw new Error(`${where}: moons has exactly 2 classes, got ${spec.classes}`);
    if (spec.features < 2) throw new Error(`${where}: moons needs features >= 2, got ${spec.features}`);
  }
  if (spec.generator === 'images') {
    const [h, w, c] = imageShapeOf(spec);
    if (h * w * c !== spec.features) {
      throw new Error(`${where}: image shape ${h}x${w}x${c} has ${h * w * c} values but features is ${spec.features}; make them agree`);
    }
  }
}

/** The spec's image shape, or a square single-channel one inferred from the feature count. */
function imageShapeOf(spec: DatasetSpec): [number, number, number] {
  if (spec.imageShape) return spec.imageShape;
  const side = Math.round(Math.sqrt(spec.features));
  if (side * side !== spec.features) {
    throw new Error(
      `dataset "${spec.name}": images need an imageShape [height, width, channels] when features (${spec.features}) is not a perfect square`,
    );
  }
  return [side, side, 1];
}

/**
 * Makes n rows of the dataset described by `spec`, with the generator's default options, from
 * `seed`. Same (spec, n, seed) gives identical bytes; rows come out in random order (iid), so any
 * head is a fair training split and the tail a fair held-out split.
 */
export function generate(spec: DatasetSpec, n: number, seed: number): DataTable {
  validateGeneratedSpec(spec);
  const rng = new Random(seed);
  const generator = spec.generator as GeneratorName;
  switch (generator) {
    case 'regression':
      return makeRegression(n, spec.features, REGRESSION_DEFAULTS, rng).table;
    case 'classification':
      return makeClassification(n, spec.features, spec.classes, classificationDefaults(spec.features, spec.classes), rng)
        .table;
    case 'blobs':
      return makeBlobs(n, spec.features, spec.classes, BLOBS_DEFAULTS, rng).table;
    case 'moons':
      return makeMoons(n, spec.features, MOONS_DEFAULTS, rng).table;
    case 'images':
      return makeImages(n, imageShapeOf(spec), spec.classes, IMAGES_DEFAULTS, rng).table;
  }
}
