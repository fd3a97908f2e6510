/**
 * Ordinary least squares on a line, and the power law y = a·x^b fitted as a line in log-log space.
 */
import type { Estimate } from './types.js';
import { studentTQuantile } from './distributions.js';

export interface LinearFit {
  intercept: number;
  slope: number;
  /** Slope with its t-interval; null bounds when there are only 2 points (no residual degrees of freedom). */
  slopeEstimate: Estimate;
  /** Coefficient of determination in [0, 1]; 1 when y is constant (a flat line fits it exactly). */
  rSquared: number;
  /** Points used. */
  n: number;
}

/**
 * Least-squares line y = intercept + slope·x. Null when there are fewer than 2 points or
 * all x are equal (the slope is then undefined).
 */
export function linearFit(x: readonly number[], y: readonly number[], level = 0.95): LinearFit | null {
  const n = Math.min(x.length, y.length);
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i] ?? 0;
    sy += y[i] ?? 0;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] ?? 0) - mx;
    const dy = (y[i] ?? 0) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  // Relative test: x values equal up to rounding still leave sxx a tiny positive number.
  if (!(sxx > 1e-24 * Math.max(1, mx * mx) * n)) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const r = (y[i] ?? 0) - (intercept + slope * (x[i] ?? 0));
    sse += r * r;
  }
  const rSquared = syy > 0 ? Math.min(1, Math.max(0, 1 - sse / syy)) : 1;
  let low: number | null = null;
  let high: number | null = null;
  if (n > 2) {
    const standardError = Math.sqrt(sse / (n - 2) / sxx);
    const t = studentTQuantile(1 - (1 - level) / 2, n - 2);
    low = slope - t * standardError;
    high = slope + t * standardError;
  }
  return { intercept, slope, slopeEstimate: { value: slope, low, high, level }, rSquared, n };
}

export interface PowerLawFit {
  /** Exponent b of y = a·x^b with its t-interval (from the log-log slope). */
  exponent: Estimate;
  /** Prefactor a. */
  coefficient: number;
  /** R² of the log-log line. */
  rSquared: number;
  /** Points used (those with x > 0 and y > 0). */
  n: number;
}

/**
 * Power law y = a·x^b by least squares on (ln x, ln y). Points with x <= 0 or y <= 0 have no
 * logarithm and are skipped; null when fewer than 2 distinct x remain.
 */
export function powerLawFit(x: readonly number[], y: readonly number[], level = 0.95): PowerLawFit | null {
  const lx: number[] = [];
  const ly: number[] = [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const xi = x[i] ?? 0;
    const yi = y[i] ?? 0;
    if (xi > 0 && yi > 0 && Number.isFinite(xi) && Number.isFinite(yi)) {
      lx.push(Math.log(xi));
      ly.push(Math.log(yi));
    }
  }
  const fit = linearFit(lx, ly, level);
  if (!fit) return null;
  return { exponent: fit.slopeEstimate, coefficient: Math.exp(fit.intercept), rSquared: fit.rSquared, n: fit.n };
}

/**
 * The confidence band of a fitted power law y = a·x^b at the points `at`: the interval of the mean
 * response of the log-log line, exp(ln a + b ln x ± t·s·sqrt(1/n + (ln x − m)² / Sxx)). It needs only
 * the x values of the fit and the half-width h of the exponent's t-interval, since h = t·s / sqrt(Sxx):
 * the half-width in log space is h·sqrt(Sxx/n + (ln x − m)²). Null without an interval on b.
 */
export function powerLawBand(
  fitX: readonly number[],
  coefficient: number,
  exponent: Estimate,
  at: readonly number[],
): Array<{ x: number; low: number; high: number }> | null {
  if (exponent.low === null || exponent.high === null || !(coefficient > 0)) return null;
  const logs = fitX.filter((x) => x > 0 && Number.isFinite(x)).map(Math.log);
  const n = logs.length;
  if (n < 3) return null;
  const mean = logs.reduce((s, v) => s + v, 0) / n;
  const sxx = logs.reduce((s, v) => s + (v - mean) ** 2, 0);
  const h = (exponent.high - exponent.low) / 2;
  return at.map((x) => {
    const lx = Math.log(x);
    const centre = Math.log(coefficient) + exponent.value * lx;
    const half = h * Math.sqrt(sxx / n + (lx - mean) ** 2);
    return { x, low: Math.exp(centre - half), high: Math.exp(centre + half) };
  });
}
