/**
 * What `scale-bench predict` prints: per model a table of predictions with their 95% prediction
 * intervals, the laws used, and the warnings; then the answers to --budget, --workers auto,
 * --quality and --backtest. The backtest summary line is also what `run` prints after a sweep.
 */
import Table from 'cli-table3';
import { createColors } from 'picocolors';
import { formatBytes, formatCount, formatMs, formatPercent, MISSING } from '../config/format.js';
import type { Backtest, BacktestRow, BacktestSummary, CellPrediction, Interval, PredictionFile, TimeLawUsed } from '../predict/schema.js';
import { SIZE_METRIC_LABEL } from './text.js';

type Colors = ReturnType<typeof createColors>;

/** Names come from user files: keep control characters (terminal escapes) out of the output. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function range(value: Interval | null, format: (x: number) => string): string {
  if (!value) return MISSING;
  const bounds = value.low === null || value.high === null ? '[no interval]' : `[${format(value.low)}, ${format(value.high)}]`;
  return `${format(value.estimate)} ${bounds}`;
}

/** Milliseconds, seconds, then minutes and hours for the long predictions ("7200 s" reads better as "2.00 h"). */
function ms(x: number): string {
  const three = (v: number) => String(Number(v.toPrecision(3)));
  if (Math.abs(x) >= 3_600_000) return `${three(x / 3_600_000)} h`;
  if (Math.abs(x) >= 60_000) return `${three(x / 60_000)} min`;
  return formatMs(x);
}
const count = (x: number) => formatCount(x);
const bytes = (x: number) => formatBytes(x);
const quality = (x: number) => x.toFixed(3);

function groupLabel(p: Pick<CellPrediction, 'model' | 'dataset' | 'mode' | 'variant'>): string {
  return clean(`${p.model} · ${p.dataset}${p.mode === 'job-parallel' ? '' : ` · ${p.mode}${p.variant.replace(/\|/g, ' ')}`}`);
}

/** "t ∝ n^1.02 at w=2 (sizes 2k…16k)" or "t(n,1) ∝ n^1.02 × 8/S(8), S from Amdahl (p 0.93) at n=16k, widths 1, 2 (USL: not enough widths: 2 < 4)". */
export function describeTimeLaw(law: TimeLawUsed, workers: number, replicaPerWorker: boolean): string {
  const sizes = `${law.sizes.length} sizes, ${count(law.sizes[0] ?? 0)}…${count(law.sizes[law.sizes.length - 1] ?? 0)}`;
  if (!law.speedup) return `t ∝ n^${law.exponent.toFixed(2)} at w=${law.sizeLawWorkers} (${sizes})`;
  const s = law.speedup;
  const params = s.kind === 'usl' ? `USL σ ${s.parameters[0]?.toFixed(3)}, κ ${s.parameters[1]?.toPrecision(2)}` : `Amdahl p ${s.parameters[0]?.toFixed(3)}`;
  const usl = s.uslUnavailable ? ` (USL: ${s.uslUnavailable})` : '';
  return (
    `t(n,1) ∝ n^${law.exponent.toFixed(2)} (${sizes}) × ${replicaPerWorker ? `${workers}` : '1'}/S(${workers}); ` +
    `S(${workers}) = ${range(s.speedup, (x) => String(Number(x.toPrecision(3))))} from ${params}, fitted at n=${count(s.size)} on widths ${s.widths.join(', ')}${usl}`
  );
}

function extrapolation(p: CellPrediction): string {
  const parts: string[] = [];
  if (p.extrapolation.size > 1) parts.push(`size ${p.extrapolation.size.toFixed(p.extrapolation.size >= 10 ? 0 : 1)}x`);
  if (p.extrapolation.width > 1) parts.push(`width ${p.extrapolation.width.toFixed(p.extrapolation.width >= 10 ? 0 : 1)}x`);
  return parts.length ? parts.join(', ') : 'within';
}

