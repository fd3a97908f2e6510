/**
 * Fault injection for the reliability and gate tests: make chosen cells throw, hang, kill their worker, or
 * run slower. Read from SCALE_BENCH_FAULTS (JSON), e.g. {"throw":["mlp-small|"],"hang":["n=2000|w=2"],
 * "exit":["linear|"],"slow":{"mlp-deep|":1.2}}; each entry matches cells whose id contains it. Unset in
 * normal use, so it costs one lookup per task.
 */
import { z } from 'zod';
import { parseJsonVariable } from '../config/parse.js';

const faultPlanSchema = z
  .object({
    throw: z.array(z.string()).optional(),
    hang: z.array(z.string()).optional(),
    exit: z.array(z.string()).optional(),
    /** A real slowdown of the code under test: matching job-parallel cells train `factor` times as long (e.g. 1.2). */
    slow: z.record(z.string(), z.number().positive()).optional(),
  })
  .strict();

export type FaultPlan = z.infer<typeof faultPlanSchema>;

export type Fault = Exclude<keyof FaultPlan, 'slow'>;

export const FAULTS_VARIABLE = 'SCALE_BENCH_FAULTS';
const FAULTS_EXAMPLE = `Expected {"throw"|"hang"|"exit": [cell id fragments], "slow": {fragment: factor}}, e.g. {"throw":["mlp-small|"]} or {"slow":{"|":1.2}}; unset it for a normal run`;

/**
 * Reads a fault plan. A malformed one is refused, never ignored: a reliability test whose faults
 * silently did not happen would pass for the wrong reason.
 */
export function parseFaultPlan(text: string | undefined): FaultPlan {
  return parseJsonVariable(FAULTS_VARIABLE, text, faultPlanSchema, FAULTS_EXAMPLE) ?? {};
}

let faults: FaultPlan | undefined;

export function faultFor(cellId: string): Fault | undefined {
  // Read on first use in each thread; the CLI has already refused a malformed value before any worker started.
  faults ??= parseFaultPlan(process.env[FAULTS_VARIABLE]);
  for (const kind of ['throw', 'hang', 'exit'] as const) {
    if (faults[kind]?.some((fragment) => cellId.includes(fragment))) return kind;
  }
  return undefined;
}

/** Carry out an injected fault inside a worker thread. */
export function injectFault(fault: Fault, cellId: string): void {
  switch (fault) {
    case 'throw':
      throw new Error(`injected failure in ${cellId}`);
    case 'exit':
      // Ends this worker thread abruptly, as a native crash in a backend would.
      process.exit(86);
    // eslint-disable-next-line no-fallthrough
    case 'hang': {
      // A busy loop, like a kernel stuck in native code: only terminating the thread stops it.
      for (;;) {
        /* spin */
      }
    }
  }
}

/** The slowdown factor injected into a cell (1 = none): the largest of the matching `slow` entries. */
export function slowdownFor(cellId: string): number {
  faults ??= parseFaultPlan(process.env[FAULTS_VARIABLE]);
  const factors = Object.entries(faults.slow ?? {})
    .filter(([fragment, factor]) => cellId.includes(fragment) && Number.isFinite(factor) && factor > 1)
    .map(([, factor]) => factor);
  return Math.max(1, ...factors);
}

/**
 * Makes a trial that trained for `trainMs` take `factor` times as long, by keeping the CPU busy (not sleeping):
 * like slower code, the extra time competes for the core and stretches under load. Returns the extra ms.
 */
export function injectSlowdown(factor: number, trainMs: number): number {
  if (!(factor > 1)) return 0;
  const started = performance.now();
  const until = started + (factor - 1) * trainMs;
  while (performance.now() < until) {
    /* spin */
  }
  return performance.now() - started;
}
