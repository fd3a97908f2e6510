/** make_blobs: isotropic Gaussian clusters. Seeded; see ./index.ts for what every generator shares. */
import { Random } from '../random.js';
import type { Generator } from './types.js';
import { allocateTable, type DataTable } from '../table.js';
import type { IdealQuality } from '../../results/schema.js';
import { normalCdf } from '../../stats/distributions.js';
import { assignShuffledGroups, evenCounts, IDEAL_SIMULATION_SAMPLES, requireInt, requireNonNegative, simulatedAccuracy } from './shared.js';

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

/** The problem: blob centres uniform in the centre box, drawn before any row. */
export function blobCenters(features: number, centers: number, options: Readonly<BlobsOptions>, rng: Random): Float64Array {
  requireInt(features, 1, 'blobs features');
  requireInt(centers, 1, 'blobs centres (classes)');
  requireNonNegative(options.clusterStd, 'blobs cluster standard deviation');
  const [low, high] = options.centerBox;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high)) {
    throw new RangeError(`blobs center box must be finite with low <= high, got [${low}, ${high}]`);
  }
  const centerValues = new Float64Array(centers * features);
  for (let i = 0; i < centerValues.length; i++) centerValues[i] = rng.uniformIn(low, high);
  return centerValues;
}

/**
 * Bayes accuracy of equally likely isotropic blobs with a common sd: the ideal classifier is the
 * nearest centre. Two blobs at distance d are confused with probability Φ(−d/2σ); summed over every
 * pair this bounds the error from above (union bound) and the largest single term bounds it from
 * below. When the bound is below 1e-3 it is the answer (closed form, its width as the error);
 * otherwise the nearest-centre classifier is simulated on draws from the blobs.
 */
export function blobsIdealQuality(centers: Float64Array, features: number, clusterStd: number, rng: Random): IdealQuality {
  const k = centers.length / features;
  const distance = (i: number, j: number): number => {
    let d = 0;
    for (let f = 0; f < features; f++) d += (centers[i * features + f]! - centers[j * features + f]!) ** 2;
    return Math.sqrt(d);
  };
  let union = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) union += normalCdf(-distance(i, j) / (2 * Math.max(clusterStd, 1e-300))) / k;
  if (union < 1e-3) {
    return {
      metric: 'accuracy',
      value: 1 - union,
      standardError: union,
      method: 'closed-form',
      basis: `nearest-centre Bayes classifier of ${k} blobs with sd ${clusterStd}, error below the pairwise union bound ${union.toExponential(1)}`,
    };
  }
  const x = new Float32Array(features);
  let hits = 0;
  for (let s = 0; s < IDEAL_SIMULATION_SAMPLES; s++) {
    const label = rng.int(k);
    rng.fillNormal(x);
    let best = -1;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let f = 0; f < features; f++) d += (centers[label * features + f]! + clusterStd * x[f]! - centers[c * features + f]!) ** 2;
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    if (best === label) hits++;
  }
  return simulatedAccuracy(hits, IDEAL_SIMULATION_SAMPLES, `nearest-centre Bayes classifier of ${k} blobs with sd ${clusterStd}`);
}

/** make_blobs: isotropic gaussian blobs around uniformly drawn centres; y is the blob index. */
export function makeBlobs(
  n: number,
  features: number,
  centers: number,
  options: Readonly<BlobsOptions>,
  rng: Random,
): BlobsResult {
  const centerValues = blobCenters(features, centers, options, rng);
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

export const blobsGenerator: Generator = {
  description: 'sklearn make_blobs: 4 isotropic gaussian blobs (sd 1) in 16 features, centres uniform in [-10, 10)',
  defaultSpec: { name: 'blobs', generator: 'blobs', task: 'classification', features: 16, classes: 4 },
  make: (spec, n, rng) => makeBlobs(n, spec.features, spec.classes, BLOBS_DEFAULTS, rng).table,
  idealQuality: (spec, rng) =>
    blobsIdealQuality(blobCenters(spec.features, spec.classes, BLOBS_DEFAULTS, rng), spec.features, BLOBS_DEFAULTS.clusterStd, rng),
};
