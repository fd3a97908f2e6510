import type { TrialResult } from '../results/schema.js';
import type { CellJob } from './runner.js';

/**
 * The memory a cell holds at its peak, independent of the cells that ran before it: its data table
 * (shared by its workers) plus the tfjs tensor bytes of each of its workers at their peak (the
 * dataset's tensors, the weights, the optimizer's state, one step's gradients and intermediates; on
 * wasm they live in the workers' wasm heaps).
 *
 * Why not the process's RSS growth during the cell: it says what ran before as much as what the cell
 * needs. A wasm heap grows when a cell needs more than any cell before it and never shrinks, and
 * freed JavaScript and malloc memory mostly stays resident. Measured with benchmarks/memory-order.ts
 * (logistic, 8k, 16k, 32k, 64k, 128k rows, w=1, median of 3): the growth was 22, 1, 8, 20, 20 MB
 * with the cells in size order and 0.5, 0, 0.4, 6, 67 MB in reverse; the process peak fitted n^0.12
 * [0.07, 0.16] against n^-0.01 [-0.01, -0.01]; this figure n^0.99 [0.99, 1.00] in both orders.
 * The growth is kept beside it (TrialResult.cellRssGrowthBytes), as is the peak.
 */
export function cellMemoryBytes(m: { tableBytes: number; tensorBytes: number }): number {
  return m.tableBytes + m.tensorBytes;
}

/** Taken right before a cell's first trial; adds the memory fields to each of its trials. */
export class CellMemory {
  private readonly rssBefore = process.memoryUsage.rss();

  constructor(
    private readonly heaps: () => number,
    private readonly tableBytes: number,
  ) {}

  /** The trial with cellMemoryBytes, cellRssGrowthBytes, rssBeforeCellBytes and wasmHeapBytes; call it as soon as the trial ends. */
  annotate(trial: TrialResult): TrialResult {
    const heapsNow = this.heaps();
    const tensorBytes = trial.workerTensorBytes ?? trial.peakTensorBytes;
    return {
      ...trial,
      cellMemoryBytes: cellMemoryBytes({ tableBytes: this.tableBytes, tensorBytes }),
      cellRssGrowthBytes: Math.max(0, trial.peakRssBytes - this.rssBefore),
      rssBeforeCellBytes: this.rssBefore,
      ...(heapsNow > 0 ? { wasmHeapBytes: heapsNow } : {}),
    };
  }
}

/** A CellMemory for `job`, taken now (call it before the cell's first trial). */
export function cellMemoryOf(job: Pick<CellJob, 'table'>, heaps: (() => number) | undefined): CellMemory {
  return new CellMemory(heaps ?? (() => 0), job.table.x.buffer.byteLength);
}

/** Samples the process's resident set size while a trial runs (worker threads share the process's RSS). */
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 10) {}

  start(): void {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  sample(extra = 0): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss(), extra);
  }

  /** Stops sampling and returns the peak RSS in bytes. */
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.peak;
  }
}
