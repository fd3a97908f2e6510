/**
 * A small line chart for the terminal: median training time against dataset size on log-log
 * axes, one line per model at its smallest pool width, each line labelled at its right end
 * (so it reads without colour). On log-log axes a power law is a straight line whose slope
 * is the exponent.
 */
import { createRequire } from 'node:module';
import type { Analysis, CellAnalysis } from '../analyse/schema.js';
import { fmtCount, fmtMs, fmtPower } from './text.js';
import { terminalSafeLine } from '../config/terminal-text.js';

interface AsciiChart {
  plot(series: number[][], cfg: { height?: number; colors?: string[]; format?: (x: number, i: number) => string; padding?: string; offset?: number }): string;
  reset: string;
  cyan: string;
  magenta: string;
  yellow: string;
  green: string;
  blue: string;
  red: string;
}

// asciichart ships no types; this is the part of its API used here.
const asciichart = createRequire(import.meta.url)('asciichart') as AsciiChart;

export interface TerminalChartOptions {
  /** Emit ANSI colours. */
  color: boolean;
  /** Total width in columns, labels included (default 80). */
  width?: number;
  /** Plot rows (default 10). */
  height?: number;
}

interface Line {
  name: string;
  points: Array<{ size: number; ms: number }>;
  law: string | null;
}

/** Terminal escapes in a name could rewrite the screen; names print without control characters. */
export const stripControl = terminalSafeLine;

function linesOf(a: Analysis): Line[] {
  const groups = new Map<string, CellAnalysis[]>();
  for (const c of a.cells) {
    const k = `${c.cell.model}|${c.cell.dataset}|${c.cell.mode}`;
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  const multiDataset = new Set(a.cells.map((c) => c.cell.dataset)).size > 1;
  const multiMode = new Set(a.cells.map((c) => c.cell.mode)).size > 1;
  const out: Line[] = [];
  for (const cells of groups.values()) {
    const minW = Math.min(...cells.map((c) => c.cell.workers));
    const c0 = cells[0]!.cell;
    const points = cells
      .filter((c) => c.cell.workers === minW && c.wallMs !== null && c.wallMs.median > 0)
      .map((c) => ({ size: c.cell.size, ms: c.wallMs!.median }))
      .sort((p, q) => p.size - q.size);
    const fit = a.sizeScaling.find(
      (s) => s.metric === 'wallMs' && s.model === c0.model && s.dataset === c0.dataset && s.mode === c0.mode && s.workers === minW,
    );
    const name = [c0.model, multiDataset ? c0.dataset : null, multiMode ? c0.mode : null, `${minW}w`].filter((s) => s !== null).join(' ');
    out.push({ name: stripControl(name), points, law: fit?.exponent ? fmtPower('n', fit.exponent) : null });
  }
  return out;
}

/** Linear interpolation of log(ms) over log(size) at x (log size). */
function interpolate(points: Array<{ size: number; ms: number }>, x: number): number {
  const xs = points.map((p) => Math.log10(p.size));
  const ys = points.map((p) => Math.log10(p.ms));
  for (let i = 1; i < xs.length; i++) {
    if (x <= xs[i]! + 1e-12) {
      const t = (x - xs[i - 1]!) / (xs[i]! - xs[i - 1]!);
      return ys[i - 1]! + t * (ys[i]! - ys[i - 1]!);
    }
  }
  return ys[ys.length - 1]!;
}

const LABEL_WIDTH = 9;

export function renderTerminalChart(analysis: Analysis, opts: TerminalChartOptions): string {
  const lines = linesOf(analysis);
  const sizes = [...new Set(lines.flatMap((l) => l.points.map((p) => p.size)))].sort((a, b) => a - b);
  if (sizes.length < 2) {
    return `time vs size: not enough data for a chart (needs 2 or more sizes with ok repetitions, got ${sizes.length})`;
  }
  const lo = sizes[0]!;
  const hi = sizes[sizes.length - 1]!;
  // asciichart cannot leave gaps, so a line is drawn only if it spans every column.
  const drawn = lines.filter((l) => l.points.length >= 2 && l.points[0]!.size === lo && l.points[l.points.length - 1]!.size === hi);
  const skipped = lines.filter((l) => !drawn.includes(l));
  if (drawn.length === 0) return 'time vs size: not enough data for a chart (no model was measured at both the smallest and largest size)';

  const width = Math.max(40, opts.width ?? 80);
  const endLabels = new Map<number, string[]>();
  const maxEndLabel = Math.min(24, Math.max(...drawn.map((l) => l.name.length)) + 3);
  const columns = Math.max(10, width - LABEL_WIDTH - 2 - maxEndLabel);
  const xLo = Math.log10(lo);
  const xHi = Math.log10(hi);
  const series = drawn.map((l) => Array.from({ length: columns }, (_, i) => interpolate(l.points, xLo + ((xHi - xLo) * i) / (columns - 1))));

  const palette = [asciichart.cyan, asciichart.magenta, asciichart.yellow, asciichart.green, asciichart.blue, asciichart.red];
  const height = Math.max(3, opts.height ?? 10);
  const chart = asciichart.plot(series, {
    height,
    padding: ' '.repeat(LABEL_WIDTH),
    ...(opts.color ? { colors: drawn.map((_, i) => palette[i % palette.length]!) } : {}),
    format: (y: number) => fmtMs(10 ** y).padStart(LABEL_WIDTH).slice(-LABEL_WIDTH),
  });

  // Same row arithmetic as asciichart, to put each name at the height where its line ends.
  const all = series.flat();
  const min = Math.min(...all);
  const max = Math.max(...all);
  const range = max - min;
  const ratio = range !== 0 ? height / range : 1;
  const min2 = Math.round(min * ratio);
  const rows = Math.round(max * ratio) - min2;
  series.forEach((s, i) => {
    const row = rows - (Math.round(s[s.length - 1]! * ratio) - min2);
    const name = drawn[i]!.name;
    const label = name.length > maxEndLabel - 1 ? `${name.slice(0, maxEndLabel - 2)}…` : name;
    const colored = opts.color ? `${palette[i % palette.length]}${label}${asciichart.reset}` : label;
    endLabels.set(row, [...(endLabels.get(row) ?? []), colored]);
  });
  const body = chart.split('\n').map((line, row) => {
    const labels = endLabels.get(row);
    return (labels ? `${line} ${labels.join(', ')}` : line).trimEnd();
  });

  const pad = ' '.repeat(LABEL_WIDTH + 2);
  const loText = `n=${fmtCount(lo)}`;
  const hiText = `n=${fmtCount(hi)}`;
  const axis = `${pad}${loText}${' '.repeat(Math.max(1, columns - loText.length - hiText.length))}${hiText}`;
  const title = `median training time vs dataset size (log-log; ${drawn.length === 1 ? 'one model' : `${drawn.length} models`} at their smallest pool width)`;
  const laws = drawn.map((l) => `  ${l.name}: ${l.law ? `time grows as ${l.law}` : 'no fitted law'}`);
  const notes = skipped.map((l) => `  ${l.name}: not drawn (measured at ${l.points.length} of the sizes)`);
  return [title, ...body, axis, ...laws, ...notes].join('\n');
}