function predictionTables(file: PredictionFile, colors: Colors): string[] {
  const groups = new Map<string, CellPrediction[]>();
  for (const p of file.predictions) groups.set(groupLabel(p), [...(groups.get(groupLabel(p)) ?? []), p]);
  const out: string[] = [];
  for (const [label, rows] of groups) {
    const toTarget = rows.some((p) => p.timeToTargetMs !== null);
    // One group, one memory metric: the header names it (the cell's own memory, or the process peak RSS of older results).
    const memory = [...new Set(rows.map((p) => SIZE_METRIC_LABEL[p.memoryMetric]))].join(' / ');
    const table = new Table({
      head: ['n', 'w', 'wall time', 'per epoch', ...(toTarget ? ['to target'] : []), 'samples/s', memory, 'quality', 'beyond data'],
      style: { head: colors.isColorSupported ? ['cyan'] : [], border: colors.isColorSupported ? ['grey'] : [] },
      colAligns: ['right', 'right', 'right', 'right', ...(toTarget ? ['right' as const] : []), 'right', 'right', 'right', 'left'],
    });
    for (const p of rows) {
      const target = toTarget ? [range(p.timeToTargetMs, ms)] : [];
      table.push([count(p.size), String(p.workers), range(p.wallMs, ms), range(p.epochMs, ms), ...target, range(p.samplesPerSec, count), range(p.memoryBytes, bytes), range(p.quality, quality), extrapolation(p)]);
    }
    const laws = new Set<string>();
    const warnings = new Set<string>();
    for (const p of rows) {
      if (p.timeLaw) laws.add(`time, w=${p.workers}: ${describeTimeLaw(p.timeLaw, p.workers, p.mode === 'job-parallel')}`);
      if (p.memoryLaw) laws.add(`memory, w=${p.workers}: ${p.memoryLaw}`);
      if (!p.quality) laws.add('quality: no learning curve in these results (run with --target at 4 or more sizes)');
      for (const w of p.warnings) warnings.add(w);
    }
    const lawLines = [...laws].map((l) => `  ${l}`);
    const warningLines = [...warnings].map((w) => `  ${colors.yellow('!')} ${clean(w)}`);
    out.push([colors.bold(label), table.toString(), ...lawLines, ...warningLines].join('\n'));
  }
  return out;
}

function budgetLines(file: PredictionFile): string[] {
  if (!file.budget) return [];
  const lines = [`Largest n within ${ms(file.budget[0]?.budgetMs ?? 0)} of wall time per trial (estimate [95% interval]):`];
  for (const b of file.budget) {
    const size = b.size ? `n ≈ ${range(b.size, count)}` : MISSING;
    lines.push(`  ${groupLabel(b)}, w=${b.workers}: ${size}${b.note ? ` (${clean(b.note)})` : ''}`);
  }
  return lines;
}

function workersLines(file: PredictionFile): string[] {
  if (!file.workersAuto) return [];
  return ['--workers auto:', ...file.workersAuto.map((c) => `  ${groupLabel(c)}, n=${count(c.size)}: w=${c.chosen}. ${clean(c.reason)}.`)];
}

function qualityLines(file: PredictionFile): string[] {
  if (!file.quality) return [];
  return [
    'Data needed for the quality target (learning curve):',
    ...file.quality.map((q) => {
      const name = q.metric === 'r2' ? 'R²' : 'accuracy';
      const head = `  ${clean(`${q.model} · ${q.dataset}`)}: ${name} ${q.target}`;
      if (!q.size) return `${head}: ${clean(q.note ?? 'not reachable')}`;
      return `${head} needs n ≈ ${range(q.size, count)}, training in ${range(q.wallMs, ms)} at w=${q.workers}${q.note ? ` (${clean(q.note)})` : ''}`;
    }),
  ];
}

