/** A chart spec as a chart.js configuration: plain JSON (no functions), so the HTML can embed it and the PNG renderer can use it alike. */
import type { ChartConfiguration, ChartDataset, ScatterDataPoint } from 'chart.js';
import type { ChartSpec } from './chart-specs.js';

/** Point shapes tell runs apart when colours run out. */
const RUN_POINT_STYLES = ['circle', 'triangle', 'rectRot', 'rect', 'star'] as const;

function withAlpha(hex: string, alpha: number): string {
  const a = Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0');
  return `${hex}${a}`;
}

export type ChartTarget = 'png' | 'html';

/**
 * Which series get a legend entry: the measured ones and shared references. Fits and per-series
 * ideal lines follow their group, so listing them would only double the legend.
 */
export function legendEntries(spec: ChartSpec): boolean[] {
  return spec.series.map((s) => s.role === 'measured' || s.run === -1);
}

/** A chart.js configuration that is plain JSON: options that need functions are added by the caller. */
export function chartJsConfig(spec: ChartSpec, target: ChartTarget): ChartConfiguration<'line', ScatterDataPoint[]> {
  const png = target === 'png';
  const datasets: Array<ChartDataset<'line', ScatterDataPoint[]>> = spec.series.map((s, i) => ({
    label: s.label,
    data: s.points.map((p) => ({ x: p.x, y: p.y })),
    borderColor: s.role === 'band' ? withAlpha(s.color, 0.35) : s.color,
    backgroundColor: s.role === 'measured' ? withAlpha(s.color, 0.6) : s.role === 'band' ? withAlpha(s.color, 0.15) : s.color,
    borderWidth: s.role === 'measured' ? 2.5 : s.role === 'band' ? 0.5 : 1.5,
    borderDash: s.role === 'fit' ? [7, 4] : s.role === 'ideal' ? [2, 4] : [],
    pointRadius: s.role === 'measured' ? 4 : 0,
    pointHoverRadius: s.role === 'measured' ? 6 : 0,
    pointStyle: s.role === 'measured' ? RUN_POINT_STYLES[Math.max(0, s.run) % RUN_POINT_STYLES.length]! : 'line',
    // The upper edge of a band shades down to the lower edge just before it.
    fill: s.role === 'band' && spec.series[i - 1]?.role === 'band' && spec.series[i - 1]?.group === s.group ? '-1' : false,
    tension: 0,
    showLine: true,
  }));
  const axis = (log: boolean, title: string, integer = false) => ({
    type: log ? ('logarithmic' as const) : ('linear' as const),
    title: { display: true, text: title, font: { size: png ? 14 : 13 } },
    ticks: { font: { size: png ? 12 : 11 }, ...(integer ? { stepSize: 1 } : {}) },
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: !png,
      maintainAspectRatio: true,
      aspectRatio: png ? 900 / 540 : 1.9,
      ...(png ? { devicePixelRatio: 2, events: [] } : {}),
      interaction: { mode: 'nearest', intersect: false },
      scales: { x: axis(spec.xLog, spec.xTitle, spec.xInteger), y: axis(spec.yLog, spec.yTitle) },
      plugins: {
        title: { display: true, text: spec.title, font: { size: png ? 16 : 15, weight: 'bold' } },
        subtitle: { display: spec.subtitle !== undefined, text: spec.subtitle ?? '', font: { size: 12 }, padding: { bottom: 8 } },
        legend: { position: 'bottom', labels: { font: { size: 12 }, usePointStyle: true, boxWidth: 28 } },
        tooltip: { enabled: !png },
      },
    },
  };
}
