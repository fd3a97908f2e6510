/** What reporters take and give: analysed runs in, bytes out (src/results/write.ts writes them). */
import type { RunResult } from '../results/schema.js';
import type { Analysis } from '../analyse/schema.js';
import type { Comparison } from '../gate/schema.js';

/** One file a reporter produced: bytes only; src/results/write.ts is the only module that writes. */
export interface Artifact {
  /** Path relative to the run's output folder, e.g. "report.html" or "charts/time-vs-size.png". */
  path: string;
  mediaType: string;
  bytes: Uint8Array;
}

export interface ReportInput {
  /** One or more runs (several overlay their curves). The first is the primary. */
  runs: Array<{ result: RunResult; analysis: Analysis }>;
  comparison?: Comparison;
}
