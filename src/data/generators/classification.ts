/** make_classification: Gaussian clusters on the vertices of a hypercube, informative, redundant and repeated features, label noise. Seeded; see ./index.ts for what every generator shares. */
import { Random } from '../random.js';
import type { Generator } from './types.js';
import { allocateTable, type DataTable } from '../table.js';
import type { IdealQuality } from '../../results/schema.js';
import { assignShuffledGroups, IDEAL_SIMULATION_SAMPLES, requireInt } from './shared.js';
import { mixtureBayesAccuracy } from './bayes.js';

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

/** A drawn make_classification problem: everything but the rows, the same at every dataset size. */
export interface ClassificationProblem {
  /** The folded map from a row's unit normals to its stored values, per cluster. */
  map: ClassificationMap;
  clustersPerClass: number;
  /** Class proportions (length classes) or null for balanced. */
  weights: readonly number[] | null;
  /** clusters x informative: the centre of each cluster in the informative subspace. */
  centroids: Float64Array;
  /** clusters x informative x informative: informative = z · mixing_k + centroid_k. */
  mixing: Float64Array;
  /** Half the hypercube's side. */
  classSep: number;
}

/**
 * Draws the problem of make_classification: centroids on hypercube vertices (or a random polytope),
 * a mixing matrix per cluster, the redundant map, repeats, shift, scale and the column order. It uses
 * the rng before any row, so one seed is the same problem at every size.
 */
export function drawClassificationProblem(
  features: number,
  classes: number,
  options: Readonly<ClassificationOptions>,
  rng: Random,
): ClassificationProblem {
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
  const folded = foldClassificationMap(clusters, inf, redundant, repeatSource, centroids, mixing, redundantMap, shift, scale);
  return {
    map: { classes, informative: inf, flipY, ...folded, shift, scale, column },
    clustersPerClass,
    weights: options.weights,
    centroids,
    mixing,
    classSep,
  };
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
  const problem = drawClassificationProblem(features, classes, options, rng);
  const table = allocateTable(n, features);
  assignShuffledGroups(table.y, clusterCounts(n, classes, options.clustersPerClass, options.weights), rng);
  fillClassificationRows(table, problem.map, rng);
  return { table };
}

/**
 * Bayes accuracy of a drawn problem. Only the informative columns carry class information (redundant
 * and repeated columns are the same linear function of them in every cluster; the rest is noise), so
 * the ideal classifier is the posterior of the gaussian mixture in the informative subspace; a flipped
 * label is a random class, right by chance 1 in `classes`: accuracy = (1 − flipY)·clean + flipY/classes.
 * The mixture posterior has no closed-form accuracy, so it is simulated.
 */
export function classificationIdealQuality(problem: ClassificationProblem, rng: Random): IdealQuality {
  const { classes, informative, flipY } = problem.map;
  const clusters = classes * problem.clustersPerClass;
  const classWeights = problem.weights === null ? new Array<number>(classes).fill(1 / classes) : normalisedWeights(problem.weights, classes);
  const priors = Array.from({ length: clusters }, (_, k) => classWeights[k % classes]! / problem.clustersPerClass);
  const clean = mixtureBayesAccuracy(
    { dims: informative, priors, centres: problem.centroids, mixing: problem.mixing, classOf: (k) => k % classes, classes },
    IDEAL_SIMULATION_SAMPLES,
    rng,
  );
  const p = (1 - flipY) * clean + flipY / classes;
  return {
    metric: 'accuracy',
    value: p,
    standardError: (1 - flipY) * Math.sqrt((clean * (1 - clean)) / IDEAL_SIMULATION_SAMPLES),
    method: 'simulation',
    samples: IDEAL_SIMULATION_SAMPLES,
    basis: `Bayes classifier of the known gaussian mixture of ${clusters} clusters, class separation ${problem.classSep}, ${flipY * 100}% flipped labels`,
  };
}

function normalisedWeights(weights: readonly number[], classes: number): number[] {
  const w = [...weights];
  if (w.length === classes - 1) w.push(Math.max(0, 1 - w.reduce((a, b) => a + b, 0)));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => (sum > 0 ? v / sum : 1 / classes));
}

export const classificationGenerator: Generator = {
  description: 'sklearn make_classification: 4 classes, 2 gaussian clusters each on hypercube vertices; 8 informative, 4 redundant of 32 features, 1% flipped labels',
  defaultSpec: { name: 'classification', generator: 'classification', task: 'classification', features: 32, classes: 4 },
  make: (spec, n, rng) => makeClassification(n, spec.features, spec.classes, classificationDefaults(spec.features, spec.classes), rng).table,
  idealQuality: (spec, rng) =>
    classificationIdealQuality(drawClassificationProblem(spec.features, spec.classes, classificationDefaults(spec.features, spec.classes), rng), rng),
};
