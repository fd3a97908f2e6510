/**
 * `history export --csv`: the store as one flat table, one row per record, that Hunter and spreadsheets
 * read as they are. `time` is ISO 8601 (Hunter's `time_column`), `commit` an attribute, and every
 * metric a plain number column; a column a record has no value for is empty. Hunter analyses one file
 * as one test, so export one subject at a time (`--subject`) to give it a column of numbers on every row.
 */
import type { StoredRecord } from '../history/schema.js';
import { csvField } from './csv.js';

const FIXED = [
  'time',
  'commit',
  'branch',
  'run',
  'run_id',
  'machine',
  'backend',
  'runner',
  'kind',
  'subject',
  'wall_ms',
  'wall_ms_low',
  'wall_ms_high',
  'throughput',
  'throughput_low',
  'throughput_high',
  'peak_rss_bytes',
  'quality_metric',
  'quality',
  'latency_p99_ms',
  'ok_trials',
  'trials',
  'exponent',
  'exponent_low',
  'exponent_high',
] as const;

type Row = Record<string, string | number | null | undefined>;

function row({ record }: StoredRecord): Row {
  const out: Row = {
    time: record.date,
    commit: record.commit,
    branch: record.branch,
    run: record.run,
    run_id: record.runId,
    machine: record.machine,
    backend: record.backend,
    runner: record.runner,
    kind: record.kind,
    subject: record.subject,
  };
  if (record.kind === 'cell') {
    [out.wall_ms, out.wall_ms_low, out.wall_ms_high] = record.wallMs;
    [out.throughput, out.throughput_low, out.throughput_high] = record.throughput;
    out.peak_rss_bytes = record.memory;
    out.quality_metric = record.quality?.metric;
    out.quality = record.quality?.value;
    out.latency_p99_ms = record.latencyP99;
    out.ok_trials = record.ok;
    out.trials = record.trials;
  } else if (record.kind === 'width-law') {
    for (const [width, value] of Object.entries(record.efficiency)) out[`efficiency_w${width}`] = value;
    out.usl_peak = record.uslPeak;
  } else {
    [out.exponent, out.exponent_low, out.exponent_high] = record.exponent;
  }
  return out;
}

/** The CSV text, rows ordered by time; efficiency columns (efficiency_w2, ...) only when width laws are exported. */
export function renderHistoryCsv(records: readonly StoredRecord[]): string {
  const sorted = [...records].sort((a, b) => Date.parse(a.record.date) - Date.parse(b.record.date));
  const rows = sorted.map(row);
  const widths = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k.startsWith('efficiency_w'))))].sort(
    (a, b) => Number(a.slice('efficiency_w'.length)) - Number(b.slice('efficiency_w'.length)),
  );
  const columns = [...FIXED, ...widths, ...(rows.some((r) => r.usl_peak !== undefined) ? ['usl_peak'] : [])];
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => csvField(r[c])).join(','))];
  return `${lines.join('\n')}\n`;
}
