/** The timing fields of one trial, from the replies of the w workers that ran it together. */
import type { TrialResult } from '../results/schema.js';

/** What every training worker reports about its timed phase. */
export interface TimedReply {
  /** Epoch milliseconds, comparable across threads. */
  startedAtMs: number;
  finishedAtMs: number;
  /** Process-wide CPU microseconds at the start and end of this worker's timed phase. */
  cpuAtStartUs: number;
  cpuAtEndUs: number;
  rssAfterBytes: number;
  peakTensorBytes: number;
  /** Training to a target: the held-out evaluations inside the timed phase, whose wall time trainMs leaves out. */
  convergence?: { evalMs: number };
}

export type TrialTiming = Pick<TrialResult, 'wallMs' | 'samplesPerSec' | 'samples' | 'cpuMs' | 'peakRssBytes' | 'peakTensorBytes'> & { workerTensorBytes: number };

/**
 * Wall time runs from the first worker's start to the last one's finish; CPU time is the process's over the
 * same window, less the evaluations of a run to a target; `sampledPeakRss` is the main thread's RSS sampling during the trial.
 */
export function trialTiming(replies: readonly TimedReply[], samples: number, sampledPeakRss: number): TrialTiming {
  const started = Math.min(...replies.map((reply) => reply.startedAtMs));
  const finished = Math.max(...replies.map((reply) => reply.finishedAtMs));
  const wallMs = Math.max(finished - started, 1e-3);
  // Training to a target evaluates inside the CPU window but not inside wallMs: leave the evaluations' CPU out
  // too (each runs on its worker's one thread, so its wall time is its CPU time), or CPU per wall second
  // reads several cores on a 2-core machine and the gate's CPU share compares training with evaluation.
  const evalUs = replies.reduce((sum, reply) => sum + (reply.convergence?.evalMs ?? 0) * 1000, 0);
  const cpuUs = Math.max(...replies.map((reply) => reply.cpuAtEndUs)) - Math.min(...replies.map((reply) => reply.cpuAtStartUs)) - evalUs;
  return {
    wallMs,
    samplesPerSec: (samples / wallMs) * 1000,
    samples,
    cpuMs: Math.max(0, cpuUs / 1000),
    peakRssBytes: Math.max(sampledPeakRss, ...replies.map((reply) => reply.rssAfterBytes)),
    peakTensorBytes: Math.max(...replies.map((reply) => reply.peakTensorBytes)),
    workerTensorBytes: replies.reduce((sum, reply) => sum + reply.peakTensorBytes, 0),
  };
}
