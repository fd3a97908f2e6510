/**
 * How a chart spec is put together (./chart-specs.ts, ./quality-charts.ts): drafts of series per value
 * of the varying parameter, cut into panels of at most MAX_SERIES_PER_PANEL, coloured by value across the
 * chart, with axes that frame the measurements.
 */
import type { Analysis } from '../../analyse/schema.js';
import type { ReportInput } from '../types.js';
import { formatCount } from '../../config/format.js';
import { findingsGroups, type FindingsGroup } from '../findings/index.js';
import { runLabels } from '../text.js';
import { plotRangeNote, plottable } from './plot-range.js';
import { linearTicks, logTicks, paletteFor, REFERENCE_COLOR, type AxisUnit } from './chart-axes.js';
import { MAX_SERIES_PER_PANEL, type AxisSpec, type ChartPoint, type ChartSpec, type LegendEntry, type PanelSpec, type SeriesSpec } from './chart-types.js';

/** n points spaced evenly on a log scale from a to b (inclusive). */
export function logSpace(a: number, b: number, n: number): number[] {
  if (!(a > 0) || !(b > 0) || n < 2 || a === b) return [a];
  const la = Math.log(a);
  const step = (Math.log(b) - la) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.exp(la + step * i));
}

export function linSpace(a: number, b: number, n: number): number[] {
  if (n < 2 || a === b) return [a];
  const step = (b - a) / (n - 1);
  return Array.from({ length: n }, (_, i) => a + step * i);
}

/** The points a chart can draw (finite, and within ./plot-range.ts's bounds, so no axis arithmetic overflows), in x order. */
export function finitePoints(points: ChartPoint[]): ChartPoint[] {
  return points.filter((p) => plottable(p.x) && plottable(p.y)).sort((p, q) => p.x - q.x);
}

/** One panel's worth of series for one value of the varying parameter. */
export interface ValueSeries {
  value: number;
  series: Array<Omit<SeriesSpec, 'color' | 'key' | 'label'>>;
}

export interface PanelDraft {
  group: FindingsGroup;
  run: number;
  note?: string;
  values: ValueSeries[];
  /** Shared references of the panel (ideal lines), drawn in grey. */
  references?: Array<Omit<SeriesSpec, 'key' | 'color'>>;
}

export const FIT_DASH = [7, 4];
export const IDEAL_DASH = [2, 4];

export function valueLabel(varying: ChartSpec['varying'], value: number): string {
  return varying === 'size' ? `n=${formatCount(value)}` : `w=${value}`;
}

export function modeWords(g: FindingsGroup): string {
  return [g.mode, ...g.variant.split('|').filter(Boolean)].join(' ');
}

