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

function chainFor(tf: Tf, size: number): MatmulChain {
  if (warm?.size === size) return warm.chain;
  warm?.chain.dispose();
  const chain = matmulChain(tf, size);
  chain.run(2); // operator creation, weight packing, page faults: not part of any reading
  warm = { size, chain };
  return chain;
}

/** Prepares the workload on this thread (untimed), so that `timeCanary` measures only the work. */
export function prepareCanary(tf: Tf, work: CanaryWork): void {
  chainFor(tf, work.size);
}

/** Wall-clock milliseconds this thread took for the fixed workload. */
export function timeCanary(tf: Tf, work: CanaryWork): number {
  const chain = chainFor(tf, work.size);
  const started = performance.now();
  chain.run(work.matmuls);
  return performance.now() - started;
}
