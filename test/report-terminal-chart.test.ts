import { describe, expect, it } from 'vitest';
import { renderTerminalChart, stripControl } from '../src/report/terminal-chart.js';
import type { Analysis } from '../src/analyse/schema.js';
import { HOSTILE_MODEL, makeFixture } from './helpers/analysis-fixture.js';

const ESC = '\u001b';
const { analysis } = makeFixture();

describe('renderTerminalChart', () => {
  it('plots time vs size per model without colour codes when colour is off', () => {
    const out = renderTerminalChart(analysis, { color: false, width: 80 });
    expect(out).not.toContain(ESC);
    expect(out.split('\n')[0]).toBe('median training time vs dataset size (log-log; 2 models at their smallest pool width)');
    expect(out).toContain('n=1k');
    expect(out).toContain('n=4k');
    expect(out).toContain('  mlp-small 1w: time grows as n^1.02 ± 0.03');
    expect(out).toMatch(/[╭╯─]/);
    expect(out).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('labels the y axis with the measured range: 32 ms (mlp-small, n=1000) to 1.07 s (n=4000)', () => {
    const rows = renderTerminalChart(analysis, { color: false, width: 80 }).split('\n');
    const yLabels = rows.slice(1, 12).map((r) => r.slice(0, 9).trim());
    expect(yLabels[0]).toBe('1.07 s');
    expect(yLabels[yLabels.length - 1]).toBe('32.0 ms');
    // Each line's name sits at the row where it ends: the slower model on the top row.
    expect(rows[1]).toMatch(/evil,/);
    expect(rows.find((r) => r.includes(' mlp-small 1w') && /[┤┼]/.test(r))).toBeDefined();
  });

  it('keeps chart rows within the requested width', () => {
    for (const width of [60, 80, 120]) {
      const rows = renderTerminalChart(analysis, { color: false, width }).split('\n');
      for (const r of rows.slice(1, 13)) expect([...r].length).toBeLessThanOrEqual(width);
    }
  });

  it('colours lines when asked', () => {
    const out = renderTerminalChart(analysis, { color: true, width: 80 });
    expect(out).toContain(`${ESC}[36m`);
    expect(out).toContain(`${ESC}[35m`);
  });

  it('strips terminal control sequences from names', () => {
    // One rule for every terminal line (config/terminal-text.ts): a control character shows as "?".
    expect(stripControl(`a${ESC}]0;pwned\u0007b\u009bc`)).toBe('a?]0;pwned?b?c');
    const f = makeFixture();
    for (const c of f.analysis.cells) if (c.cell.model === HOSTILE_MODEL) c.cell = { ...c.cell, model: `bad${ESC}[2Jname` };
    const out = renderTerminalChart(f.analysis, { color: false });
    expect(out).not.toContain(ESC);
    expect(out).toContain('bad?[2Jname');
  });

  it('says why there is no chart instead of drawing nonsense', () => {
    const one: Analysis = { ...analysis, cells: analysis.cells.filter((c) => c.cell.size === 1000) };
    expect(renderTerminalChart(one, { color: false })).toBe(
      'time vs size: not enough data for a chart (needs 2 or more sizes with ok repetitions, got 1)',
    );
    expect(renderTerminalChart({ ...analysis, cells: [] }, { color: false })).toContain('got 0');
  });

  it('leaves out a model that misses the smallest or largest size, and says so', () => {
    const partial: Analysis = { ...analysis, cells: analysis.cells.filter((c) => !(c.cell.model === 'mlp-small' && c.cell.size === 4000)) };
    const out = renderTerminalChart(partial, { color: false });
    expect(out).toContain('  mlp-small 1w: not drawn (measured at 2 of the sizes)');
    expect(out).toContain('one model');
  });
});
