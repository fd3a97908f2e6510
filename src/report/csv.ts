/**
 * cells.csv: one row per cell (per run when several are reported), RFC 4180 quoting so names with
 * commas, quotes or line breaks round-trip. Missing values are empty cells, which spreadsheets and
 * pandas read as missing; numbers are plain (no thousands separators, no units in cells).
 */
import type { Artifact, ReportInput } from './types.js';
import type { CellAnalysis } from '../analyse/schema.js';
import { SYNTHETIC_NOTE, isSynthetic } from './text.js';

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
  'cell_memory_mb',
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

/**
 * A text cell a spreadsheet would run as a formula (it starts with = + - @, or a tab or carriage
 * return that some spreadsheets skip before one): a data file named "=HYPERLINK(...).csv" must land
 * in cells.csv as text. OWASP's CSV-injection fix: prefix such a cell with a single quote.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Quotes a field when it contains a separator, quote or line break; doubles inner quotes; neutralises formulas. */
export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '';
    // Rounding near the float limit can overflow (-1.797…e308 to 10 digits is -Infinity): keep the value then.
    const rounded = Number(v.toPrecision(10));
    return String(Number.isFinite(rounded) ? rounded : v);
  }
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
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
    c.cellMemoryBytes ? c.cellMemoryBytes.median / 1e6 : null,
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
  // A comment line only for synthetic runs (pandas: comment='#'): a real run's file stays plain RFC 4180.
  const synthetic = input.runs.filter((run) => isSynthetic(run.result)).map((run) => run.result.runId);
  const lines = [...(synthetic.length > 0 ? [`# ${SYNTHETIC_NOTE}; runs: ${synthetic.join(' ').replace(/[\r\n]/g, ' ')}`] : []), csvLine(CSV_COLUMNS)];
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
