/**
 * History records -> series: one value per run for one metric of one subject, ordered by the run's
 * date. Raw times, throughput, memory and latency are compared on the same machine fingerprint and
 * backend only; the shape (exponents, efficiencies, the USL peak) and quality are compared across
 * machines, as the shape gate does. Records of the fake runner never share a series with real ones.
 */
import { z } from 'zod';
import type { HistoryRecord, StoredRecord } from './schema.js';

export const historyMetricSchema = z.enum(['wallMs', 'throughput', 'memory', 'latencyP99', 'quality', 'exponent', 'efficiency', 'uslPeak']);
export type HistoryMetric = z.infer<typeof historyMetricSchema>;
export const HISTORY_METRICS: readonly HistoryMetric[] = historyMetricSchema.options;

export interface MetricInfo {
  /** 'machine': one series per machine fingerprint and backend; 'shape': across machines. */
  scope: 'machine' | 'shape';
  /** Which way is worse. */
  worse: 'up' | 'down';
  /** Steps are relative (fractions of the level before), except quality's, which are in accuracy / R² points. */
  scale: 'relative' | 'absolute';
  /** What the values are, with units, for labels. */
  label: string;
}

export const METRIC_INFO: Record<HistoryMetric, MetricInfo> = {
  wallMs: { scope: 'machine', worse: 'up', scale: 'relative', label: 'median wall time (ms)' },
  throughput: { scope: 'machine', worse: 'down', scale: 'relative', label: 'median throughput (samples/s)' },
  memory: { scope: 'machine', worse: 'up', scale: 'relative', label: 'median peak RSS (bytes)' },
  latencyP99: { scope: 'machine', worse: 'up', scale: 'relative', label: 'median p99 latency (ms)' },
  quality: { scope: 'shape', worse: 'down', scale: 'absolute', label: 'median held-out quality (accuracy or R²)' },
  exponent: { scope: 'shape', worse: 'up', scale: 'relative', label: 'fitted exponent b' },
  efficiency: { scope: 'shape', worse: 'down', scale: 'relative', label: 'parallel efficiency S(w)/w' },
  uslPeak: { scope: 'shape', worse: 'down', scale: 'relative', label: 'USL peak width (workers)' },
};

/** One run's value in a series. */
export interface SeriesPoint {
  value: number;
  /** Interval bounds when the record has them. */
  low: number | null;
  high: number | null;
  run: string;
  runId: string;
  date: string;
  commit: string;
  machine: string;
  /** Where the record was read, for messages. */
  file: string;
  line: number;
}

export interface Series {
  /** Stable identity: branch, runner, machine and backend (raw metrics only), subject and metric. */
  key: string;
  metric: HistoryMetric;
  /** Cell id, or law key (with "@w=<width>" for an efficiency). */
  subject: string;
  /** The cell id or law key the subject comes from, and what kind of record it is. */
  source: { kind: HistoryRecord['kind']; subject: string };
  branch: string;
  runner: 'tfjs' | 'fake';
  /** Machine fingerprint and backend (raw metrics only). */
  machine: string | null;
  backend: string | null;
  points: SeriesPoint[];
}

interface Value {
  metric: HistoryMetric;
  subject: string;
  value: number;
  low: number | null;
  high: number | null;
}

/** The metric values one record contributes. */
export function recordValues(record: HistoryRecord): Value[] {
  const at = (metric: HistoryMetric, [value, low, high]: readonly [number, number | null, number | null], subject = record.subject): Value => ({ metric, subject, value, low, high });
  const plain = (metric: HistoryMetric, value: number, subject = record.subject): Value => ({ metric, subject, value, low: null, high: null });
  switch (record.kind) {
    case 'cell':
      return [
        at('wallMs', record.wallMs),
        at('throughput', record.throughput),
        plain('memory', record.memory),
        ...(record.quality ? [plain('quality', record.quality.value)] : []),
        ...(record.latencyP99 !== undefined ? [plain('latencyP99', record.latencyP99)] : []),
      ];
    case 'size-law':
    case 'complexity-law':
      return [at('exponent', record.exponent)];
    case 'width-law':
      return [
        ...Object.entries(record.efficiency).map(([width, value]) => plain('efficiency', value, `${record.subject}@w=${width}`)),
        ...(record.uslPeak !== undefined ? [plain('uslPeak', record.uslPeak)] : []),
      ];
  }
}

export interface SeriesFilter {
  metrics?: readonly HistoryMetric[];
  branch?: string;
  machine?: string;
  /** Keep subjects containing this text. */
  subject?: string;
  /** Keep only the newest this many points of each series. */
  last?: number;
}

function byDate(a: SeriesPoint, b: SeriesPoint): number {
  const time = Date.parse(a.date) - Date.parse(b.date);
  return time !== 0 ? time : a.run < b.run ? -1 : a.run > b.run ? 1 : 0;
}

/** Groups records into series, each ordered by run date (oldest first). */
export function buildSeries(records: readonly StoredRecord[], filter: SeriesFilter = {}): Series[] {
  const series = new Map<string, Series>();
  for (const { record, file, line } of records) {
    if (filter.branch !== undefined && record.branch !== filter.branch) continue;
    if (filter.machine !== undefined && record.machine !== filter.machine) continue;
    for (const value of recordValues(record)) {
      if (filter.metrics && !filter.metrics.includes(value.metric)) continue;
      if (filter.subject !== undefined && !value.subject.includes(filter.subject)) continue;
      const raw = METRIC_INFO[value.metric].scope === 'machine';
      const key = [record.branch, record.runner, raw ? `${record.machine}/${record.backend}` : '*', value.subject, value.metric].join('|');
      let entry = series.get(key);
      if (!entry) {
        entry = {
          key,
          metric: value.metric,
          subject: value.subject,
          source: { kind: record.kind, subject: record.subject },
          branch: record.branch,
          runner: record.runner,
          machine: raw ? record.machine : null,
          backend: raw ? record.backend : null,
          points: [],
        };
        series.set(key, entry);
      }
      entry.points.push({ value: value.value, low: value.low, high: value.high, run: record.run, runId: record.runId, date: record.date, commit: record.commit, machine: record.machine, file, line });
    }
  }
  const out = [...series.values()];
  for (const entry of out) {
    entry.points.sort(byDate);
    if (filter.last !== undefined && entry.points.length > filter.last) entry.points = entry.points.slice(-filter.last);
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
