/** What reporters take and give: analysed runs in, bytes out (src/results/write.ts writes them). */
import type { RunResult } from '../results/schema.js';
import type { Analysis } from '../analyse/schema.js';
import type { Comparison } from '../gate/schema.js';
import type { Artifact } from '../results/write.js';
import type { HistoryView } from '../history/check.js';

export type { Artifact };

export interface ReportInput {
  /** One or more runs (several overlay their curves). The first is the primary. */
  runs: Array<{ result: RunResult; analysis: Analysis }>;
  /** The gate's baseline comparison (`run --baseline`), compared with the primary run. */
  comparison?: Comparison;
  /** Trends and change points of the history the run was added to (`run --history`). */
  history?: HistoryView;
  /** Runs 2..n each compared with the first (`report a.json b.json`): the side-by-side view. */
  overlays?: Comparison[];
}
