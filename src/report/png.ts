/**
 * charts/*.png: chart.js drawn straight onto @napi-rs/canvas (no DOM, no node-canvas), one figure per
 * chart: a title, one shared legend (never more than a third of the height) and a grid of panels, one
 * per model, each panel's plot area at least MIN_PLOT_HEIGHT tall. A bundled DejaVu Sans is registered
 * so labels render on machines without system fonts.
 */
import { existsSync } from 'node:fs';
import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { Chart, registerables, type Plugin } from 'chart.js';
import { packagePath } from '../config/paths.js';
import type { Artifact, ReportInput } from './types.js';
import { buildChartSpecs, type ChartSpec, type LegendEntry } from './html/chart-specs.js';
import { panelConfig, withTicks } from './html/chartjs-config.js';

/** CSS pixels of a figure's width; drawn at 2x for sharp text. */
export const FIGURE_WIDTH = 1200;
export const PANEL_HEIGHT = 330;
/** Each panel's plot area (inside its title and axes) is at least this tall, in CSS pixels. */
export const MIN_PLOT_HEIGHT = 240;
const SCALE = 2;
const MARGIN = 16;
const GAP = 12;
const TITLE_HEIGHT = 26;
const SUBTITLE_HEIGHT = 20;
/** Each further subtitle line (the fake runner's note comes first, on a line of its own). */
const SUBTITLE_LINE = 16;
const LEGEND_ROW = 22;
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

/** Panels per row: one or two panels side by side, four as 2 × 2, otherwise rows of three. */
export function gridColumns(panels: number): number {
  if (panels <= 2) return Math.max(1, panels);
  return panels === 4 ? 2 : 3;
}

interface LegendItem {
  entry: LegendEntry;
  width: number;
}

const SWATCH = 26;

/** The shared legend's rows, wrapped to the figure's width. */
function legendRows(ctx: SKRSContext2D, legend: readonly LegendEntry[]): LegendItem[][] {
  ctx.font = `12px "${FONT_FAMILY}"`;
  const rows: LegendItem[][] = [[]];
  let used = 0;
  for (const entry of legend) {
    const width = SWATCH + 6 + ctx.measureText(entry.label).width + 18;
    if (used + width > FIGURE_WIDTH - 2 * MARGIN && rows[rows.length - 1]!.length > 0) {
      rows.push([]);
      used = 0;
    }
    rows[rows.length - 1]!.push({ entry, width });
    used += width;
  }
  return rows;
}

function drawLegend(ctx: SKRSContext2D, rows: LegendItem[][], top: number): void {
  ctx.font = `12px "${FONT_FAMILY}"`;
  ctx.textBaseline = 'middle';
  rows.forEach((row, r) => {
    let x = MARGIN;
    const y = top + r * LEGEND_ROW + LEGEND_ROW / 2;
    for (const { entry, width } of row) {
      ctx.strokeStyle = entry.color;
      ctx.lineWidth = 2.2;
      ctx.setLineDash(entry.dash ?? []);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + SWATCH, y);
      ctx.stroke();
      ctx.setLineDash([]);
      if (entry.kind === 'value') {
        ctx.fillStyle = entry.color;
        ctx.beginPath();
        ctx.arc(x + SWATCH / 2, y, 3.5, 0, Math.PI * 2);
        ctx.fill();
      }
      ctx.fillStyle = '#333333';
      ctx.fillText(entry.label, x + SWATCH + 6, y);
      x += width;
    }
  });
}

export interface FigureLayout {
  width: number;
  height: number;
  legendHeight: number;
  /** Plot area of every panel (chart.js's chartArea), CSS pixels. */
  plotAreas: Array<{ width: number; height: number }>;
}

/** One chart as PNG bytes, with the layout it was drawn with (tests check the sizes). */
export function renderFigure(spec: ChartSpec): { bytes: Uint8Array; layout: FigureLayout } {
  prepare();
  const columns = gridColumns(spec.panels.length);
  const rowsOfPanels = Math.ceil(spec.panels.length / columns);
  const panelWidth = Math.floor((FIGURE_WIDTH - 2 * MARGIN - (columns - 1) * GAP) / columns);
  const measure = createCanvas(10, 10).getContext('2d');
  const legend = legendRows(measure, spec.legend);
  const legendHeight = legend.length * LEGEND_ROW;
  const subtitleLines = spec.subtitle.split('\n');
  const subtitleHeight = SUBTITLE_HEIGHT + (subtitleLines.length - 1) * SUBTITLE_LINE;
  const header = MARGIN + TITLE_HEIGHT + subtitleHeight + legendHeight + GAP;
  const height = header + rowsOfPanels * PANEL_HEIGHT + (rowsOfPanels - 1) * GAP + MARGIN;

  const figure = createCanvas(FIGURE_WIDTH * SCALE, height * SCALE);
  const ctx = figure.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, figure.width, figure.height);
  ctx.scale(SCALE, SCALE);
  ctx.fillStyle = '#222222';
  ctx.textBaseline = 'alphabetic';
  ctx.font = `bold 18px "${FONT_FAMILY}"`;
  ctx.fillText(spec.title, MARGIN, MARGIN + 18);
  ctx.font = `12px "${FONT_FAMILY}"`;
  ctx.fillStyle = '#555555';
  subtitleLines.forEach((line, k) => ctx.fillText(line, MARGIN, MARGIN + TITLE_HEIGHT + 14 + k * SUBTITLE_LINE));
  drawLegend(ctx, legend, MARGIN + TITLE_HEIGHT + subtitleHeight);

  const plotAreas: FigureLayout['plotAreas'] = [];
  spec.panels.forEach((panel, i) => {
    const canvas = createCanvas(panelWidth, PANEL_HEIGHT);
    // chart.js only needs the 2D context; its typings expect a DOM one, which @napi-rs/canvas mirrors.
    const panelCtx = canvas.getContext('2d') as unknown as { readonly canvas: unknown };
    const chart = new Chart(panelCtx as never, { ...withTicks(panelConfig(spec, panel, 'png'), spec, panel), plugins: [whiteBackground] });
    try {
      chart.draw();
      plotAreas.push({ width: chart.chartArea.width, height: chart.chartArea.height });
      const x = MARGIN + (i % columns) * (panelWidth + GAP);
      const y = header + Math.floor(i / columns) * (PANEL_HEIGHT + GAP);
      ctx.drawImage(canvas, x, y, panelWidth, PANEL_HEIGHT);
      ctx.strokeStyle = '#dddddd';
      ctx.lineWidth = 1;
      ctx.strokeRect(x - 0.5, y - 0.5, panelWidth + 1, PANEL_HEIGHT + 1);
    } finally {
      chart.destroy();
    }
  });
  return { bytes: new Uint8Array(figure.toBuffer('image/png')), layout: { width: FIGURE_WIDTH, height, legendHeight, plotAreas } };
}

export const png = {
  description: 'charts/*.png: small multiples, one panel per model: time and memory vs size (log-log, fitted law with its 95% band), throughput, speedup and efficiency vs workers (ideal line, USL), quality vs size',
  render(input: ReportInput): Artifact[] {
    return buildChartSpecs(input).map((spec) => ({ path: `charts/${spec.id}.png`, mediaType: 'image/png', bytes: renderFigure(spec).bytes }));
  },
};
