/**
 * The Bayes classifier of a gaussian mixture with known parameters, simulated: draw rows from the
 * mixture, classify each by the largest posterior class probability, count the hits. Used where the
 * accuracy of the ideal classifier has no closed form (make_classification's clusters).
 */
import type { Random } from '../random.js';

export interface GaussianMixture {
  /** Dimensions of the space the components live in. */
  dims: number;
  /** Prior probability of each component. */
  priors: readonly number[];
  /** components x dims: the mean of each component. */
  centres: Float64Array;
  /** components x dims x dims: a row is z · mixing_k + centre_k with z ~ N(0, I). */
  mixing: Float64Array;
  /** The class a component belongs to. */
  classOf(component: number): number;
  classes: number;
}

/**
 * The inverse and log |determinant| of a dims x dims matrix by Gauss-Jordan elimination with partial
 * pivoting. Written here because the matrices are 8 x 8 and only this module needs them; a pivot that
 * vanishes (a singular mixing matrix, probability 0 for continuous draws) is nudged to keep it finite.
 */
export function invertWithLogDet(matrix: Float64Array, offset: number, dims: number): { inverse: Float64Array; logAbsDet: number } {
  const a = matrix.slice(offset, offset + dims * dims);
  const inv = new Float64Array(dims * dims);
  for (let i = 0; i < dims; i++) inv[i * dims + i] = 1;
  let logAbsDet = 0;
  for (let col = 0; col < dims; col++) {
    let pivot = col;
    for (let r = col + 1; r < dims; r++) if (Math.abs(a[r * dims + col]!) > Math.abs(a[pivot * dims + col]!)) pivot = r;
    if (pivot !== col) {
      for (let c = 0; c < dims; c++) {
        [a[col * dims + c], a[pivot * dims + c]] = [a[pivot * dims + c]!, a[col * dims + c]!];
        [inv[col * dims + c], inv[pivot * dims + c]] = [inv[pivot * dims + c]!, inv[col * dims + c]!];
      }
    }
    let p = a[col * dims + col]!;
    if (Math.abs(p) < 1e-12) p = p < 0 ? -1e-12 : 1e-12;
    logAbsDet += Math.log(Math.abs(p));
    for (let c = 0; c < dims; c++) {
      a[col * dims + c]! /= p;
      inv[col * dims + c]! /= p;
    }
    for (let r = 0; r < dims; r++) {
      if (r === col) continue;
      const f = a[r * dims + col]!;
      if (f === 0) continue;
      for (let c = 0; c < dims; c++) {
        a[r * dims + c]! -= f * a[col * dims + c]!;
        inv[r * dims + c]! -= f * inv[col * dims + c]!;
      }
    }
  }
  return { inverse: inv, logAbsDet };
}

/** Share of `samples` rows drawn from the mixture whose class the Bayes classifier gets right. */
export function mixtureBayesAccuracy(m: GaussianMixture, samples: number, rng: Random): number {
  const { dims, priors, centres, mixing, classes } = m;
  const k = priors.length;
  const inverses = Array.from({ length: k }, (_, j) => invertWithLogDet(mixing, j * dims * dims, dims));
  // log prior − log |det|: the component's constant part of its log density.
  const constant = inverses.map((inv, j) => Math.log(Math.max(priors[j]!, 1e-300)) - inv.logAbsDet);
  const cumulative: number[] = [];
  priors.reduce((sum, p, j) => (cumulative[j] = sum + p), 0);
  const total = cumulative[k - 1] ?? 1;
  const z = new Float64Array(dims);
  const x = new Float64Array(dims);
  const classScore = new Float64Array(classes);
  let hits = 0;
  for (let s = 0; s < samples; s++) {
    const u = rng.uniform() * total;
    let comp = 0;
    while (comp < k - 1 && u >= cumulative[comp]!) comp++;
    for (let d = 0; d < dims; d++) z[d] = rng.normal();
    for (let u2 = 0; u2 < dims; u2++) {
      let v = centres[comp * dims + u2]!;
      for (let d = 0; d < dims; d++) v += z[d]! * mixing[(comp * dims + d) * dims + u2]!;
      x[u2] = v;
    }
    classScore.fill(-Infinity);
    for (let j = 0; j < k; j++) {
      // z_j = (x − centre_j) · inverse_j; log density = constant_j − |z_j|²/2.
      const inv = inverses[j]!.inverse;
      let q = 0;
      for (let c = 0; c < dims; c++) {
        let v = 0;
        for (let r = 0; r < dims; r++) v += (x[r]! - centres[j * dims + r]!) * inv[r * dims + c]!;
        q += v * v;
      }
      const score = constant[j]! - q / 2;
      const cls = m.classOf(j);
      const prev = classScore[cls]!;
      // log(exp(prev) + exp(score)), stable.
      classScore[cls] = prev === -Infinity ? score : Math.max(prev, score) + Math.log1p(Math.exp(-Math.abs(prev - score)));
    }
    let best = 0;
    for (let c = 1; c < classes; c++) if (classScore[c]! > classScore[best]!) best = c;
    if (best === m.classOf(comp)) hits++;
  }
  return hits / samples;
}
