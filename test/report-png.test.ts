import { existsSync } from 'node:fs';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { buildChartSpecs, logSpace, MAX_SERIES_PER_PANEL, type ChartSpec } from '../src/report/html/chart-specs.js';
import { panelConfig } from '../src/report/html/chartjs-config.js';
import { linearTicks, logTicks, tickLabel } from '../src/report/html/chart-axes.js';
import { FIGURE_WIDTH, MIN_PLOT_HEIGHT, bundledFontPath, png, renderFigure } from '../src/report/png.js';
import { analyse } from '../src/analyse/index.js';
import type { Analysis } from '../src/analyse/schema.js';
import { HOSTILE_MODEL, makeFixture } from './helpers/analysis-fixture.js';
import { makeRunResult, type CellSpec } from './helpers/run-result.js';

const f = makeFixture();

function measured(spec: ChartSpec, panel = 0) {
  return spec.panels[panel]!.series.filter((s) => s.role === 'measured');
}

describe('axes', () => {
  it('puts log ticks on the measured sizes when they are few: 1k, 2k, 4k', () => {
    expect(logTicks(1000, 4000, 'count', [1000, 2000, 4000]).ticks.map((t) => t.label)).toEqual(['1k', '2k', '4k']);
  });

  it('puts log ticks on round values otherwise: 1 ms, 10 ms, 100 ms, 1 s', () => {
    expect(logTicks(1.3, 870, 'ms').ticks.map((t) => t.label)).toEqual(['1 ms', '10 ms', '100 ms', '1 s']);
    // Under three decades: 1-2-5 steps.
    expect(logTicks(12, 90, 'ms').ticks.map((t) => t.label)).toEqual(['10 ms', '20 ms', '50 ms', '100 ms']);
  });

  it('uses nice linear steps and never prints "3,000.0"', () => {
    expect(linearTicks(0, 2.6, 'ratio').ticks.map((t) => t.label)).toEqual(['0x', '1x', '2x', '3x']);
    expect(linearTicks(0, 1.2, 'ratio').ticks.map((t) => t.label)).toEqual(['0x', '0.5x', '1x', '1.5x']);
    expect(linearTicks(94, 106, 'mib').ticks.map((t) => t.label)).toEqual(['90 MiB', '95 MiB', '100 MiB', '105 MiB', '110 MiB']);
    expect(tickLabel(3000, 'count')).toBe('3k');
    expect(tickLabel(1000, 'ms')).toBe('1 s');
  });
});

