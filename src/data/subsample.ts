/** Per-cell tables cut out of an encoded user file: a seeded row order, standardised with the training rows only. */
import { Random } from './random.js';
import { allocateTable, type DataTable } from './table.js';
import type { EncodedDataset } from './encode.js';

/**
 * The order in which a file's rows are used: a permutation seeded by the plan seed, so that every
 * size takes a random (and nested) subsample even when the file is sorted, e.g. by class.
 */
export function rowOrder(rows: number, seed: number): Int32Array {
  return new Random(seed).permutation(rows);
}

/**
 * Mean and population sd of every feature over the first `n` rows of `order` (sd 1 for a constant
 * feature), in row-major passes over the float64 source.
 */
function featureStats(dataset: EncodedDataset, order: Int32Array, n: number): { mean: Float64Array; sd: Float64Array } {
  const f = dataset.spec.features;
  const { x } = dataset;
  const mean = new Float64Array(f);
  const sd = new Float64Array(f);
  for (let i = 0; i < n; i++) {
    const base = order[i]! * f;
    for (let j = 0; j < f; j++) mean[j]! += x[base + j]!;
  }
  for (let j = 0; j < f; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) {
    const base = order[i]! * f;
    for (let j = 0; j < f; j++) sd[j]! += (x[base + j]! - mean[j]!) ** 2;
  }
  for (let j = 0; j < f; j++) {
    const value = Math.sqrt(sd[j]! / n);
    sd[j] = value > 0 && Number.isFinite(value) ? value : 1;
  }
  return { mean, sd };
}

/**
 * The table of one cell: rows order[0, nTrain) for training and order[nTrain, nTrain + nTest) held
 * out, in shared memory, with numeric features standardised by the training rows' mean and sd.
 */
export function subsampleTable(dataset: EncodedDataset, order: Int32Array, nTrain: number, nTest: number): DataTable {
  const n = nTrain + nTest;
  if (!Number.isInteger(nTrain) || nTrain < 1 || !Number.isInteger(nTest) || nTest < 0 || n > dataset.rows || order.length !== dataset.rows) {
    throw new RangeError(`cannot take ${nTrain} training + ${nTest} held-out rows from ${dataset.spec.name}, which has ${dataset.rows} usable rows`);
  }
  const f = dataset.spec.features;
  const table = allocateTable(n, f);
  const { mean, sd } = featureStats(dataset, order, nTrain);
  // One-hot columns stay 0/1: centre 0, scale 1.
  dataset.scaled.forEach((scale, j) => {
    if (!scale) {
      mean[j] = 0;
      sd[j] = 1;
    }
  });
  for (let i = 0; i < n; i++) {
    const row = order[i]!;
    table.y[i] = dataset.y[row]!;
    const from = row * f;
    const to = i * f;
    for (let j = 0; j < f; j++) table.x[to + j] = (dataset.x[from + j]! - mean[j]!) / sd[j]!;
  }
  return table;
}
