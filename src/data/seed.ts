/** The seed a generated data set is drawn from. */

/**
 * Datasets depend only on (seed, data set) and their row count, never on the run, so reruns and resumes
 * see identical bytes. The size is not part of the seed: generators draw the problem (coefficients,
 * centres) before any row, so every size of a sweep samples the same problem and a learning curve
 * compares like with like.
 */
export function datasetSeed(seed: number, dataset: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (const char of dataset) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
