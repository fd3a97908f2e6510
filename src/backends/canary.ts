/**
 * The canary: a fixed reference workload timed on a worker thread, so the run can tell a slower machine
 * (other programs, thermal throttling, a noisy CI neighbour) from slower code. It is a chain of square
 * matmuls on the run's own backend, the densest work the models do, so it slows down under the same
 * interference they do. Unlike the calibration (best of many rounds: peak speed), it reports the total
 * wall time of a fixed amount of work: the speed the thread actually got while it ran.
 */
import type { Tf } from './load.js';
import { matmulChain, type MatmulChain } from './calibrate.js';

export interface CanaryWork {
  /** Side of the square matrices. */
  size: number;
  /** Chained matmuls per reading. */
  matmuls: number;
}

/** About 5-10 ms on one 2020s x86 core with wasm SIMD: short enough to run before every cell. */
export const DEFAULT_CANARY_WORK: CanaryWork = { size: 128, matmuls: 64 };

/** Kept per thread, so a reading does not pay for creating its matrices. */
let warm: { size: number; chain: MatmulChain } | undefined;

/**
 * Prepares the workload on this thread, untimed: the matrices, and one whole run of it, because a thread's
 * first run is several times slower (operator creation, weight packing, page faults, wasm tier-up) and
 * would pass for a slow machine.
 */
export function prepareCanary(tf: Tf, work: CanaryWork): MatmulChain {
  if (warm?.size === work.size) return warm.chain;
  warm?.chain.dispose();
  const chain = matmulChain(tf, work.size);
  chain.run(work.matmuls);
  warm = { size: work.size, chain };
  return chain;
}

/** Wall-clock milliseconds this thread took for the fixed workload. */
export function timeCanary(tf: Tf, work: CanaryWork): number {
  const chain = prepareCanary(tf, work);
  const started = performance.now();
  chain.run(work.matmuls);
  return performance.now() - started;
}
