/**
 * The values a chart can draw. chart.js computes its ticks by stepping from the axis minimum to the
 * maximum; with a value near ±1.8e308 that arithmetic overflows to Infinity and the tick loop never
 * ends (a results file with a diverged R² of -1.8e308 ran the PNG reporter out of memory, and would
 * freeze the browser on the HTML report). No measured quantity comes near these bounds, so a point
 * beyond them is left out of the chart, and the chart says so; the tables still show its value.
 */

/** Largest magnitude drawn: beyond any time, rate, byte count or ratio scale-bench measures. */
export const PLOT_MAX = 1e15;
/** Smallest non-zero magnitude drawn: below it a log axis would need hundreds of decades of ticks. */
export const PLOT_MIN = 1e-15;

export function plottable(value: number): boolean {
  const magnitude = Math.abs(value);
  return Number.isFinite(value) && magnitude <= PLOT_MAX && (value === 0 || magnitude >= PLOT_MIN);
}

/** What a chart says in its subtitle when it left points out. */
export function plotRangeNote(dropped: number): string {
  return `${dropped} point${dropped === 1 ? '' : 's'} beyond ±10^15 not drawn (see the tables)`;
}
