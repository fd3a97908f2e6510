/** The timing fields of a trial from its workers' replies, checked against hand-computed values. */
import { describe, expect, it } from 'vitest';
import { trialTiming, type TimedReply } from '../src/measure/trial-timing.js';

const reply = (over: Partial<TimedReply>): TimedReply => ({
  startedAtMs: 1000,
  finishedAtMs: 1100,
  cpuAtStartUs: 5_000_000,
  cpuAtEndUs: 5_200_000,
  rssAfterBytes: 100,
  peakTensorBytes: 10,
  ...over,
});

describe('trialTiming', () => {
  it('wall time from the first start to the last finish; CPU time is the process window', () => {
    const t = trialTiming([reply({}), reply({ startedAtMs: 1010, finishedAtMs: 1150, cpuAtStartUs: 5_010_000, cpuAtEndUs: 5_260_000 })], 3000, 50);
    expect(t.wallMs).toBe(150);
    expect(t.samplesPerSec).toBeCloseTo(20_000, 9);
    expect(t.cpuMs).toBe(260); // 5.26 s − 5.00 s
    expect(t.peakRssBytes).toBe(100);
    expect(t.workerTensorBytes).toBe(20);
  });

  it('training to a target: the evaluations (outside wallMs) are left out of the CPU time too', () => {
    // Two workers, each evaluated for 40 ms inside its window: 260 − 80 = 180 CPU ms over 150 wall ms.
    const replies = [reply({ convergence: { evalMs: 40 } }), reply({ startedAtMs: 1010, finishedAtMs: 1150, cpuAtStartUs: 5_010_000, cpuAtEndUs: 5_260_000, convergence: { evalMs: 40 } })];
    expect(trialTiming(replies, 3000, 50).cpuMs).toBe(180);
    // Never negative.
    expect(trialTiming([reply({ convergence: { evalMs: 10_000 } })], 1, 0).cpuMs).toBe(0);
  });
});
