/**
 * Parallel-scaling laws: speedup, efficiency, the Karp-Flatt serial fraction and Amdahl's law.
 * S(w) = T(1)/T(w) (or X(w)/X(1) in throughput terms), E = S/w,
 * Karp-Flatt e = (1/S − 1/w) / (1 − 1/w), Amdahl S(w) = 1 / ((1 − p) + p/w).
 */

/** Speedup from throughputs: X(w) / X(1). Null when X(1) is not positive. */
export function speedupFromThroughput(baseThroughput: number, throughput: number): number | null {
  if (!(baseThroughput > 0) || !Number.isFinite(throughput)) return null;
  return throughput / baseThroughput;
}

/** Speedup from times: T(1) / T(w). Null when T(w) is not positive. */
export function speedupFromTime(baseTime: number, time: number): number | null {
  if (!(time > 0) || !Number.isFinite(baseTime)) return null;
  return baseTime / time;
}

/** Parallel efficiency E = S / w. */
export function efficiency(speedup: number, workers: number): number | null {
  if (!(workers > 0)) return null;
  return speedup / workers;
}

/**
 * Karp-Flatt experimentally determined serial fraction e = (1/S − 1/w) / (1 − 1/w).
 * Undefined (null) at w = 1 and for a non-positive speedup.
 */
export function karpFlatt(speedup: number, workers: number): number | null {
  if (!(workers > 1) || !(speedup > 0)) return null;
  return (1 / speedup - 1 / workers) / (1 - 1 / workers);
}

/**
 * Amdahl parallel fraction p from measured speedups. Amdahl's law rearranges to
 * 1 − 1/S = p·(1 − 1/w), a line through the origin, so p is its least-squares slope
 * (deterministic, no iteration), clamped to [0, 1]. Null without a point at w > 1.
 */
export function amdahlParallelFraction(points: ReadonlyArray<{ workers: number; speedup: number }>): number | null {
  let sxx = 0;
  let sxy = 0;
  for (const { workers, speedup } of points) {
    if (!(workers > 1) || !(speedup > 0)) continue;
    const x = 1 - 1 / workers;
    const y = 1 - 1 / speedup;
    sxx += x * x;
    sxy += x * y;
  }
  if (!(sxx > 0)) return null;
  return Math.min(1, Math.max(0, sxy / sxx));
}

/** Speedup Amdahl's law predicts at width w for parallel fraction p. */
export function amdahlSpeedup(parallelFraction: number, workers: number): number {
  return 1 / (1 - parallelFraction + parallelFraction / workers);
}