describe('chart specs (small multiples)', () => {
  const specs = buildChartSpecs({ runs: [f] });
  const byId = (id: string) => specs.find((s) => s.id === id)!;

  it('builds the six charts in reading order, every axis titled and ticked', () => {
    expect(specs.map((s) => s.id)).toEqual(['time-vs-size', 'throughput-vs-workers', 'speedup-vs-workers', 'efficiency-vs-workers', 'memory-vs-size', 'quality-vs-size']);
    for (const s of specs) {
      expect(s.x.title.length).toBeGreaterThan(3);
      expect(s.y.title.length).toBeGreaterThan(3);
      expect(s.x.ticks.length).toBeGreaterThanOrEqual(2);
      expect(s.y.ticks.length).toBeGreaterThanOrEqual(2);
      for (const t of [...s.x.ticks, ...s.y.ticks]) expect(t.label).not.toMatch(/,\d{3}\.\d|NaN|e[+-]/);
    }
  });

  it('has one panel per model, each with at most 8 series, coloured by width the same way in every panel', () => {
    const s = byId('time-vs-size');
    expect(s.panels.map((p) => p.title)).toEqual(['mlp-small', HOSTILE_MODEL]);
    for (const spec of specs) for (const p of spec.panels) expect(p.series.filter((x) => x.role === 'measured').length).toBeLessThanOrEqual(MAX_SERIES_PER_PANEL);
    const colour = (panel: number, key: string) => measured(s, panel).find((x) => x.key === key)!.color;
    expect(colour(0, 'w=2')).toBe(colour(1, 'w=2'));
    expect(new Set(['w=1', 'w=2', 'w=3'].map((k) => colour(0, k))).size).toBe(3);
    expect(s.legend.filter((e) => e.kind === 'value').map((e) => e.label)).toEqual(['w=1', 'w=2', 'w=3', 'w=4']);
  });

  it('draws the fitted power law dashed with its 95% band around it: mlp-small t = 32 ms at n=1k', () => {
    const s = byId('time-vs-size');
    const series = s.panels[0]!.series.filter((x) => x.key === 'w=1');
    expect(series.map((x) => x.role)).toEqual(['measured', 'fit', 'band-high', 'band-low']);
    const [, fit, high, low] = series;
    expect(fit!.points).toHaveLength(24);
    expect(fit!.points[0]!.x).toBeCloseTo(1000, 9);
    expect(fit!.points[0]!.y).toBeCloseTo(32, 6);
    fit!.points.forEach((p, i) => {
      expect(high!.points[i]!.y).toBeGreaterThan(p.y);
      expect(low!.points[i]!.y).toBeLessThan(p.y);
    });
    expect(s.panels[0]!.note).toBe('t ∝ n^1.02 ± 0.03 at w=1');
    // Two sizes give a line but no interval, so no band.
    expect(s.panels[1]!.series.filter((x) => x.key === 'w=3').map((x) => x.role)).toEqual(['measured', 'fit']);
    const cfg = panelConfig(s, s.panels[0]!, 'png');
    expect(cfg.data.datasets[1]!.borderDash).toEqual([7, 4]);
    expect(cfg.data.datasets[2]!.fill).toBe('+1');
  });

  it('puts log axes with round ticks on time vs size', () => {
    const s = byId('time-vs-size');
    expect([s.x.log, s.y.log]).toEqual([true, true]);
    expect(s.x.ticks.map((t) => t.label)).toEqual(['1k', '2k', '4k']);
    for (const t of s.y.ticks) expect(t.label).toMatch(/^(1|2|5|10|20|50|100|200|500) (µs|ms|s)$/);
  });

  it('draws speedup per size with the ideal line and the USL curve: S(2) = 2/1.07', () => {
    const s = byId('speedup-vs-workers');
    const panel = s.panels[0]!;
    expect(panel.series[0]).toMatchObject({ role: 'ideal', points: [{ x: 1, y: 1 }, { x: 4, y: 4 }] });
    expect(measured(s).map((x) => x.label)).toEqual(['n=1k', 'n=2k', 'n=4k']);
    const usl = panel.series.find((x) => x.role === 'fit' && x.key === 'n=4k')!;
    expect(usl.points.find((p) => Math.abs(p.x - 2) < 1e-9)!.y).toBeCloseTo(2 / 1.07, 9);
    const eff = byId('efficiency-vs-workers');
    expect(measured(eff)[0]!.points.map((p) => Math.round(p.y * 10) / 10)).toEqual([100, 93.5, 84.7]);
    const throughput = byId('throughput-vs-workers');
    const x1 = measured(throughput)[0]!.points[0]!.y;
    expect(throughput.panels[0]!.series.find((x) => x.role === 'ideal' && x.key === 'n=1k')!.points).toEqual([{ x: 1, y: x1 }, { x: 3, y: 3 * x1 }]);
  });

  it('gives every measured point hover text with its interval', () => {
    const point = measured(byId('time-vs-size'))[0]!.points[0]!;
    expect(point.tip).toMatch(/^n=1k, w=1: 32\.0 ms \[31\.0 ms, 33\.3 ms\] \(75% CI of the median\), 3\/3 ok$/);
  });

  it('splits a panel that would need more than 8 series', () => {
    const widths = Array.from({ length: 11 }, (_, i) => i + 1);
    const specsWide: CellSpec[] = [1000, 2000].flatMap((size) => widths.map((workers) => ({ size, workers, samplesPerSec: [1000 * workers ** 0.8, 1000 * workers ** 0.8, 1000 * workers ** 0.8] })));
    const run = makeRunResult(specsWide, { environment: { cores: 16 } });
    const time = buildChartSpecs({ runs: [{ result: run, analysis: analyse(run) }] }).find((s) => s.id === 'time-vs-size')!;
    expect(time.panels.map((p) => p.title)).toEqual(['mlp-small (w=1–8)', 'mlp-small (w=9–11)']);
    expect(time.panels.map((p) => p.series.filter((x) => x.role === 'measured').length)).toEqual([8, 3]);
  });

  it('overlays several runs as panels per run, the same colours', () => {
    const g = makeFixture({ runId: 'run-b', slowdown: 1.3 });
    const t = buildChartSpecs({ runs: [f, g] }).find((s) => s.id === 'time-vs-size')!;
    expect(t.panels.map((p) => p.title)).toEqual([`${f.analysis.runId} · mlp-small`, `${f.analysis.runId} · ${HOSTILE_MODEL}`, 'run-b · mlp-small', `run-b · ${HOSTILE_MODEL}`]);
    expect(t.panels[2]!.run).toBe('run-b');
    expect(measured(t, 0)[0]!.color).toBe(measured(t, 2)[0]!.color);
  });

  it('skips charts without data', () => {
    const oneWidth: Analysis = { ...f.analysis, widthScaling: [], cells: f.analysis.cells.filter((c) => c.cell.workers === 1) };
    expect(buildChartSpecs({ runs: [{ result: f.result, analysis: oneWidth }] }).map((s) => s.id)).toEqual(['time-vs-size', 'memory-vs-size', 'quality-vs-size']);
    const empty: Analysis = { ...f.analysis, cells: [], sizeScaling: [], widthScaling: [], complexityScaling: [] };
    expect(buildChartSpecs({ runs: [{ result: f.result, analysis: empty }] })).toEqual([]);
  });

  it('produces chart.js configurations that are plain JSON', () => {
    for (const s of specs) {
      for (const target of ['png', 'html'] as const) {
        const cfg = panelConfig(s, s.panels[0]!, target);
        expect(JSON.parse(JSON.stringify(cfg))).toEqual(cfg);
        expect(cfg.options?.animation).toBe(false);
        expect(cfg.options?.plugins?.legend?.display).toBe(false);
      }
    }
    expect(panelConfig(specs[0]!, specs[0]!.panels[0]!, 'png').options).toMatchObject({ responsive: false, devicePixelRatio: 2 });
  });

  it('logSpace spans its ends', () => {
    expect(logSpace(10, 1000, 3).map((x) => Math.round(x))).toEqual([10, 100, 1000]);
    expect(logSpace(5, 5, 10)).toEqual([5]);
  });
});

