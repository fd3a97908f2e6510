/** benchmarks/gate-false-alarms.ts: its arithmetic, and the whole loop in smoke mode (fake runner, simulated load). */
import { describe, expect, it } from 'vitest';
import { describeSummary, runGateBench, summariseGateBench, type GateBenchRun } from '../benchmarks/gate-false-alarms.js';

const run = (kind: GateBenchRun['kind'], regressions: number, exitCode = regressions > 0 ? 1 : 0): GateBenchRun => ({
  try: 1,
  kind,
  exitCode,
  wallMs: 1000,
  regressions,
  regressed: [],
  canaryMedianChange: 0,
  canaryAffected: 0,
  confirmChecked: 0,
  confirmConfirmed: 0,
});

describe('summariseGateBench', () => {
  it('counts false alarms in same-commit runs and caught slowdowns per factor', () => {
    const s = summariseGateBench(
      [run('same-commit, busy core', 0), run('same-commit', 2), run('1.2x slower', 0), run('1.2x slower', 3), run('2x slower', 5), run('2x slower', 1)],
      { slowdowns: [1.2, 2] },
    );
    expect(s).toEqual({
      pairs: 2,
      loadedPairs: 1,
      falseAlarmRuns: 1,
      falseAlarmRegressions: 2,
      detection: [
        { slowdown: 1.2, caught: 1, tries: 2 },
        { slowdown: 2, caught: 2, tries: 2 },
      ],
    });
    expect(describeSummary(s)[0]).toBe('false alarms: 2 regressions in 2 same-commit pairs (1 with a busy core during the current run); 1 of 2 runs failed');
  });
});

describe('runGateBench --smoke', () => {
  it('runs baseline, loaded same-commit and slowed runs through the CLI and counts them', async () => {
    const lines: string[] = [];
    const { runs, summary } = await runGateBench({ tries: 1, loaded: 1, slowdowns: [1.5], sweep: [], smoke: true }, (line) => lines.push(line));
    expect(runs.map((r) => r.kind)).toEqual(['same-commit, busy core', '1.5x slower']);
    expect(summary.falseAlarmRegressions).toBe(0);
    expect(summary.detection).toEqual([{ slowdown: 1.5, caught: 1, tries: 1 }]);
    expect(runs[0]!.canaryAffected).toBeGreaterThan(0); // the simulated busy core moved the canary, and verdicts with it
    expect(lines).toHaveLength(2);
  });
});
