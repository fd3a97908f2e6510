/**
 * What each chart shows, computed once from the analyses and drawn twice: as PNG on @napi-rs/canvas
 * (png.ts) and interactively in the browser (html.ts). Specs are plain JSON (no functions) so the HTML
 * can embed them.
 *
 * Every chart is small multiples: one panel per model (× data set × mode variant, × run when several are
 * overlaid), at most MAX_SERIES_PER_PANEL series a panel (more split into further panels), coloured by the
 * parameter that varies (size or width) from a sequential palette, so one colour means one value in every
 * panel. Fitted laws are dashed, with their 95% band where the fit has an interval; ideal lines dotted.
 */
import type { CellAnalysis } from '../../analyse/schema.js';
import type { ReportInput } from '../types.js';
import { formatBytes, formatCount, formatFixed, formatMs, formatPercent, formatRatio } from '../../config/format.js';
import { powerLawBand, uslThroughput } from '../../stats/index.js';
import { sizeScalingKey } from '../../analyse/common.js';
import { SYNTHETIC_NOTE_SHORT, fmtPower, isSynthetic, memoryMetric } from '../text.js';
import { linearTicks, logTicks, REFERENCE_COLOR } from './chart-axes.js';
import { MAX_SERIES_PER_PANEL, type AxisSpec, type ChartPoint, type ChartSpec, type LegendEntry } from './chart-types.js';
import { assemble, extent, FIT_DASH, IDEAL_DASH, linearAxis, linSpace, logAxis, logSpace, runsGroups, type PanelDraft, type ValueSeries } from './chart-assemble.js';
import { qualityChartSpecs } from './quality-charts.js';

export { MAX_SERIES_PER_PANEL, logSpace };

export type { AxisSpec, ChartId, ChartPoint, ChartSpec, LegendEntry, PanelSpec, SeriesRole, SeriesSpec } from './chart-types.js';

function medianTip(c: CellAnalysis, format: (v: number) => string, pick: (c: CellAnalysis) => CellAnalysis['wallMs']): string {
  const s = pick(c);
  if (!s) return 'n/a';
  const ci = s.medianCi;
  const interval = ci.low !== null && ci.high !== null ? ` [${format(ci.low)}, ${format(ci.high)}] (${formatPercent(ci.level)} CI of the median)` : '';
  return `n=${formatCount(c.cell.size)}, w=${c.cell.workers}: ${format(s.median)}${interval}, ${c.okTrials}/${c.totalTrials} ok`;
}

/** Memory in MiB: a log axis when it spans more than 4x, else linear (a 10% spread has no round log ticks). */
function memoryAxis(title: string) {
  return (points: ChartPoint[]): AxisSpec => {
    const { min, max } = extent(points, true);
    if (max / min > 4) return { title, log: true, ...logTicks(min, max, 'mib') };
    return { title, log: false, ...linearTicks(min, max, 'mib') };
  };
}

