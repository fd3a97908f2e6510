/**
 * charts/*.png: chart.js drawn straight onto @napi-rs/canvas (no DOM, no node-canvas).
 * A bundled DejaVu Sans is registered so labels render on machines without system fonts.
 */
import { existsSync } from 'node:fs';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { Chart, registerables, type Plugin } from 'chart.js';
import { packagePath } from '../config/paths.js';
import type { Artifact, ReportInput } from './types.js';
import { buildChartSpecs, type ChartSpec } from './html/chart-specs.js';
import { chartJsConfig, legendEntries } from './html/chartjs-config.js';

/** CSS pixels of each chart; drawn at 2x for sharp text. */
export const PNG_WIDTH = 900;
export const PNG_HEIGHT = 540;
const FONT_FAMILY = 'DejaVu Sans';

/** assets/fonts/DejaVuSans.ttf, shipped with the package. */
export function bundledFontPath(): string {
  return packagePath('assets', 'fonts', 'DejaVuSans.ttf');
}

let prepared = false;

/** Registers chart.js parts and the font once per process. */
function prepare(): void {
  if (prepared) return;
  Chart.register(...registerables);
  const font = bundledFontPath();
  if (!existsSync(font) || !GlobalFonts.registerFromPath(font, FONT_FAMILY)) {
    throw new Error(`PNG charts need the bundled font ${font}; reinstall scale-bench (the assets/ folder is missing).`);
  }
  Chart.defaults.font.family = FONT_FAMILY;
  Chart.defaults.color = '#333333';
  prepared = true;
}

/** chart.js leaves the canvas transparent; viewers show that as black or checkered. */
const whiteBackground: Plugin<'line'> = {
  id: 'scale-bench-white-background',
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** One chart as PNG bytes. */
export function renderChartPng(spec: ChartSpec): Uint8Array {
  prepare();
  const canvas = createCanvas(PNG_WIDTH, PNG_HEIGHT);
  const config = chartJsConfig(spec, 'png');
  const inLegend = legendEntries(spec);
  const legend = config.options?.plugins?.legend;
  if (legend?.labels) legend.labels.filter = (item) => inLegend[item.datasetIndex ?? -1] ?? true;
  // chart.js only needs the 2D context; its typings expect a DOM one, which @napi-rs/canvas mirrors.
  const ctx = canvas.getContext('2d') as unknown as CanvasRenderingContext2DLike;
  const chart = new Chart(ctx as never, { ...config, plugins: [whiteBackground] });
  try {
    chart.draw();
    return new Uint8Array(canvas.toBuffer('image/png'));
  } finally {
    chart.destroy();
  }
}

/** Opaque marker for the cast above: lib "dom" is not loaded in this Node project. */
type CanvasRenderingContext2DLike = { readonly canvas: unknown };

export const png = {
  description: 'charts/*.png: time vs size (log-log, fitted power law), throughput/speedup/efficiency vs workers (ideal line, USL), memory and quality vs size',
  render(input: ReportInput): Artifact[] {
    return buildChartSpecs(input).map((spec) => ({
      path: `charts/${spec.id}.png`,
      mediaType: 'image/png',
      bytes: renderChartPng(spec),
    }));
  },
};
