/** make_regression: a linear target of a few informative features plus Gaussian noise. Seeded; see ./index.ts for what every generator shares. */
import { Random } from '../random.js';
import type { Generator } from './types.js';
import { allocateTable, type DataTable } from '../table.js';
import { requireInt, requireNonNegative } from './shared.js';

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
 * The problem: `informative` coefficients 100·U(0, 1) at random columns, the rest 0, drawn before any
 * row (so a seed is the same problem at every size, and idealQuality can draw it again).
 */
export function regressionCoefficients(features: number, options: Readonly<RegressionOptions>, rng: Random): Float64Array {
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
  return coef;
}

/**
 * Noise-free R² of y = x·coef + bias + N(0, noise²) with x ~ N(0, I): the best any model can explain
 * is Var(x·coef) / (Var(x·coef) + noise²) = |coef|² / (|coef|² + noise²). Closed form.
 */
export function regressionIdealR2(coef: ArrayLike<number>, noise: number): number {
  let signal = 0;
  for (let j = 0; j < coef.length; j++) signal += (coef[j] as number) ** 2;
  const total = signal + noise * noise;
  return total > 0 ? signal / total : 1;
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
  const coef = regressionCoefficients(features, options, rng);
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

export const regressionGenerator: Generator = {
  description: 'sklearn make_regression: y linear in 10 of 32 N(0,1) features + noise (sd 10)',
  defaultSpec: { name: 'regression', generator: 'regression', task: 'regression', features: 32, classes: 1 },
  make: (spec, n, rng) => makeRegression(n, spec.features, REGRESSION_DEFAULTS, rng).table,
  idealQuality: (spec, rng) => ({
    metric: 'r2',
    value: regressionIdealR2(regressionCoefficients(spec.features, REGRESSION_DEFAULTS, rng), REGRESSION_DEFAULTS.noise),
    standardError: 0,
    method: 'closed-form',
    basis: `noise-free R² of the linear target: |coef|² / (|coef|² + noise²), noise sd ${REGRESSION_DEFAULTS.noise}`,
  }),
};
