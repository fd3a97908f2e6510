/**
 * The values a chart can draw. chart.js computes its ticks by stepping from the axis minimum to the
 * maximum; with a value near ±1.8e308 that arithmetic overflows to Infinity and the tick loop never
 * ends (a results file with a diverged R² of -1.8e308 ran the PNG reporter out of memory, and would
 * freeze the browser on the HTML report). No measured quantity comes near these bounds, so a point
 * beyond them is left out of the chart, and the chart says so; the tables still show its value.
 */

/** The part of a chart spec (./chart-specs.ts) this module reads: series of points, and the subtitle it may extend. */
interface PlotPoint {
  x: number;
  y: number;
}
interface PlotSpec {
  subtitle?: string;
  series: ReadonlyArray<{ role: string; points: PlotPoint[] }>;
}

/** Largest magnitude drawn: beyond any time, rate, byte count or ratio scale-bench measures. */
export const PLOT_MAX = 1e15;
/** Smallest non-zero magnitude drawn: below it a log axis would need hundreds of decades of ticks. */
export const PLOT_MIN = 1e-15;

export function plottable(value: number): boolean {
  const magnitude = Math.abs(value);
  return Number.isFinite(value) && magnitude <= PLOT_MAX && (value === 0 || magnitude >= PLOT_MIN);
}

function drawable(point: PlotPoint): boolean {
  return plottable(point.x) && plottable(point.y);
}

/** The spec with every point beyond the plottable range removed, and a note in its subtitle when any was. */
export function withinPlotRange<Spec extends PlotSpec>(spec: Spec): Spec {
  let dropped = 0;
  const series = spec.series
    .map((s) => {
      const points = s.points.filter(drawable);
      if (s.role === 'measured') dropped += s.points.length - points.length;
      return points.length === s.points.length ? s : { ...s, points };
    })
    // A series left without points would only be an empty legend entry.
    .filter((s, i) => s.points.length > 0 || spec.series[i]!.points.length === 0);
  if (dropped === 0 && series.length === spec.series.length && series.every((s, i) => s === spec.series[i])) return spec;
  const note = dropped > 0 ? `${dropped} point${dropped === 1 ? '' : 's'} beyond ±10^15 not drawn (see the tables)` : undefined;
  return { ...spec, series, ...(note ? { subtitle: spec.subtitle ? `${spec.subtitle}; ${note}` : note } : {}) };
}
