/**
 * One panel of a chart spec as a chart.js configuration: plain JSON (no functions), so the HTML can
 * embed it and the PNG renderer can use it alike. Each renderer adds the few functions chart.js needs
 * (the fixed round ticks and their labels; tooltips in the browser) — see withTicks.
 */
import type { ChartConfiguration, ChartDataset, ScatterDataPoint } from 'chart.js';
import type { AxisSpec, ChartSpec, PanelSpec, SeriesSpec } from './chart-specs.js';
import { withAlpha } from './chart-axes.js';

export type ChartTarget = 'png' | 'html';

const DASH: Record<SeriesSpec['role'], number[]> = { measured: [], fit: [7, 4], 'band-high': [], 'band-low': [], ideal: [2, 4] };

function dataset(s: SeriesSpec, png: boolean): ChartDataset<'line', ScatterDataPoint[]> {
  const band = s.role === 'band-high' || s.role === 'band-low';
  return {
    label: s.label,
    data: s.points.map((p) => ({ x: p.x, y: p.y })),
    borderColor: band ? 'transparent' : s.color,
    backgroundColor: band ? withAlpha(s.color, 0.14) : s.role === 'measured' ? withAlpha(s.color, 0.8) : s.color,
    borderWidth: s.role === 'measured' ? (png ? 2.2 : 2) : band ? 0 : 1.5,
    borderDash: DASH[s.role],
    pointRadius: s.role === 'measured' ? 3.5 : 0,
    pointHoverRadius: s.role === 'measured' ? 6 : 0,
    pointHitRadius: s.role === 'measured' ? 6 : 0,
    // The upper edge of a band fills down to the lower edge, the dataset right after it.
    fill: s.role === 'band-high' ? '+1' : false,
    tension: 0,
    showLine: true,
  };
}

function axis(spec: AxisSpec, png: boolean) {
  return {
    type: spec.log ? ('logarithmic' as const) : ('linear' as const),
    min: spec.min,
    max: spec.max,
    title: { display: true, text: spec.title, font: { size: png ? 12 : 11 }, padding: 2 },
    ticks: { font: { size: png ? 11 : 10 }, autoSkip: false, maxRotation: 0 },
    grid: { color: '#e5e5e5' },
  };
}

/** The chart.js configuration of one panel. */
export function panelConfig(spec: ChartSpec, panel: PanelSpec, target: ChartTarget): ChartConfiguration<'line', ScatterDataPoint[]> {
  const png = target === 'png';
  return {
    type: 'line',
    data: { datasets: panel.series.map((s) => dataset(s, png)) },
    options: {
      animation: false,
      responsive: !png,
      maintainAspectRatio: false,
      ...(png ? { devicePixelRatio: 2, events: [] } : {}),
      interaction: { mode: 'nearest', intersect: false },
      scales: { x: axis(spec.x, png), y: axis(panel.y ?? spec.y, png) },
      plugins: {
        title: { display: true, text: panel.title, font: { size: 13, weight: 'bold' }, padding: { top: 4, bottom: panel.note ? 0 : 6 } },
        subtitle: { display: panel.note !== undefined, text: panel.note ?? '', font: { size: 11 }, padding: { bottom: 6 } },
        // The legend is shared by all panels and drawn once, outside them: it never squashes a plot.
        legend: { display: false },
        tooltip: { enabled: !png },
      },
    },
  };
}

/** chart.js hooks that place exactly the spec's round ticks and print their labels; the same in Node and (as text) in the browser. */
export function withTicks(config: ChartConfiguration<'line', ScatterDataPoint[]>, spec: ChartSpec, panel: PanelSpec): ChartConfiguration<'line', ScatterDataPoint[]> {
  const scales = config.options?.scales ?? {};
  for (const [id, axisSpec] of [['x', spec.x], ['y', panel.y ?? spec.y]] as const) {
    const scale = scales[id] as Record<string, unknown> & { ticks: Record<string, unknown> };
    const labels = new Map(axisSpec.ticks.map((t) => [t.value, t.label]));
    scale.afterBuildTicks = (built: { ticks: Array<{ value: number }> }) => {
      built.ticks = axisSpec.ticks.map((t) => ({ value: t.value }));
    };
    scale.ticks.callback = (value: number | string) => labels.get(Number(value)) ?? '';
  }
  return config;
}
