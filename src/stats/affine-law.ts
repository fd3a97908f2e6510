/**
 * The affine law m(x) = b·(x + c): a fixed part b·c plus b per unit of x, fitted on the log scale
 * like the other laws (θ = [ln b, ln c], so both parameters are free of the scale of x).
 *
 * Why beside the power law: a quantity made of a fixed part and a part proportional to x is not a
 * power of x, and a power law through it bends: its local exponent rises with x, so the exponent
 * fitted over the measured range is too low and the law falls short above it, by more the further
 * it goes. The parametric bootstrap (c ≥ a small positive bound) gives its spread, as for the
 * other bounded laws.
 */
import { refitLaw } from './law-bootstrap.js';
import { lawUncertainty, type FittedLaw, type LawFitOptions, type ReplicatedPoint } from './prediction.js';

/** ln c may go this far below ln(smallest x) (c ≈ 0: proportional to x) or above ln(largest x) (nearly flat). */
const LOG_C_RANGE = 12;

/** The law fitted to the points' centres; null with fewer than 2 distinct x or a quantity that does not grow with x. */
export function fitAffineLaw(points: readonly ReplicatedPoint[], options: Omit<LawFitOptions, 'bounds'> = {}): FittedLaw | null {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.centre);
  if (new Set(xs).size < 2) return null;
  // Start from least squares on the natural scale; the refit then works on the log scale like the rest.
  const values = ys.map(Math.exp);
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = values.reduce((s, v) => s + v, 0) / values.length;
  let sxx = 0;
  let sxy = 0;
  xs.forEach((x, i) => {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * ((values[i] ?? 0) - my);
  });
  const slope = sxy / sxx;
  if (!(slope > 0)) return null;
  const bounds: [null, [number, number]] = [null, [Math.log(Math.min(...xs)) - LOG_C_RANGE, Math.log(Math.max(...xs)) + LOG_C_RANGE]];
  const logC = Math.min(bounds[1][1], Math.max(bounds[1][0], Math.log(Math.max(my - slope * mx, 0) / slope)));
  const theta = refitLaw('affine', [Math.log(slope), logC], xs, ys, bounds);
  return lawUncertainty('affine', theta, points, { ...options, bounds });
}
