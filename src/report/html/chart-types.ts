/** The shape of a chart, computed once (chart-specs.ts, quality-charts.ts) and drawn as PNG and in the HTML. */

export type ChartId =
  | 'time-vs-size'
  | 'throughput-vs-workers'
  | 'speedup-vs-workers'
  | 'efficiency-vs-workers'
  | 'memory-vs-size'
  | 'quality-vs-size'
  | 'learning-curve'
  | 'time-to-target-vs-workers';

export interface ChartPoint {
  x: number;
  y: number;
}

export interface SeriesSpec {
  /** Legend text; built from names in the data (escape before putting it in HTML). */
  label: string;
  /** measured = data points; fit = fitted law; ideal = perfect scaling reference; band = an edge of a fit's interval (a pair, low then high, shaded between). */
  role: 'measured' | 'fit' | 'ideal' | 'band';
  /** CSS colour. */
  color: string;
  /** Index of the run in ReportInput.runs, -1 for references shared by all runs. */
  run: number;
  /** Series of one group (data, its fit, its ideal line) are shown and hidden together; only the measured one is in the legend. */
  group: string;
  points: ChartPoint[];
}

export interface ChartSpec {
  id: ChartId;
  title: string;
  /** What the line styles mean, shown under the title. */
  subtitle?: string;
  /** Axis titles, with units. */
  xTitle: string;
  yTitle: string;
  /** Initial axis types; the HTML can toggle them. */
  xLog: boolean;
  yLog: boolean;
  /** Whole-number x ticks (worker counts). */
  xInteger?: boolean;
  series: SeriesSpec[];
}
