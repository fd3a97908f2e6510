/** Clocks that workers and the main thread read the same way. */
import { performance } from 'node:perf_hooks';

/** Epoch milliseconds (timeOrigin + now): comparable across worker threads, unlike performance.now() alone. */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Process-wide CPU time (user + system, all threads) in microseconds. */
export function cpuNowUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
