/** make_moons: two interleaving half circles, plus extra noise features. Seeded; see ./index.ts for what every generator shares. */
import { Random } from '../random.js';
import type { Generator } from './types.js';
import { allocateTable, type DataTable } from '../table.js';
import { requireInt, requireNonNegative } from './shared.js';

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

export const moonsGenerator: Generator = {
  description: 'sklearn make_moons: two interleaving half circles of radius 1 in 2 features, noise sd 0.2',
  defaultSpec: { name: 'moons', generator: 'moons', task: 'classification', features: 2, classes: 2 },
  check(spec, where) {
    if (spec.classes !== 2) throw new Error(`${where}: moons has exactly 2 classes, got ${spec.classes}`);
    if (spec.features < 2) throw new Error(`${where}: moons needs features >= 2, got ${spec.features}`);
  },
  make: (spec, n, rng) => makeMoons(n, spec.features, MOONS_DEFAULTS, rng).table,
};
