/**
 * What each chart shows, computed once from the analyses and drawn twice: as PNG on
 * @napi-rs/canvas (png.ts) and interactively in the browser (html.ts). Specs and the chart.js
 * configurations built from them are plain JSON (no functions) so the HTML can embed them.
 */
import type { Analysis, WidthScaling } from '../../analyse/schema.js';
import type { ReportInput } from '../types.js';
import { fmtPower, runLabels } from '../text.js';
import { uslThroughput } from '../../stats/index.js';
import { qualityChartSpecs } from './quality-charts.js';


import type { ChartPoint, ChartSpec, SeriesSpec } from './chart-types.js';

export type { ChartId, ChartPoint, ChartSpec, SeriesSpec } from './chart-types.js';

/** Tableau 10: distinct in colour and in greyscale, readable on white. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const REFERENCE_COLOR = '#7f7f7f';

/** n points spaced evenly on a log scale from a to b (inclusive). */
export function logSpace(a: number, b: number, n: number): number[] {
  if (!(a > 0) || !(b > 0) || n < 2 || a === b) return [a];
  const la = Math.log(a);
  const step = (Math.log(b) - la) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.exp(la + step * i));
}

function linSpace(a: number, b: number, n: number): number[] {
  if (n < 2 || a === b) return [a];
  const step = (b - a) / (n - 1);
  return Array.from({ length: n }, (_, i) => a + step * i);
}

