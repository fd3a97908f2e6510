/** The shape of a chart: plain JSON, drawn as PNG (../png.ts) and in the page (../html.ts) alike. */
import type { Tick } from './chart-axes.js';

export type ChartId =
  | 'time-vs-size'
  | 'throughput-vs-workers'
  | 'speedup-vs-workers'
  | 'efficiency-vs-workers'
  | 'memory-vs-size'
  | 'quality-vs-size'
  /** Training to a target (html/quality-charts.ts). */
  | 'learning-curve'
  | 'time-to-target-vs-workers'
  /** The history's trend view (html/trend.ts). */
  | 'history-trend';

/** A panel never draws more measured series than this; more values split into further panels. */
export const MAX_SERIES_PER_PANEL = 8;

export interface ChartPoint {
  x: number;
  y: number;
  /** Hover text of a measured point: its value with unit and interval. */
  tip?: string;
}

/** measured = data; fit = fitted law; band-high/band-low = its 95% band (filled between); ideal = perfect scaling. */
export type SeriesRole = 'measured' | 'fit' | 'band-high' | 'band-low' | 'ideal';

export interface SeriesSpec {
  /** Legend text of the value ("w=2", "n=4k"), or what a reference line is; built from numbers only. */
  label: string;
  role: SeriesRole;
  /** CSS colour. */
  color: string;
  /** Legend key shared by every panel: series with one key show and hide together. */
  key: string;
  points: ChartPoint[];
}

export interface PanelSpec {
  /** Unique in the page: `${chart id}-${index}`. */
  id: string;
  /** Raw (names from user data): escape before putting it in HTML. */
  title: string;
  /** The law behind the panel in words, e.g. "t ∝ n^1.02 ± 0.03 at w=1". */
  note?: string;
  /** What the filters select on. */
  run: string;
  model: string;
  dataset: string;
  mode: string;
  /** This panel's own y axis, where values differ too much between panels to share one (throughput). */
  y?: AxisSpec;
  series: SeriesSpec[];
}

export interface AxisSpec {
  title: string;
  log: boolean;
  min: number;
  max: number;
  ticks: Tick[];
}

export interface LegendEntry {
  key: string;
  label: string;
  color: string;
  /** A value of the varying parameter, or a line style explained once (fit, band, ideal). */
  kind: 'value' | 'style';
  dash?: number[];
}

export interface ChartSpec {
  id: ChartId;
  title: string;
  /** What the line styles mean. */
  subtitle: string;
  /** Which parameter the colours encode. */
  varying: 'size' | 'workers';
  x: AxisSpec;
  y: AxisSpec;
  legend: LegendEntry[];
  panels: PanelSpec[];
}

