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
import type { DatasetSpec, GeneratorName, IdealQuality } from '../../results/schema.js';
import { Random } from '../random.js';
import type { DataTable } from '../table.js';
import type { Generator } from './types.js';
import { regressionGenerator } from './regression.js';
import { classificationGenerator } from './classification.js';
import { blobsGenerator } from './blobs.js';
import { moonsGenerator } from './moons.js';
import { imagesGenerator } from './images.js';

export * from './blobs.js';
export * from './classification.js';
export * from './images.js';
export * from './moons.js';
export * from './regression.js';
export type { Generator } from './types.js';

/** The generators by the name `--generator` takes: adding one is a file here and a line in this registry. */
export const GENERATORS = {
  regression: regressionGenerator,
  classification: classificationGenerator,
  blobs: blobsGenerator,
  moons: moonsGenerator,
  images: imagesGenerator,
} satisfies Record<GeneratorName, Generator>;

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
  GENERATORS[spec.generator].check?.(spec, where);
}

/**
 * Makes n rows of the dataset described by `spec`, with the generator's default options, from
 * `seed`. Same (spec, n, seed) gives identical bytes; rows come out in random order (iid), so any
 * head is a fair training split and the tail a fair held-out split.
 */
export function generate(spec: DatasetSpec, n: number, seed: number): DataTable {
  validateGeneratedSpec(spec);
  return GENERATORS[spec.generator as GeneratorName].make(spec, n, new Random(seed));
}

const idealCache = new Map<string, IdealQuality>();

/**
 * The best held-out quality any model can reach on the data `generate(spec, n, seed)` makes (for any
 * n: the problem depends on the seed only). Simulated values are computed once per (spec, seed).
 */
export function idealQuality(spec: DatasetSpec, seed: number): IdealQuality {
  validateGeneratedSpec(spec);
  const key = `${JSON.stringify(spec)}|${seed}`;
  let ideal = idealCache.get(key);
  if (!ideal) {
    ideal = GENERATORS[spec.generator as GeneratorName].idealQuality(spec, new Random(seed));
    idealCache.set(key, ideal);
  }
  return ideal;
}
