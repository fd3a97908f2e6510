/**
 * Peak FLOP/s of one worker thread on the active backend: the denominator of MFU.
 *
 * A square float32 matmul is the densest work tfjs can do, so the best rate seen over a short run
 * is a fair "peak" for this thread, backend and kernel set. Best-of, not mean: interference from
 * other processes only ever slows a round down.
 */
import type { Tf } from './load.js';

export interface CalibrateOptions {
  /** Side of the square matrices. */
  size?: number;
  /** Time budget of the timed rounds, in milliseconds. */
  budgetMs?: number;
  /** Matmuls per timed round. */
  perRound?: number;
  /**
   * 'wall' (default): rounds timed by the wall clock. 'cpu': by this process's CPU time, which other
   * processes cannot stretch (for comparisons on a busy machine; the process must be otherwise idle).
   */
  clock?: 'wall' | 'cpu';
}

/** FLOPs of an (m x k) · (k x n) product: one multiply and one add per term. */
export function matmulFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}

/** A chain of square float32 matmuls on the thread's active backend, over two fixed matrices. */
export interface MatmulChain {
  /** Runs `count` chained products and waits for the result (so a lazy backend cannot skip any). */
  run(count: number): void;
  dispose(): void;
}

export function matmulChain(tf: Tf, size: number): MatmulChain {
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  return {
    run(count) {
      // Chain the products so none can be skipped; read one value to force completion.
      const last = tf.tidy(() => {
        let c = tf.matMul(a, b);
        for (let i = 1; i < count; i++) c = tf.matMul(c.mul(1 / size), b);
        return c.slice([0, 0], [1, 1]);
      });
      last.dataSync();
      last.dispose();
    },
    dispose() {
      a.dispose();
      b.dispose();
    },
  };
}

/** Achieved FLOP/s of a dense matmul on this thread's active backend (best round). */
export async function calibratePeakFlops(tf: Tf, options: CalibrateOptions = {}): Promise<number> {
  const size = options.size ?? 256;
  const budgetMs = options.budgetMs ?? 500;
  const perRound = options.perRound ?? 4;
  const now = options.clock === 'cpu' ? (): number => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  } : (): number => performance.now();
  const chain = matmulChain(tf, size);
  try {
    chain.run(2); // warm-up: operator creation, weight packing, page faults
    let bestMs = Infinity;
    const started = performance.now();
    let rounds = 0;
    while (rounds < 3 || (performance.now() - started < budgetMs && rounds < 1000)) {
      const t0 = now();
      chain.run(perRound);
      bestMs = Math.min(bestMs, now() - t0);
      rounds++;
      // Yield between rounds so a worker stays responsive to its pool while calibrating.
      if (rounds % 8 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const flops = perRound * matmulFlops(size, size, size);
    return flops / (Math.max(bestMs, 1e-3) / 1000);
  } finally {
    chain.dispose();
  }
}
