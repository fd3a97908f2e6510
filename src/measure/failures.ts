/** How a trial that did not finish is recorded, shared by every mode's runner and the fake runner. */
import type { TrialResult } from '../results/schema.js';
import { errorMessage } from '../config/errors.js';

export class CellTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CellTimeoutError';
  }
}

export function failedTrial(repetition: number, state: 'errored' | 'timeout', error: string): TrialResult {
  return {
    repetition,
    state,
    error,
    wallMs: 0,
    samplesPerSec: 0,
    samples: 0,
    cpuMs: 0,
    peakRssBytes: 0,
    peakTensorBytes: 0,
    finalLoss: 0,
    quality: { metric: 'accuracy', value: 0 },
  };
}

/** 'timeout' when the cell's deadline caused the failure, else 'errored', with the reason. */
export function failureOf(signal: AbortSignal, reason: unknown, repetition: number): TrialResult {
  const cause = signal.aborted && signal.reason instanceof CellTimeoutError ? signal.reason : reason;
  return failedTrial(Math.max(0, repetition), cause instanceof CellTimeoutError ? 'timeout' : 'errored', errorMessage(cause));
}