/** Drafts -> panels of at most MAX_SERIES_PER_PANEL values, coloured by value across the whole chart. */
export function assemble(
  input: ReportInput,
  base: Omit<ChartSpec, 'legend' | 'panels' | 'x' | 'y'> & {
    xAxis: (values: ChartPoint[]) => AxisSpec;
    yAxis: (values: ChartPoint[]) => AxisSpec;
    /** Each panel gets its own y axis from its own points (the chart's y is then the first panel's). */
    yPerPanel?: boolean;
  },
  drafts: PanelDraft[],
  styles: LegendEntry[],
): ChartSpec {
  const labels = runLabels(input.runs);
  const colors = paletteFor(drafts.flatMap((d) => d.values.map((v) => v.value)));
  const panels: PanelSpec[] = [];
  let dropped = 0;
  for (const draft of drafts) {
    const values = [...draft.values].filter((v) => v.series.some((s) => s.role === 'measured' && s.points.length > 0)).sort((a, b) => a.value - b.value);
    if (values.length === 0) continue;
    const chunks: ValueSeries[][] = [];
    for (let i = 0; i < values.length; i += MAX_SERIES_PER_PANEL) chunks.push(values.slice(i, i + MAX_SERIES_PER_PANEL));
    chunks.forEach((chunk, c) => {
      const range = chunks.length > 1 ? ` (${valueLabel(base.varying, chunk[0]!.value)}–${valueLabel(base.varying, chunk[chunk.length - 1]!.value).replace(/^[nw]=/, '')})` : '';
      const prefix = input.runs.length > 1 ? `${labels[draft.run]} · ` : '';
      const series: SeriesSpec[] = [
        ...(draft.references ?? []).map((r) => ({ ...r, key: r.role, color: REFERENCE_COLOR })),
        ...chunk.flatMap((v) => v.series.map((s) => ({ ...s, key: valueLabel(base.varying, v.value), label: valueLabel(base.varying, v.value), color: colors.get(v.value)! }))),
      ];
      panels.push({
        id: `${base.id}-${panels.length}`,
        title: `${prefix}${draft.group.label}${range}`,
        ...(draft.note ? { note: draft.note } : {}),
        run: labels[draft.run]!,
        model: draft.group.model,
        dataset: draft.group.dataset,
        mode: modeWords(draft.group),
        series: series.map((s) => {
          const points = finitePoints(s.points);
          if (s.role === 'measured') dropped += s.points.length - points.length;
          return { ...s, points };
        }),
      });
    });
  }
  // Axes span the measurements (and ideal lines), not the fits: a wide band must not squash the data; chart.js clips it.
  const framing = (p: PanelSpec) => p.series.filter((s) => s.role === 'measured' || s.role === 'ideal').flatMap((s) => s.points);
  const all = panels.flatMap(framing);
  if (base.yPerPanel) for (const p of panels) p.y = base.yAxis(framing(p));
  const used = new Set(panels.flatMap((p) => p.series.map((s) => s.key)));

  const legend: LegendEntry[] = [
    ...[...colors].filter(([value]) => used.has(valueLabel(base.varying, value))).map(([value, color]) => ({ key: valueLabel(base.varying, value), label: valueLabel(base.varying, value), color, kind: 'value' as const })),
    // A line style is explained only where some panel draws it.
    ...styles.filter((style) => panels.some((p) => p.series.some((s) => s.role === style.key))),
  ];
  const { xAxis, yAxis, yPerPanel: _perPanel, ...rest } = base;
  const subtitle = dropped > 0 ? `${rest.subtitle}; ${plotRangeNote(dropped)}` : rest.subtitle;
  return { ...rest, subtitle, x: xAxis(all), y: yAxis(all), legend, panels };
}

export function runsGroups(input: ReportInput): Array<{ run: number; analysis: Analysis; group: FindingsGroup }> {
  return input.runs.flatMap(({ analysis }, run) => findingsGroups(analysis).map((group) => ({ run, analysis, group })));
}

export function extent(points: ChartPoint[], positive: boolean): { min: number; max: number } {
  const ys = points.map((p) => p.y).filter((y) => Number.isFinite(y) && (!positive || y > 0));
  return ys.length === 0 ? { min: 1, max: 10 } : { min: Math.min(...ys), max: Math.max(...ys) };
}

export function logAxis(title: string, unit: AxisUnit, measuredX?: number[]) {
  return (points: ChartPoint[]): AxisSpec => {
    const values = measuredX ?? points.map((p) => p.y);
    const { min, max } = measuredX ? { min: Math.min(...measuredX), max: Math.max(...measuredX) } : extent(points, true);
    return { title, log: true, ...logTicks(min, max, unit, measuredX ? values : []) };
  };
}

export function linearAxis(title: string, unit: AxisUnit, opts: { from0?: boolean; integerX?: number[]; fixed?: [number, number] } = {}) {
  return (points: ChartPoint[]): AxisSpec => {
    if (opts.integerX) {
      const xs = [...new Set(opts.integerX)].sort((a, b) => a - b);
      if (xs.length <= 8) return { title, log: false, min: xs[0]! - 0.2, max: xs[xs.length - 1]! + 0.2, ticks: xs.map((value) => ({ value, label: String(value) })) };
      return { title, log: false, ...linearTicks(1, Math.max(...xs), unit, 6, true) };
    }
    const { min, max } = opts.fixed ? { min: opts.fixed[0], max: opts.fixed[1] } : extent(points, false);
    return { title, log: false, ...linearTicks(opts.from0 ? Math.min(0, min) : min, max, unit) };
  };
}

