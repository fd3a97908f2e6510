/**
 * Fault injection for the reliability tests: make chosen cells throw, hang, or kill their worker.
 * Read from SCALE_BENCH_FAULTS (JSON), e.g. {"throw":["mlp-small|"],"hang":["n=2000|w=2"],"exit":["linear|"]};
 * each entry matches cells whose id contains it. Unset in normal use, so it costs one lookup per task.
 */
import { z } from 'zod';
import { parseJsonVariable } from '../config/parse.js';

const faultPlanSchema = z
  .object({
    throw: z.array(z.string()).optional(),
    hang: z.array(z.string()).optional(),
    exit: z.array(z.string()).optional(),
  })
  .strict();

export type FaultPlan = z.infer<typeof faultPlanSchema>;

export type Fault = keyof FaultPlan;

export const FAULTS_VARIABLE = 'SCALE_BENCH_FAULTS';
const FAULTS_EXAMPLE = `Expected {"throw"|"hang"|"exit": [cell id fragments]}, e.g. {"throw":["mlp-small|"]}; unset it for a normal run`;


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
