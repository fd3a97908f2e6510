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
