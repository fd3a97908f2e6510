import { describe, expect, it } from 'vitest';
import { REPORTER_NAMES, isReporterName, renderReports, reporters, type Reporter } from '../src/report/index.js';
import { makeFixture } from './helpers/analysis-fixture.js';

describe('reporter registry', () => {
  it('registers the five formats by CLI name', () => {
    expect(REPORTER_NAMES).toEqual(['json', 'csv', 'markdown', 'png', 'html']);
    for (const r of Object.values(reporters) as Reporter[]) expect(r.description.length).toBeGreaterThan(10);
    expect(isReporterName('html')).toBe(true);
    expect(isReporterName('toString')).toBe(false);
    expect(isReporterName('pdf')).toBe(false);
  });

  it('renders every artifact with a distinct relative path', async () => {
    const out = await renderReports({ runs: [makeFixture()] }, REPORTER_NAMES);
    expect(out.map((a) => a.path)).toEqual([
      'results.json',
      'analysis.json',
      'cells.csv',
      'summary.md',
      'charts/time-vs-size.png',
      'charts/throughput-vs-workers.png',
      'charts/speedup-vs-workers.png',
      'charts/efficiency-vs-workers.png',
      'charts/memory-vs-size.png',
      'charts/quality-vs-size.png',
      'report.html',
    ]);
    for (const a of out) {
      expect(a.bytes.byteLength).toBeGreaterThan(0);
      expect(a.path.startsWith('/') || a.path.includes('..')).toBe(false);
    }
  });

  it('refuses two reporters writing the same path', async () => {
    await expect(renderReports({ runs: [makeFixture()] }, ['json', 'json'])).rejects.toThrow(/"json" and "json" both produce results.json/);
  });
});
