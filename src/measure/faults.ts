/**
 * Fault injection for the reliability tests: make chosen cells throw, hang, or kill their worker.
 * Read from SCALE_BENCH_FAULTS (JSON), e.g. {"throw":["mlp-small|"],"hang":["n=2000|w=2"],"exit":["linear|"]};
 * each entry matches cells whose id contains it. Unset in normal use, so it costs one lookup per task.
 */
export interface FaultPlan {
  throw?: string[];
  hang?: string[];
  exit?: string[];
}

export type Fault = keyof FaultPlan;

function readFaults(): FaultPlan {
  const text = process.env.SCALE_BENCH_FAULTS;
  if (!text) return {};
  try {
    return JSON.parse(text) as FaultPlan;
  } catch {
    return {};
  }
}

const faults = readFaults();

export function faultFor(cellId: string): Fault | undefined {
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
