import { existsSync } from 'node:fs';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { buildChartSpecs, logSpace } from '../src/report/html/chart-specs.js';
import { chartJsConfig, legendEntries } from '../src/report/html/chartjs-config.js';
import { PNG_HEIGHT, PNG_WIDTH, bundledFontPath, png } from '../src/report/png.js';
import type { Analysis } from '../src/analyse/schema.js';
import { HOSTILE_MODEL, makeFixture } from './helpers/analysis-fixture.js';

const f = makeFixture();

describe('chart specs', () => {
  const specs = buildChartSpecs({ runs: [f] });
  const byId = (id: string) => specs.find((s) => s.id === id)!;

  it('builds the six charts in reading order', () => {
    expect(specs.map((s) => s.id)).toEqual([
      'time-vs-size',
      'throughput-vs-workers',
      'speedup-vs-workers',
      'efficiency-vs-workers',
      'memory-vs-size',
      'quality-vs-size',
    ]);
    for (const s of specs) {
      expect(s.xTitle).toMatch(/\(.+\)/); // every axis names its unit
      expect(s.yTitle.length).toBeGreaterThan(3);
    }
  });

  it('draws time vs size on log-log axes with the fitted power law', () => {
    const s = byId('time-vs-size');
    expect([s.xLog, s.yLog]).toEqual([true, true]);
    const measured = s.series.filter((x) => x.role === 'measured');
    const fits = s.series.filter((x) => x.role === 'fit');
    // 2 models x 3 widths; the hostile model at 3 workers has 2 sizes, still enough for a line.
    expect(measured).toHaveLength(6);
    expect(fits).toHaveLength(6);
    expect(measured[0]!.label).toBe('mlp-small · 1w: n^1.02 ± 0.03');
    const sweep = f.analysis.sizeScaling.find((x) => x.model === 'mlp-small' && x.workers === 1 && x.metric === 'wallMs')!;
    const fit = fits[0]!;
    expect(fit.group).toBe(measured[0]!.group);
    expect(fit.points).toHaveLength(24);
    expect(fit.points[0]!.x).toBeCloseTo(1000, 9);
    expect(fit.points[23]!.x).toBeCloseTo(4000, 9);
    expect(fit.points[0]!.y).toBeCloseTo(sweep.coefficient! * 1000 ** sweep.exponent!.value, 9);
    // The fixture's law is exact, so the fit passes through the 32 ms median.
    expect(fit.points[0]!.y).toBeCloseTo(32, 6);
  });

  it('draws throughput with ideal and USL lines for the largest size only', () => {
    const s = byId('throughput-vs-workers');
    const measured = s.series.filter((x) => x.role === 'measured');
    expect(measured.map((x) => x.label)).toEqual(['mlp-small · n=4000, USL peak 7.0 workers', `${HOSTILE_MODEL} · n=4000`]);
    const ideal = s.series.find((x) => x.role === 'ideal' && x.group === measured[0]!.group)!;
    const x1 = measured[0]!.points[0]!.y;
    expect(ideal.points).toEqual([{ x: 1, y: x1 }, { x: 4, y: 4 * x1 }]);
    expect(s.series.filter((x) => x.role === 'fit')).toHaveLength(1);
  });

  it('draws speedup with the ideal line and the USL curve: S(2) = 2/1.07', () => {
    const s = byId('speedup-vs-workers');
    expect(s.series[0]).toMatchObject({ role: 'ideal', run: -1, points: [{ x: 1, y: 1 }, { x: 4, y: 4 }] });
    const usl = s.series.find((x) => x.role === 'fit')!;
    const at2 = usl.points.find((p) => Math.abs(p.x - 2) < 1e-9)!;
    expect(at2.y).toBeCloseTo(2 / 1.07, 9);
    const eff = byId('efficiency-vs-workers');
    const m = eff.series.find((x) => x.role === 'measured')!;
    expect(m.points.map((p) => Math.round(p.y * 10) / 10)).toEqual([100, 93.5, 84.7]);
  });

  it('lists only measured series and shared references in the legend', () => {
    const s = byId('throughput-vs-workers');
    expect(legendEntries(s)).toEqual(s.series.map((x) => x.role === 'measured'));
    expect(legendEntries(byId('speedup-vs-workers'))[0]).toBe(true);
  });

  it('overlays several runs, labelled and shaped per run', () => {
    const g = makeFixture({ runId: 'run-b', slowdown: 1.3 });
    const two = buildChartSpecs({ runs: [f, g] });
    const t = two.find((s) => s.id === 'time-vs-size')!;
    const measured = t.series.filter((x) => x.role === 'measured');
    expect(measured).toHaveLength(12);
    expect(measured[0]!.label.startsWith(`${f.analysis.runId} · mlp-small`)).toBe(true);
    expect(measured[6]!.label.startsWith('run-b · mlp-small')).toBe(true);
    const cfg = chartJsConfig(t, 'png');
    expect(cfg.data.datasets[0]!.pointStyle).toBe('circle');
    expect(cfg.data.datasets.find((d) => d.label?.startsWith('run-b'))!.pointStyle).toBe('triangle');
    expect(new Set(measured.map((x) => x.color)).size).toBe(10); // the palette's 10 colours, then reuse
  });

  it('skips charts without data', () => {
    const oneWidth: Analysis = { ...f.analysis, widthScaling: [], cells: f.analysis.cells.filter((c) => c.cell.workers === 1) };
    expect(buildChartSpecs({ runs: [{ result: f.result, analysis: oneWidth }] }).map((s) => s.id)).toEqual([
      'time-vs-size',
      'memory-vs-size',
      'quality-vs-size',
    ]);
    const empty: Analysis = { ...f.analysis, cells: [], sizeScaling: [], widthScaling: [], complexityScaling: [] };
    expect(buildChartSpecs({ runs: [{ result: f.result, analysis: empty }] })).toEqual([]);
  });

  it('produces chart.js configurations that are plain JSON', () => {
    for (const s of specs) {
      for (const target of ['png', 'html'] as const) {
        const cfg = chartJsConfig(s, target);
        expect(JSON.parse(JSON.stringify(cfg))).toEqual(cfg);
        expect(cfg.options?.animation).toBe(false);
      }
    }
    expect(chartJsConfig(specs[0]!, 'png').options).toMatchObject({ responsive: false, devicePixelRatio: 2 });
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
      expect([img.width, img.height]).toEqual([PNG_WIDTH * 2, PNG_HEIGHT * 2]);
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
      // The title band at the top holds text only: without a usable font it would stay white.
      const band = ctx.getImageData(img.width / 4, 0, img.width / 2, 70).data;
      let bandDark = 0;
      for (let i = 0; i < band.length; i += 4) if (band[i]! < 120) bandDark++;
      expect(bandDark).toBeGreaterThan(300);
    }
  });
});
