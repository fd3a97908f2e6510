/**
 * cells.csv: one row per cell (per run when several are reported), RFC 4180 quoting so names with
 * commas, quotes or line breaks round-trip. Missing values are empty cells, which spreadsheets and
 * pandas read as missing; numbers are plain (no thousands separators, no units in cells).
 */
import type { Artifact, ReportInput } from './types.js';
import type { CellAnalysis } from '../analyse/schema.js';

export const CSV_COLUMNS = [
  'run_id',
  'machine_id',
  'cell_id',
  'model',
  'dataset',
  'size',
  'workers',
  'mode',
  'ok_trials',
  'total_trials',
  'wall_ms_median',
  'wall_ms_min',
  'wall_ms_max',
  'wall_ms_iqr',
  'samples_per_sec_median',
  'peak_rss_mb',
  'quality_metric',
  'quality_value',
  'gflops',
  'mfu',
  'cold_start_ms',
  'budget_epochs',
  'budget_steps',
  'undertrained',
  'ideal_quality',
  'target',
  'time_to_target_mlperf_ms',
  'time_to_target_median_ms',
  'epochs_to_target_median',
  'converged_runs',
] as const;

type CsvValue = string | number | null | undefined;

/** Quotes a field when it contains a separator, quote or line break; doubles inner quotes. */
export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(10))) : '';
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',');
}

function row(runId: string, c: CellAnalysis, machineId: string): CsvValue[] {
  return [
    runId,
    machineId,
    c.cellId,
    c.cell.model,
    c.cell.dataset,
    c.cell.size,
    c.cell.workers,
    c.cell.mode,
    c.okTrials,
    c.totalTrials,
    c.wallMs?.median,
    c.wallMs?.min,
    c.wallMs?.max,
    c.wallMs?.iqr,
    c.samplesPerSec?.median,
    c.peakRssBytes ? c.peakRssBytes.median / 1e6 : null,
    c.quality?.metric,
    c.quality?.value,
    c.gflops,
    c.mfu,
    c.coldStartMs,
    c.budget?.epochs,
    c.budget?.steps,
    c.quality ? (c.undertrained ? 'yes' : 'no') : null,
    c.idealQuality?.value,
    c.timeToTarget?.target,
    c.timeToTarget?.mlperfMs,
    c.timeToTarget?.medianMs?.value,
    c.timeToTarget?.epochs?.value,
    c.timeToTarget ? `${c.timeToTarget.converged}/${c.timeToTarget.runs}` : null,
  ];
}

export function renderCsv(input: ReportInput): string {
  const lines = [csvLine(CSV_COLUMNS)];
  for (const { result, analysis } of input.runs) {
    const machineOf = new Map(result.cells.map((c) => [c.cell.id, c.machineId]));
    for (const c of analysis.cells) lines.push(csvLine(row(analysis.runId, c, machineOf.get(c.cellId) ?? analysis.environment.machineId)));
  }
  // CRLF as RFC 4180 asks; every CSV reader accepts it.
  return `${lines.join('\r\n')}\r\n`;
}

export const csv = {
  description: 'cells.csv: one row per cell with medians, spread, throughput, memory, quality, GFLOP/s, MFU and cold start',
  render(input: ReportInput): Artifact[] {
    return [{ path: 'cells.csv', mediaType: 'text/csv; charset=utf-8', bytes: new TextEncoder().encode(renderCsv(input)) }];
  },
};
