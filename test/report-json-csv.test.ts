import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csv, csvField, renderCsv } from '../src/report/csv.js';
import { ANALYSIS_SCHEMA_VERSION, json, toJson } from '../src/report/json.js';
import { RESULT_SCHEMA_VERSION } from '../src/results/schema.js';
import { HOSTILE_MODEL, cellId, makeComparison, makeFixture } from './helpers/analysis-fixture.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('json reporter', () => {
  const f = makeFixture();

  it('writes the RunResult unchanged and the analysis versioned', () => {
    const out = json.render({ runs: [f] });
    expect(out.map((a) => a.path)).toEqual(['results.json', 'analysis.json']);
    expect(out.every((a) => a.mediaType === 'application/json')).toBe(true);
    const results = JSON.parse(text(out[0]!.bytes));
    expect(results).toEqual(JSON.parse(JSON.stringify(f.result)));
    expect(results.schemaVersion).toBe(RESULT_SCHEMA_VERSION);
    const analysis = JSON.parse(text(out[1]!.bytes));
    expect(analysis.schemaVersion).toBe(ANALYSIS_SCHEMA_VERSION);
    expect(analysis.analysis.runId).toBe(f.analysis.runId);
    expect(analysis.analysis.cells).toHaveLength(19);
  });

  it('adds comparison.json when comparing', () => {
    const g = makeFixture({ runId: 'b', slowdown: 1.3 });
    const out = json.render({ runs: [g], comparison: makeComparison(f, g) });
    const cmp = JSON.parse(text(out.find((a) => a.path === 'comparison.json')!.bytes));
    expect(cmp.schemaVersion).toBe(ANALYSIS_SCHEMA_VERSION);
    expect(cmp.comparison.regressions).toBe(1);
  });

  it('never writes NaN or Infinity', () => {
    expect(toJson({ a: NaN, b: Infinity, c: -0, d: [1, -Infinity] })).toBe('{\n  "a": null,\n  "b": null,\n  "c": 0,\n  "d": [\n    1,\n    null\n  ]\n}\n');
  });
});

describe('csv reporter', () => {
  const f = makeFixture();
  const rows = parse(renderCsv({ runs: [f] }), { columns: true }) as Array<Record<(typeof CSV_COLUMNS)[number], string>>;

  it('has one row per cell under the documented header', () => {
    const [header] = parse(renderCsv({ runs: [f] }), { to: 1 }) as string[][];
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(f.analysis.cells.length);
    const [a] = csv.render({ runs: [f] });
    expect(a!.path).toBe('cells.csv');
  });

  it('round-trips names containing commas, quotes, pipes and markup', () => {
    const hostile = rows.filter((r) => r.model === HOSTILE_MODEL);
    expect(hostile).toHaveLength(9);
    expect(hostile[0]!.cell_id).toBe(cellId(HOSTILE_MODEL, 1000, 1));
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
    const odd = makeFixture();
    odd.analysis.cells[0]!.cell = { ...odd.analysis.cells[0]!.cell, dataset: 'data, "v2"\r\nnext' };
    const [row] = parse(renderCsv({ runs: [odd] }), { columns: true }) as Array<Record<string, string>>;
    expect(row!.dataset).toBe('data, "v2"\r\nnext');
  });

  it('holds hand-computed values (mlp-small, n=1000, 1 worker)', () => {
    // 800 training samples x 2 epochs at 50,000 samples/s = 32 ms; median repetition factor is 1.
    const r = rows.find((x) => x.cell_id === cellId('mlp-small', 1000, 1))!;
    expect(Number(r.wall_ms_median)).toBeCloseTo(32, 9);
    expect(Number(r.wall_ms_min)).toBeCloseTo(32 * 0.97, 9);
    expect(Number(r.wall_ms_max)).toBeCloseTo(32 * 1.04, 9);
    expect(Number(r.samples_per_sec_median)).toBeCloseTo(50_000, 4);
    // 150 MB + 3523 params x 500 B + 1000 x 2 kB + 30 MB (1 worker) + 1 MB (median repetition)
    expect(Number(r.peak_rss_mb)).toBeCloseTo(184.7615, 6);
    expect(r.quality_metric).toBe('accuracy');
    expect(Number(r.quality_value)).toBeCloseTo(0.89, 9);
    // 50,000 samples/s x 20,544 FLOPs = 1.0272 GFLOP/s of a 20 GFLOP/s worker
    expect(Number(r.gflops)).toBeCloseTo(1.0272, 9);
    expect(Number(r.mfu)).toBeCloseTo(0.05136, 9);
    expect(Number(r.cold_start_ms)).toBe(240);
    expect(r.ok_trials).toBe('3');
    expect(r.run_id).toBe(f.analysis.runId);
    expect(r.machine_id).toBe('a1b2c3d4');
  });

  it('leaves a failed cell\'s statistics empty instead of NaN', () => {
    const r = rows.find((x) => x.cell_id === cellId(HOSTILE_MODEL, 4000, 3))!;
    expect(r.ok_trials).toBe('0');
    expect(r.total_trials).toBe('3');
    for (const k of ['wall_ms_median', 'samples_per_sec_median', 'peak_rss_mb', 'quality_value', 'gflops', 'mfu'] as const) expect(r[k]).toBe('');
    expect(renderCsv({ runs: [f] })).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('stacks several runs with their run ids', () => {
    const g = makeFixture({ runId: 'second', slowdown: 1.3 });
    const both = parse(renderCsv({ runs: [f, g] }), { columns: true }) as Array<Record<string, string>>;
    expect(both).toHaveLength(38);
    expect(new Set(both.map((r) => r.run_id))).toEqual(new Set([f.analysis.runId, 'second']));
  });
});
