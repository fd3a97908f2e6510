/** make_blobs: isotropic Gaussian clusters. Seeded; see ./index.ts for what every generator shares. */
import { Random } from '../random.js';
import type { Generator } from './types.js';
import { allocateTable, type DataTable } from '../table.js';
import { assignShuffledGroups, evenCounts, requireInt, requireNonNegative } from './shared.js';

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

export const blobsGenerator: Generator = {
  description: 'sklearn make_blobs: 4 isotropic gaussian blobs (sd 1) in 16 features, centres uniform in [-10, 10)',
  defaultSpec: { name: 'blobs', generator: 'blobs', task: 'classification', features: 16, classes: 4 },
  make: (spec, n, rng) => makeBlobs(n, spec.features, spec.classes, BLOBS_DEFAULTS, rng).table,
};
