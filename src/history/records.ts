/** RunResult + Analysis -> history records: one per cell that has ok repetitions and one per fitted law. */
import { createHash } from 'node:crypto';
import type { Analysis, SampleSummary } from '../analyse/schema.js';
import type { Environment, RunResult } from '../results/schema.js';
import { HISTORY_RECORD_VERSION, type CellRecord, type ExponentRecord, type HistoryRecord, type Interval, type WidthRecord } from './schema.js';

/** Where the run sits in the project's history; `history add` fills these from flags, the results, CI variables or git. */
export interface RecordContext {
  commit: string;
  branch: string;
}

/**
 * Four significant digits: run-to-run noise is percent-sized, so more digits would only make the store
 * bigger (it is what keeps a cell's record near 300 bytes).
 */
export function round4(value: number): number {
  return Number(value.toPrecision(4));
}

function interval(summary: SampleSummary): Interval {
  const ci = summary.medianCi;
  return [round4(summary.median), ci.low === null ? null : round4(ci.low), ci.high === null ? null : round4(ci.high)];
}

/** The key of a run in the store: unique even when run ids repeat (`--run-id nightly`), equal for the shards of one merged run. */
export function runKey(result: Pick<RunResult, 'runId' | 'startedAt'> & { environment: Pick<Environment, 'machineId'> }): string {
  return createHash('sha256').update(`${result.runId}|${result.startedAt}|${result.environment.machineId}`).digest('hex').slice(0, 12);
}

export interface RecordsOutcome {
  records: HistoryRecord[];
  /** Cells left out because no repetition finished ok (their ids). */
  skippedCells: string[];
}

export function historyRecords(result: RunResult, analysis: Analysis, context: RecordContext): RecordsOutcome {
  const env = result.environment;
  const base = (machine: string, subject: string) => ({
    v: HISTORY_RECORD_VERSION,
    run: runKey(result),
    runId: result.runId,
    date: result.startedAt,
    commit: context.commit,
    branch: context.branch,
    machine,
    backend: (result.machines?.[machine] ?? env).backend,
    runner: env.runner,
    subject,
  });
  const machineOf = new Map(result.cells.map((cell) => [cell.cell.id, cell.machineId]));
  const records: HistoryRecord[] = [];
  const skippedCells: string[] = [];

  for (const cell of analysis.cells) {
    if (!cell.wallMs || !cell.samplesPerSec || !cell.peakRssBytes) {
      skippedCells.push(cell.cellId);
      continue;
    }
    const p99 = cell.inference?.latency?.p99;
    const record: CellRecord = {
      ...base(machineOf.get(cell.cellId) ?? env.machineId, cell.cellId),
      kind: 'cell',
      wallMs: interval(cell.wallMs),
      throughput: interval(cell.samplesPerSec),
      memory: round4(cell.peakRssBytes.median),
      ...(cell.quality ? { quality: { metric: cell.quality.metric, value: round4(cell.quality.value) } } : {}),
      ...(typeof p99 === 'number' && Number.isFinite(p99) ? { latencyP99: round4(p99) } : {}),
      ok: cell.okTrials,
      trials: cell.totalTrials,
    };
    records.push(record);
  }

  const exponent = (estimate: { value: number; low: number | null; high: number | null }): Interval => [
    round4(estimate.value),
    estimate.low === null ? null : round4(estimate.low),
    estimate.high === null ? null : round4(estimate.high),
  ];
  for (const law of analysis.sizeScaling) {
    if (law.metric !== 'wallMs' || !law.exponent) continue;
    const record: ExponentRecord = { ...base(env.machineId, law.key), kind: 'size-law', exponent: exponent(law.exponent) };
    records.push(record);
  }
  for (const law of analysis.complexityScaling) {
    if (!law.exponentVsParams) continue;
    const record: ExponentRecord = { ...base(env.machineId, law.key), kind: 'complexity-law', exponent: exponent(law.exponentVsParams) };
    records.push(record);
  }
  for (const law of analysis.widthScaling) {
    const efficiency: Record<string, number> = {};
    for (const point of law.points) {
      if (point.workers > 1 && typeof point.efficiency === 'number' && Number.isFinite(point.efficiency)) efficiency[String(point.workers)] = round4(point.efficiency);
    }
    const peak = 'unavailable' in law.usl ? null : law.usl.peakWorkers;
    if (Object.keys(efficiency).length === 0 && peak === null) continue;
    const record: WidthRecord = {
      ...base(env.machineId, law.key),
      kind: 'width-law',
      efficiency,
      ...(peak !== null && Number.isFinite(peak) ? { uslPeak: round4(peak) } : {}),
    };
    records.push(record);
  }
  return { records, skippedCells };
}
