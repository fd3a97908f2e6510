/** make_moons: two interleaving half circles, plus extra noise features. Seeded; see ./index.ts for what every generator shares. */
import { Random } from '../random.js';
import type { Generator } from './types.js';
import { allocateTable, type DataTable } from '../table.js';
import type { IdealQuality } from '../../results/schema.js';
import { IDEAL_SIMULATION_SAMPLES, logSumExp, requireInt, requireNonNegative, simulatedAccuracy } from './shared.js';

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

/** Points on each arc in the quadrature of its class density: spacing π/200, far below the noise sd. */
const ARC_QUADRATURE = 200;

/** Noise-free point of moon `cls` (0 outer, 1 inner) at angle t. */
function moonPoint(cls: number, t: number): [number, number] {
  return cls === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 1 - Math.sin(t) - 0.5];
}

/**
 * Bayes accuracy of make_moons: each class is its arc (angles uniform on [0, π]) blurred by gaussian
 * noise, so its density is the arc's average of gaussians (a quadrature over the arc); the ideal
 * classifier picks the larger. Columns beyond the first two carry no signal. Without noise the moons
 * never touch (accuracy 1, closed form); with noise the overlap has no closed form and is simulated.
 */
export function moonsIdealQuality(noise: number, rng: Random): IdealQuality {
  if (noise === 0) {
    return { metric: 'accuracy', value: 1, standardError: 0, method: 'closed-form', basis: 'noise-free moons never overlap' };
  }
  const arcs = [0, 1].map((cls) => Array.from({ length: ARC_QUADRATURE }, (_, m) => moonPoint(cls, ((m + 0.5) * Math.PI) / ARC_QUADRATURE)));
  const logTerms = new Float64Array(ARC_QUADRATURE);
  const twoVar = 2 * noise * noise;
  let hits = 0;
  for (let s = 0; s < IDEAL_SIMULATION_SAMPLES; s++) {
    const cls = rng.int(2);
    const [px, py] = moonPoint(cls, Math.PI * rng.uniform());
    const x = px + noise * rng.normal();
    const y = py + noise * rng.normal();
    const density = arcs.map((arc) => {
      arc.forEach(([ax, ay], m) => (logTerms[m] = -((x - ax) ** 2 + (y - ay) ** 2) / twoVar));
      return logSumExp(logTerms);
    });
    if ((density[1]! > density[0]! ? 1 : 0) === cls) hits++;
  }
  return simulatedAccuracy(hits, IDEAL_SIMULATION_SAMPLES, `Bayes classifier of the two arcs with noise sd ${noise}`);
}

export const moonsGenerator: Generator = {
  description: 'sklearn make_moons: two interleaving half circles of radius 1 in 2 features, noise sd 0.2',
  defaultSpec: { name: 'moons', generator: 'moons', task: 'classification', features: 2, classes: 2 },
  check(spec, where) {
    if (spec.classes !== 2) throw new Error(`${where}: moons has exactly 2 classes, got ${spec.classes}`);
    if (spec.features < 2) throw new Error(`${where}: moons needs features >= 2, got ${spec.features}`);
  },
  make: (spec, n, rng) => makeMoons(n, spec.features, MOONS_DEFAULTS, rng).table,
  idealQuality: (_spec, rng) => moonsIdealQuality(MOONS_DEFAULTS.noise, rng),
};