describe('png reporter', () => {
  it('finds the bundled font next to the package', () => {
    expect(bundledFontPath().endsWith('assets/fonts/DejaVuSans.ttf')).toBe(true);
    expect(existsSync(bundledFontPath())).toBe(true);
  });

  it('lays out panels with plot areas at least 240 px tall and a legend under a third of the height', () => {
    for (const spec of buildChartSpecs({ runs: [f] })) {
      const { layout } = renderFigure(spec);
      expect(layout.width).toBe(FIGURE_WIDTH);
      expect(layout.plotAreas).toHaveLength(spec.panels.length);
      for (const area of layout.plotAreas) expect(area.height).toBeGreaterThanOrEqual(MIN_PLOT_HEIGHT);
      expect(layout.legendHeight).toBeLessThanOrEqual(layout.height / 3);
    }
  });

  it('renders each chart as a 2x PNG with visible text and lines', async () => {
    const artifacts = png.render({ runs: [f] });
    expect(artifacts.map((a) => a.path)).toEqual([
      'charts/time-vs-size.png',
      'charts/throughput-vs-workers.png',
      'charts/speedup-vs-workers.png',
      'charts/efficiency-vs-workers.png',
      'charts/memory-vs-size.png',
      'charts/quality-vs-size.png',
    ]);
    for (const a of artifacts) {
      expect(a.mediaType).toBe('image/png');
      expect(Buffer.from(a.bytes.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
      const img = await loadImage(Buffer.from(a.bytes));
      expect(img.width).toBe(FIGURE_WIDTH * 2);
      const canvas = createCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, img.width, img.height).data;
      let opaqueWhite = 0;
      let dark = 0;
      let colored = 0;
      for (let i = 0; i < px.length; i += 4) {
        const [r, g, b, alpha] = [px[i]!, px[i + 1]!, px[i + 2]!, px[i + 3]!];
        if (alpha === 255 && r === 255 && g === 255 && b === 255) opaqueWhite++;
        if (r < 90 && g < 90 && b < 90) dark++;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colored++;
      }
      const total = px.length / 4;
      expect(opaqueWhite / total).toBeGreaterThan(0.5); // white background, not transparent
      expect(dark).toBeGreaterThan(2000); // text (title, ticks, axis titles) in #333
      expect(colored).toBeGreaterThan(1000); // the data lines
      // The title at the top left is text only: without a usable font it would stay white.
      const band = ctx.getImageData(0, 0, img.width / 3, 80).data;
      let bandDark = 0;
      for (let i = 0; i < band.length; i += 4) if (band[i]! < 120) bandDark++;
      expect(bandDark).toBeGreaterThan(300);
    }
  });
});
