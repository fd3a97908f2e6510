/**
 * The fake runner (hidden flag --runner fake) never passes for a real run: every report format names
 * it (terminal, Markdown, CSV header comment, PNG subtitle, JSON), and none says so of a real run.
 */
import { describe, expect, it } from 'vitest';
import { buildReportInput, renderReports } from '../src/report/index.js';
import { renderTerminal } from '../src/report/terminal.js';
import { buildChartSpecs } from '../src/report/html/chart-specs.js';
import { SYNTHETIC_NOTE } from '../src/report/text.js';
import { makeEnvironment, makeRunResult } from './helpers/run-result.js';
import { runCli } from './helpers/cli.js';

function run(runner: 'fake' | 'tfjs', machines?: 'mixed') {
  const cells = [1000, 2000, 4000].flatMap((size) => [1, 2].map((workers) => ({ model: 'mlp-small', size, workers, wallMs: [size / 10, size / 10 + 1, size / 10 + 2] })));
  return makeRunResult(cells, {
    environment: { runner },
    ...(machines ? { machines: { other: makeEnvironment({ machineId: 'other', runner: 'fake' }) } } : {}),
  });
}

async function everyFormat(runner: 'fake' | 'tfjs', machines?: 'mixed') {
  const input = buildReportInput([run(runner, machines)]);
  const files = new Map((await renderReports(input, ['json', 'csv', 'markdown', 'html'])).map((a) => [a.path, new TextDecoder().decode(a.bytes)]));
  return {
    terminal: renderTerminal(input, { color: false, view: 'run' }),
    reportView: renderTerminal(input, { color: false, view: 'report' }),
    markdown: files.get('summary.md')!,
    csv: files.get('cells.csv')!,
    analysis: JSON.parse(files.get('analysis.json')!) as { synthetic?: string },
    results: JSON.parse(files.get('results.json')!) as { environment: { runner: string } },
    html: files.get('report.html')!,
    charts: buildChartSpecs(input),
  };
}

describe('the fake runner is named in every report format', () => {
  it('says so in the terminal, Markdown, CSV, every chart subtitle and analysis.json', async () => {
    const out = await everyFormat('fake');
    expect(out.terminal).toContain(SYNTHETIC_NOTE);
    expect(out.reportView).toContain(SYNTHETIC_NOTE);
    expect(out.markdown).toContain(`> ⚠️ **${SYNTHETIC_NOTE}**`);
    expect(out.csv.split('\r\n')[0]).toBe(`# ${SYNTHETIC_NOTE}; runs: ${run('fake').runId}`);
    expect(out.csv.split('\r\n')[1]).toMatch(/^run_id,/);
    expect(out.analysis.synthetic).toBe(SYNTHETIC_NOTE);
    expect(out.results.environment.runner).toBe('fake');
    expect(out.html).toMatch(/fake runner/);
    expect(out.charts.length).toBeGreaterThan(0);
    for (const spec of out.charts) {
      // On a line of its own: the PNG draws each subtitle line, the HTML breaks the caption there.
      expect(spec.subtitle.split('\n')[0]).toBe('SYNTHETIC: fake runner (--runner fake), not a measurement');
    }
  });

  it('says so when only one merged machine ran the fake runner', async () => {
    const out = await everyFormat('tfjs', 'mixed');
    expect(out.markdown).toContain(SYNTHETIC_NOTE);
    expect(out.analysis.synthetic).toBe(SYNTHETIC_NOTE);
  });

  it('says nothing of the kind for a real run, whose CSV stays plain', async () => {
    const out = await everyFormat('tfjs');
    for (const text of [out.terminal, out.reportView, out.markdown, out.csv]) expect(text).not.toMatch(/SYNTHETIC|fake runner/);
    expect(out.csv.startsWith('run_id,')).toBe(true);
    expect(out.analysis.synthetic).toBeUndefined();
    for (const spec of out.charts) expect(spec.subtitle ?? '').not.toMatch(/SYNTHETIC/);
  });

  it('keeps --runner out of --help', async () => {
    const { stdout } = await runCli(['run', '--help']);
    expect(stdout).not.toMatch(/--runner|fake/);
  });
});