/** Measured medians against size per width, with the fitted power law and its band. */
function sizeChart(input: ReportInput, metric: 'wallMs' | 'cellMemoryBytes' | 'peakRssBytes'): ChartSpec {
  const time = metric === 'wallMs';
  // Memory in MiB, so linear ticks fall on round binary values.
  const scale = time ? 1 : 2 ** 20;
  const drafts: PanelDraft[] = [];
  const sizes: number[] = [];
  for (const { run, analysis, group } of runsGroups(input)) {
    const values: ValueSeries[] = [];
    for (const w of group.widths) {
      const cells = group.cells.filter((c) => c.cell.workers === w && c[metric] !== null).sort((a, b) => a.cell.size - b.cell.size);
      const format = time ? formatMs : formatBytes;
      const key = sizeScalingKey(group.model, group.dataset, w, group.mode, metric, group.variant);
      const measured = cells.map((c) => ({ x: c.cell.size, y: c[metric]!.median / scale, tip: medianTip(c, format, (x) => x[metric] ?? null) }));
      sizes.push(...measured.map((p) => p.x));
      const law = analysis.sizeScaling.find((s) => s.key === key);
      const series: ValueSeries['series'] = [{ role: 'measured', points: measured }];
      if (law?.exponent && law.coefficient !== null && law.coefficient > 0 && measured.length >= 2) {
        const xs = logSpace(measured[0]!.x, measured[measured.length - 1]!.x, 24);
        const b = law.exponent.value;
        series.push({ role: 'fit', points: xs.map((x) => ({ x, y: (law.coefficient! * x ** b) / scale })) });
        // One band a panel, around the law its note quotes: several overlapping bands would hide the data.
        const quoted = (time ? group.timeLaw : group.memoryLaw)?.workers === w;
        const band = quoted ? powerLawBand(law.points.map((p) => p.size), law.coefficient, law.exponent, xs) : null;
        if (band) {
          series.push({ role: 'band-high', points: band.map((p) => ({ x: p.x, y: p.high / scale })) }, { role: 'band-low', points: band.map((p) => ({ x: p.x, y: p.low / scale })) });
        }
      }
      values.push({ value: w, series });
    }
    const law = time ? group.timeLaw : group.memoryLaw;
    const note = law?.exponent ? `${time ? 't' : metric === 'cellMemoryBytes' ? 'mem' : 'RSS'} ∝ ${fmtPower('n', law.exponent)} at w=${law.workers}` : undefined;
    drafts.push({ group, run, values, ...(note ? { note } : {}) });
  }
  const styles: LegendEntry[] = [
    { key: 'fit', label: 'fitted power law (dashed) with its 95% band', color: REFERENCE_COLOR, kind: 'style', dash: FIT_DASH },
  ];
  return assemble(
    input,
    {
      id: time ? 'time-vs-size' : 'memory-vs-size',
      title: time ? 'Training time vs dataset size' : metric === 'cellMemoryBytes' ? 'Memory vs dataset size' : 'Peak memory vs dataset size',
      subtitle: time
        ? 'median of the repetitions per pool width w; dashed: fitted power law t = a·n^b; shaded: the 95% band of the law each panel quotes'
        : metric === 'cellMemoryBytes'
          ? "median memory each cell holds (its data table and its workers' tensors at their peak) per pool width w; dashed: fitted power law; shaded: its 95% band"
          : 'median peak RSS of the process per pool width w (results without the per-cell figure); dashed: fitted power law; shaded: its 95% band',
      varying: 'workers',
      xAxis: logAxis('dataset size n (samples)', 'count', sizes),
      yAxis: time ? logAxis('wall time', 'ms') : memoryAxis(metric === 'cellMemoryBytes' ? 'cell memory: data + tensors' : 'peak RSS'),
    },
    drafts,
    styles,
  );
}

/** Throughput, speedup or efficiency against width, one series per size, with the ideal line and the USL fit. */
function widthChart(input: ReportInput, which: 'throughput' | 'speedup' | 'efficiency'): ChartSpec {
  const drafts: PanelDraft[] = [];
  const widths: number[] = [];
  for (const { run, group } of runsGroups(input)) {
    const values: ValueSeries[] = [];
    let maxW = 1;
    for (const sweep of group.widthLaws) {
      const y = (p: (typeof sweep.points)[number]) => (which === 'throughput' ? p.throughput : which === 'speedup' ? p.speedup : p.efficiency === null ? null : p.efficiency * 100);
      const measured = sweep.points.flatMap((p) => {
        const value = y(p);
        if (value === null) return [];
        const tip = `n=${formatCount(sweep.size)}, w=${p.workers}: ${formatCount(p.throughput)} samples/s; speedup ${formatRatio(p.speedup)}, ${formatPercent(p.efficiency)} efficient${p.oversubscribed ? ' (over the cores)' : ''}`;
        return [{ x: p.workers, y: value, tip }];
      });
      if (measured.length < 2) continue;
      widths.push(...measured.map((p) => p.x));
      maxW = Math.max(maxW, ...measured.map((p) => p.x));
      const series: ValueSeries['series'] = [{ role: 'measured', points: measured }];
      const usl = 'unavailable' in sweep.usl ? null : sweep.usl;
      if (usl) {
        const xs = linSpace(1, Math.max(...measured.map((p) => p.x)), 40);
        const s = (x: number) => uslThroughput({ sigma: usl.sigma, kappa: usl.kappa, lambda: 1 }, x);
        series.push({ role: 'fit', points: xs.map((x) => ({ x, y: which === 'throughput' ? uslThroughput(usl, x) : which === 'speedup' ? s(x) : (s(x) / x) * 100 })) });
      }
      if (which === 'throughput') {
        const x1 = sweep.points.find((p) => p.workers === 1)?.throughput;
        if (x1 !== undefined && x1 > 0) series.push({ role: 'ideal', points: [{ x: 1, y: x1 }, { x: maxW, y: x1 * maxW }] });
      }
      values.push({ value: sweep.size, series });
    }
    const references: PanelDraft['references'] =
      which === 'speedup'
        ? [{ label: 'ideal (linear speedup)', role: 'ideal', points: [{ x: 1, y: 1 }, { x: maxW, y: maxW }] }]
        : which === 'efficiency'
          ? [{ label: 'ideal (100% efficient)', role: 'ideal', points: [{ x: 1, y: 100 }, { x: maxW, y: 100 }] }]
          : [];
    drafts.push({ group, run, values, references });
  }
  const titles = {
    throughput: ['Throughput vs workers', 'samples/s of all workers per dataset size n; dotted: ideal linear scaling from w=1; dashed: USL fit', 'throughput (samples/s)', 'rate'],
    speedup: ['Speedup vs workers', 'S(w) = X(w) / X(1) per dataset size n; dotted: ideal; dashed: USL fit', 'speedup', 'ratio'],
    efficiency: ['Parallel efficiency vs workers', 'E = S / w per dataset size n; dotted: 100%; dashed: USL fit', 'efficiency', 'percent'],
  } as const;
  const [title, subtitle, yTitle, unit] = titles[which];
  return assemble(
    input,
    {
      id: `${which}-vs-workers`,
      title,
      subtitle,
      varying: 'size',
      xAxis: linearAxis('workers w (threads in the pool)', 'number', { integerX: widths.length > 0 ? widths : [1, 2] }),
      yAxis: linearAxis(yTitle, unit, { from0: true }),
      // Throughput differs by 100x between models: each panel gets its own scale; speedup and efficiency share one.
      yPerPanel: which === 'throughput',
    },
    drafts,
    [
      { key: 'fit', label: 'USL fit (dashed)', color: REFERENCE_COLOR, kind: 'style', dash: FIT_DASH },
      { key: 'ideal', label: 'ideal (dotted)', color: REFERENCE_COLOR, kind: 'style', dash: IDEAL_DASH },
    ],
  );
}