function isPos(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/** Keeps only points a log axis can show and sorts by x. */
function clean(points: Array<{ x: number; y: number | null | undefined }>): ChartPoint[] {
  return points
    .filter((p): p is ChartPoint => Number.isFinite(p.x) && typeof p.y === 'number' && Number.isFinite(p.y))
    .sort((p, q) => p.x - q.x);
}

/** Colour per (run, subject), stable within one chart. */
class Colors {
  private readonly map = new Map<string, string>();
  get(key: string): string {
    let c = this.map.get(key);
    if (!c) {
      c = PALETTE[this.map.size % PALETTE.length]!;
      this.map.set(key, c);
    }
    return c;
  }
}

interface Naming {
  /** Prefix naming the run when several are overlaid. */
  run(i: number): string;
  /** Dataset/mode qualifiers only when the run has more than one of them. */
  qualify(a: Analysis, dataset: string, mode: string): string;
}

function naming(input: ReportInput): Naming {
  const labels = runLabels(input.runs);
  const multi = input.runs.length > 1;
  return {
    run: (i) => (multi ? `${labels[i]} · ` : ''),
    qualify(a, dataset, mode) {
      const datasets = new Set(a.cells.map((c) => c.cell.dataset)).size;
      const modes = new Set(a.cells.map((c) => c.cell.mode)).size;
      return `${datasets > 1 ? ` · ${dataset}` : ''}${modes > 1 ? ` · ${mode}` : ''}`;
    },
  };
}

/** Wall times in seconds when they are long, so tick labels stay short. */
function timeUnit(input: ReportInput): { div: number; name: string } {
  const max = Math.max(
    0,
    ...input.runs.flatMap((r) => r.analysis.sizeScaling.filter((s) => s.metric === 'wallMs').flatMap((s) => s.points.map((p) => p.value))),
  );
  return max >= 20_000 ? { div: 1000, name: 's' } : { div: 1, name: 'ms' };
}

function timeVsSize(input: ReportInput, nm: Naming): ChartSpec {
  const colors = new Colors();
  const unit = timeUnit(input);
  const series: SeriesSpec[] = [];
  input.runs.forEach(({ analysis: a }, run) => {
    for (const s of a.sizeScaling.filter((x) => x.metric === 'wallMs')) {
      const name = `${nm.run(run)}${s.model} · ${s.workers}w${nm.qualify(a, s.dataset, s.mode)}`;
      const group = `${run}|${s.key}`;
      const color = colors.get(group);
      const points = clean(s.points.map((p) => ({ x: p.size, y: p.value / unit.div })));
      if (points.length === 0) continue;
      const b = s.exponent?.value;
      const coef = s.coefficient;
      const hasFit = isPos(coef) && typeof b === 'number' && Number.isFinite(b) && points.length >= 2;
      series.push({ label: hasFit ? `${name}: ${fmtPower('n', s.exponent)}` : name, role: 'measured', color, run, group, points });
      if (hasFit) {
        const xs = logSpace(points[0]!.x, points[points.length - 1]!.x, 24);
        series.push({
          label: `${name} fit`,
          role: 'fit',
          color,
          run,
          group,
          points: clean(xs.map((x) => ({ x, y: (coef * x ** b) / unit.div }))),
        });
      }
    }
  });
  return {
    id: 'time-vs-size',
    title: 'Training time vs dataset size',
    subtitle: 'median of repetitions; dashed: fitted power law',
    xTitle: 'dataset size (samples)',
    yTitle: `wall time (${unit.name})`,
    xLog: true,
    yLog: true,
    series,
  };
}

/** Width sweeps with at least 2 widths; for throughput only the largest size per model keeps the chart readable. */
function widthSweeps(a: Analysis, largestOnly: boolean): WidthScaling[] {
  const usable = a.widthScaling.filter((w) => w.points.length >= 2);
  if (!largestOnly) return usable;
  const best = new Map<string, WidthScaling>();
  for (const w of usable) {
    const k = `${w.model}|${w.dataset}|${w.mode}`;
    const cur = best.get(k);
    if (!cur || w.size > cur.size) best.set(k, w);
  }
  return [...best.values()];
}

function throughputVsWorkers(input: ReportInput, nm: Naming): ChartSpec {
  const colors = new Colors();
  const series: SeriesSpec[] = [];
  input.runs.forEach(({ analysis: a }, run) => {
    for (const w of widthSweeps(a, true)) {
      const name = `${nm.run(run)}${w.model} · n=${w.size}${nm.qualify(a, w.dataset, w.mode)}`;
      const group = `${run}|${w.key}`;
      const color = colors.get(group);
      const points = clean(w.points.map((p) => ({ x: p.workers, y: p.throughput })));
      const usl = 'unavailable' in w.usl ? null : w.usl;
      const peak = usl && typeof usl.peakWorkers === 'number' && Number.isFinite(usl.peakWorkers) ? `, USL peak ${usl.peakWorkers.toFixed(1)} workers` : '';
      series.push({ label: `${name}${peak}`, role: 'measured', color, run, group, points });
      const maxW = Math.max(...w.points.map((p) => p.workers));
      const x1 = w.points.find((p) => p.workers === 1)?.throughput;
      if (isPos(x1)) {
        series.push({ label: `${name} ideal`, role: 'ideal', color, run, group, points: [{ x: 1, y: x1 }, { x: maxW, y: x1 * maxW }] });
      }
      if (usl) {
        const { sigma, kappa, lambda } = usl;
        const xs = linSpace(1, maxW, 40);
        series.push({ label: `${name} USL fit`, role: 'fit', color, run, group, points: clean(xs.map((x) => ({ x, y: uslThroughput({ sigma, kappa, lambda }, x) }))) });
      }
    }
  });
  return {
    id: 'throughput-vs-workers',
    title: 'Throughput vs workers',
    subtitle: 'largest size per model; dotted: ideal linear scaling; dashed: USL fit',
    xTitle: 'workers (threads in the pool)',
    xInteger: true,
    yTitle: 'throughput (samples/s, all workers)',
    xLog: false,
    yLog: false,
    series,
  };
}

function perWorkerChart(input: ReportInput, nm: Naming, which: 'speedup' | 'efficiency'): ChartSpec {
  const colors = new Colors();
  const series: SeriesSpec[] = [];
  let maxW = 1;
  input.runs.forEach(({ analysis: a }, run) => {
    for (const w of widthSweeps(a, false)) {
      const name = `${nm.run(run)}${w.model} · n=${w.size}${nm.qualify(a, w.dataset, w.mode)}`;
      const group = `${run}|${w.key}`;
      const color = colors.get(group);
      const points = clean(w.points.map((p) => ({ x: p.workers, y: which === 'speedup' ? p.speedup : p.efficiency === null ? null : p.efficiency * 100 })));
      if (points.length < 2) continue;
      maxW = Math.max(maxW, ...points.map((p) => p.x));
      series.push({ label: name, role: 'measured', color, run, group, points });
      if (!('unavailable' in w.usl)) {
        const { sigma, kappa } = w.usl;
        const xs = linSpace(1, Math.max(...points.map((p) => p.x)), 40);
        const s = (x: number) => uslThroughput({ sigma, kappa, lambda: 1 }, x);
        series.push({
          label: `${name} USL fit`,
          role: 'fit',
          color,
          run,
          group,
          points: clean(xs.map((x) => ({ x, y: which === 'speedup' ? s(x) : (s(x) / x) * 100 }))),
        });
      }
    }
  });
  if (series.length > 0) {
    series.unshift({
      label: which === 'speedup' ? 'ideal (linear speedup)' : 'ideal (100% efficient)',
      role: 'ideal',
      color: REFERENCE_COLOR,
      run: -1,
      group: 'ideal',
      points: which === 'speedup' ? [{ x: 1, y: 1 }, { x: maxW, y: maxW }] : [{ x: 1, y: 100 }, { x: maxW, y: 100 }],
    });
  }
  return which === 'speedup'
    ? {
        id: 'speedup-vs-workers',
        title: 'Speedup vs workers',
        subtitle: 'S(w) = X(w) / X(1); dashed: USL fit',
        xTitle: 'workers (threads in the pool)',
        xInteger: true,
        yTitle: 'speedup (x)',
        xLog: false,
        yLog: false,
        series,
      }
    : {
        id: 'efficiency-vs-workers',
        title: 'Parallel efficiency vs workers',
        subtitle: 'E = S / w; dashed: USL fit',
        xTitle: 'workers (threads in the pool)',
        xInteger: true,
        yTitle: 'efficiency (%)',
        xLog: false,
        yLog: false,
        series,
      };
}

/** Cells at each (model, dataset, mode)'s smallest width: the width size sweeps are usually read at. */
function smallestWidthCells(a: Analysis) {
  const minW = new Map<string, number>();
  for (const c of a.cells) {
    const k = `${c.cell.model}|${c.cell.dataset}|${c.cell.mode}`;
    minW.set(k, Math.min(minW.get(k) ?? Infinity, c.cell.workers));
  }
  const groups = new Map<string, typeof a.cells>();
  for (const c of a.cells) {
    const k = `${c.cell.model}|${c.cell.dataset}|${c.cell.mode}`;
    if (c.cell.workers !== minW.get(k)) continue;
    const g = groups.get(k) ?? [];
    g.push(c);
    groups.set(k, g);
  }
  return groups;
}

function memoryVsSize(input: ReportInput, nm: Naming): ChartSpec {
  const colors = new Colors();
  const series: SeriesSpec[] = [];
  input.runs.forEach(({ analysis: a }, run) => {
    for (const [k, cells] of smallestWidthCells(a)) {
      const c0 = cells[0]!.cell;
      const name = `${nm.run(run)}${c0.model} · ${c0.workers}w${nm.qualify(a, c0.dataset, c0.mode)}`;
      const group = `${run}|${k}`;
      const color = colors.get(group);
      const points = clean(cells.map((c) => ({ x: c.cell.size, y: c.peakRssBytes === null ? null : c.peakRssBytes.median / 1e6 })));
      if (points.length === 0) continue;
      const fit = a.sizeScaling.find(
        (s) => s.metric === 'peakRssBytes' && s.model === c0.model && s.dataset === c0.dataset && s.mode === c0.mode && s.workers === c0.workers,
      );
      const b = fit?.exponent?.value;
      const coef = fit?.coefficient;
      const hasFit = fit !== undefined && isPos(coef) && typeof b === 'number' && Number.isFinite(b) && points.length >= 2;
      series.push({ label: hasFit ? `${name}: ${fmtPower('n', fit.exponent)}` : name, role: 'measured', color, run, group, points });
      if (hasFit) {
        const xs = logSpace(points[0]!.x, points[points.length - 1]!.x, 24);
        series.push({ label: `${name} fit`, role: 'fit', color, run, group, points: clean(xs.map((x) => ({ x, y: (coef * x ** b) / 1e6 }))) });
      }
    }
  });
  return {
    id: 'memory-vs-size',
    title: 'Peak memory vs dataset size',
    subtitle: 'median peak RSS of the process; dashed: fitted power law',
    xTitle: 'dataset size (samples)',
    yTitle: 'peak RSS (MB)',
    xLog: true,
    yLog: false,
    series,
  };
}

function qualityVsSize(input: ReportInput, nm: Naming): ChartSpec {
  const colors = new Colors();
  const series: SeriesSpec[] = [];
  const metrics = new Set<string>();
  input.runs.forEach(({ analysis: a }, run) => {
    for (const [k, cells] of smallestWidthCells(a)) {
      const c0 = cells[0]!.cell;
      const points = clean(cells.map((c) => ({ x: c.cell.size, y: c.quality?.value })));
      if (points.length === 0) continue;
      for (const c of cells) if (c.quality) metrics.add(c.quality.metric);
      series.push({
        label: `${nm.run(run)}${c0.model} · ${c0.workers}w${nm.qualify(a, c0.dataset, c0.mode)}`,
        role: 'measured',
        color: colors.get(`${run}|${k}`),
        run,
        group: `${run}|${k}`,
        points,
      });
    }
  });
  const yTitle =
    metrics.size === 1 ? (metrics.has('r2') ? 'held-out R²' : 'held-out accuracy (0-1)') : 'held-out quality (accuracy 0-1 or R²)';
  const budget = input.runs.some((r) => r.result.plan.convergence) ? 'at the end of training' : 'after the fixed --epochs budget, so larger sizes also trained more steps';
  return { id: 'quality-vs-size', title: 'Model quality vs dataset size', subtitle: `held-out split, at the smallest pool width, ${budget}`, xTitle: 'dataset size (samples)', yTitle, xLog: true, yLog: false, series };
}

/** Every chart that has data, in reading order. */
export function buildChartSpecs(input: ReportInput): ChartSpec[] {
  const nm = naming(input);
  const specs = [
    timeVsSize(input, nm),
    throughputVsWorkers(input, nm),
    perWorkerChart(input, nm, 'speedup'),
    perWorkerChart(input, nm, 'efficiency'),
    memoryVsSize(input, nm),
    qualityVsSize(input, nm),
  ];
  return [...specs.filter((s) => s.series.some((x) => x.role === 'measured' && x.points.length > 0)), ...qualityChartSpecs(input)];
}

/** Translucent fill for point markers. */
