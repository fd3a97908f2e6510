/**
 * When the canary is read, and its time series: before a cell, unless a reading at the cell's width is
 * younger than the workload's interval (so short cells do not pay for one each: "before every cell or every
 * few seconds, whichever is rarer"). Readings are per width because the workers of a cell read together and
 * see the contention that width sees; the cell records the reading it ran under.
 */
import type { CanaryReading, CanaryRecord, Cell } from '../results/schema.js';
import type { CanaryProbe } from './runner.js';

export class CanaryLog {
  /** The time series, live: the scheduler saves it with the results after every cell. */
  readonly record: CanaryRecord | undefined;
  private readonly latest = new Map<number, CanaryReading>();

  constructor(
    private readonly probe: CanaryProbe | undefined,
    /** Epoch ms the run started at (its startedAt): readings are stamped relative to it. */
    private readonly startedAtMs: number,
    previous?: CanaryRecord,
  ) {
    this.record = probe ? { workload: probe.workload, readings: [...(previous?.readings ?? [])] } : undefined;
  }

  /** The reading a sweep cell runs under: a fresh one unless one at its width is younger than the interval. */
  async forCell(cell: Cell): Promise<number | undefined> {
    const last = this.latest.get(cell.workers);
    const interval = this.record?.workload.intervalMs ?? 0;
    if (last && this.nowMs() - last.atMs < interval) return last.ms;
    return this.read(cell, 'sweep');
  }

  /** A fresh reading on the cell's workers; undefined when the runner has no canary or the reading failed. */
  async read(cell: Cell, phase: CanaryReading['phase']): Promise<number | undefined> {
    if (!this.probe || !this.record) return undefined;
    let perWorkerMs: number[];
    try {
      perWorkerMs = await this.probe.read(cell, phase);
    } catch {
      // A failed reading (the pool closing on Ctrl-C, a dying worker) costs the cell its canary, not the run.
      return undefined;
    }
    const finite = perWorkerMs.filter((ms) => Number.isFinite(ms) && ms > 0);
    if (finite.length === 0) return undefined;
    // The cell's wall time runs until its slowest worker finishes, and so does the reading.
    const reading: CanaryReading = { atMs: this.nowMs(), workers: cell.workers, ms: Math.max(...finite), perWorkerMs: finite, phase };
    this.record.readings.push(reading);
    this.latest.set(cell.workers, reading);
    return reading.ms;
  }

  private nowMs(): number {
    return Math.max(0, Date.now() - this.startedAtMs);
  }
}