function qualityChart(input: ReportInput): ChartSpec {
  const drafts: PanelDraft[] = [];
  const sizes: number[] = [];
  const metrics = new Set<string>();
  for (const { run, group } of runsGroups(input)) {
    const values: ValueSeries[] = group.widths.map((w) => {
      const cells = group.cells.filter((c) => c.cell.workers === w && c.quality !== null);
      for (const c of cells) metrics.add(c.quality!.metric);
      const points = cells.map((c) => ({
        x: c.cell.size,
        y: c.quality!.value,
        tip: `n=${formatCount(c.cell.size)}, w=${w}: ${c.quality!.metric === 'r2' ? 'R²' : 'accuracy'} ${formatFixed(c.quality!.value, 3)} (median of ${c.okTrials} ok repetitions)`,
      }));
      sizes.push(...points.map((p) => p.x));
      return { value: w, series: [{ role: 'measured' as const, points }] };
    });
    drafts.push({ group, run, values });
  }
  const yTitle = metrics.size === 1 ? (metrics.has('r2') ? 'held-out R²' : 'held-out accuracy') : 'held-out quality (accuracy or R²)';
  return assemble(
    input,
    {
      id: 'quality-vs-size',
      title: 'Model quality vs dataset size',
      subtitle: 'held-out split, median of the repetitions per pool width w',
      varying: 'workers',
      xAxis: logAxis('dataset size n (samples)', 'count', sizes),
      yAxis: linearAxis(yTitle, 'number'),
    },
    drafts,
    [],
  );
}

/** Every chart that has data, in reading order. */
export function buildChartSpecs(input: ReportInput): ChartSpec[] {
  const specs = [
    sizeChart(input, 'wallMs'),
    widthChart(input, 'throughput'),
    widthChart(input, 'speedup'),
    widthChart(input, 'efficiency'),
    sizeChart(input, input.runs.some(({ analysis }) => memoryMetric(analysis) === 'cellMemoryBytes') ? 'cellMemoryBytes' : 'peakRssBytes'),
    qualityChart(input),
    ...qualityChartSpecs(input),
  ];
  const drawn = specs.filter((s) => s.panels.length > 0);
  // Every chart says so itself, on a line of its own: a PNG travels without the report around it.
  if (!input.runs.some((run) => isSynthetic(run.result))) return drawn;
  return drawn.map((s) => ({ ...s, subtitle: `${SYNTHETIC_NOTE_SHORT}\n${s.subtitle}` }));
}
