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
}

export type TrialTiming = Pick<TrialResult, 'wallMs' | 'samplesPerSec' | 'samples' | 'cpuMs' | 'peakRssBytes' | 'peakTensorBytes'> & { workerTensorBytes: number };

/**
 * Wall time runs from the first worker's start to the last one's finish; CPU time is the process's over the
 * same window; `sampledPeakRss` is the main thread's RSS sampling during the trial.
 */
export function trialTiming(replies: readonly TimedReply[], samples: number, sampledPeakRss: number): TrialTiming {
  const started = Math.min(...replies.map((reply) => reply.startedAtMs));
  const finished = Math.max(...replies.map((reply) => reply.finishedAtMs));
  const wallMs = Math.max(finished - started, 1e-3);
  const cpuUs = Math.max(...replies.map((reply) => reply.cpuAtEndUs)) - Math.min(...replies.map((reply) => reply.cpuAtStartUs));
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