function coverageText(s: BacktestSummary): string {
  if (s.coverage === null) return 'no intervals';
  const without = s.cells - s.intervals;
  return `${Math.round(s.coverage * s.intervals)}/${s.intervals} inside the 95% prediction interval${without ? `, ${without} without one` : ''}`;
}

function summaryText(s: BacktestSummary): string {
  if (s.cells === 0 || s.medianAbsError === null) return 'no held-out cells';
  return `${s.cells} held-out cell${s.cells === 1 ? '' : 's'}, median |error| ${formatPercent(s.medianAbsError, 1)}, ${coverageText(s)}`;
}

/** The one line `run` prints after a sweep with 4+ sizes, and `predict --backtest` ends with. */
export function backtestSummaryLine(b: Backtest): string {
  if (b.summary.cells === 0) return `backtest: nothing to hold out (${b.notes[0] ?? 'too few sizes and widths'})`;
  const part = (name: string, s: BacktestSummary) => (s.cells && s.medianAbsError !== null ? [`${name} ${formatPercent(s.medianAbsError, 1)} (${coverageText(s)})`] : []);
  const parts = [...part('largest size held out', b.size), ...part('widest width held out', b.width)];
  return `backtest of the time laws: ${summaryText(b.summary)}; ${parts.join('; ')}`;
}

const BACKTEST_METRIC: Record<BacktestRow['metric'], string> = { wallMs: 'time', cellMemoryBytes: 'cell memory', peakRssBytes: 'peak RSS', timeToTargetMs: 'to target' };

function isMemory(r: BacktestRow): boolean {
  return r.metric === 'cellMemoryBytes' || r.metric === 'peakRssBytes';
}

function backtestLines(b: Backtest | undefined): string[] {
  if (!b) return [];
  const memoryMetrics = [...new Set(b.rows.filter(isMemory).map((r) => SIZE_METRIC_LABEL[r.metric]))];
  const table = new Table({
    head: ['held out', 'model', 'n', 'w', 'metric', 'predicted [95% PI]', 'measured', 'error', 'inside', 'law refitted'],
    style: { head: [], border: [] },
    colAligns: ['left', 'left', 'right', 'right', 'left', 'right', 'right', 'right', 'left', 'left'],
  });
  for (const r of b.rows) {
    const format = isMemory(r) ? bytes : ms;
    table.push([
      r.holdout === 'size' ? 'largest size' : 'widest width',
      groupLabel(r),
      count(r.size),
      String(r.workers),
      BACKTEST_METRIC[r.metric],
      range(r.predicted, format),
      format(r.measured),
      `${r.relativeError >= 0 ? '+' : ''}${formatPercent(r.relativeError, 1)}`,
      r.inside === null ? 'no interval' : r.inside ? 'yes' : 'no',
      clean(r.law),
    ]);
  }
  return [
    'Backtest: each law refitted without its largest size (and without its widest width), the held-out cells predicted:',
    ...(b.rows.length ? [table.toString()] : []),
    ...b.notes.map((n) => `  ${clean(n)}`),
    `backtest of the memory laws${memoryMetrics.length ? ` (${memoryMetrics.join(', ')})` : ''}: ${summaryText(b.memory)}`,
    backtestSummaryLine(b),
  ];
}

export function renderPredictions(file: PredictionFile, opts: { color: boolean }): string {
  const colors = createColors(opts.color);
  const head = `Predictions from run ${file.runIds.join(', ')} (${clean(file.machine.cpuModel)}, ${file.machine.cores} cores): estimate [95% prediction interval for one new measurement]`;
  const sections = [
    head,
    ...predictionTables(file, colors),
    budgetLines(file).join('\n'),
    workersLines(file).join('\n'),
    qualityLines(file).join('\n'),
    backtestLines(file.backtest).join('\n'),
    file.notes.map((n) => `note: ${clean(n)}`).join('\n'),
  ].filter((s) => s.length > 0);
  return `${sections.join('\n\n')}\n`;
}
