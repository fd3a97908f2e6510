/**
 * Load from outside the benchmark, as a noisy CI neighbour makes it: a child process spinning on one core
 * (pinned with `taskset` from util-linux when it is installed, else left to the scheduler). Used by the gate's
 * load test and by benchmarks/gate-false-alarms.ts; always stopped by whoever started it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface BusyLoop {
  /** Whether the loop is pinned to its core (taskset found). */
  readonly pinned: boolean;
  readonly pid: number | undefined;
  /** Kills the loop and waits until it is gone. Safe to call twice. */
  stop(): Promise<void>;
}

function hasTaskset(): boolean {
  const probe = spawnSync('taskset', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** Starts a busy loop on `core` (default 0) and resolves once it is running. */
export async function startBusyLoop(core = 0): Promise<BusyLoop> {
  const pinned = hasTaskset();
  const spin = [process.execPath, '-e', 'for (;;) {}'];
  const child: ChildProcess = pinned
    ? spawn('taskset', ['-c', String(core), ...spin], { stdio: 'ignore' })
    : spawn(spin[0]!, spin.slice(1), { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  let stopped = false;
  return {
    pinned,
    pid: child.pid,
    async stop() {
      if (!stopped) {
        stopped = true;
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}
