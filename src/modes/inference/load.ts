/**
 * The inference load generator, on the main thread: a closed loop (C requests always outstanding) or
 * an open loop (R requests per second on a fixed schedule, whatever the answers), recording every
 * request's latency. Latency is what a client sees: from sending (in the open loop, from the scheduled
 * send time, so a late generator cannot hide queueing) to the generator observing the answer. At a
 * width equal to the cores the generator shares a core with a server, as a client on the same machine would.
 */
import { performance } from 'node:perf_hooks';
import { QUEUE, clearServeError, queueViews, readServeError } from './queue.js';


export interface LoadLevel {
  /** closed: keep `level` requests outstanding; open: send `level` requests per second. */
  loop: 'closed' | 'open';
  level: number;
  /** Milliseconds during which requests are sent. */
  durationMs: number;
  /** After the sending stops, outstanding requests get this long to be answered; the rest count as errors. */
  drainMs: number;
}

export interface LevelOutcome {
  /** Requests sent (refused ones included). */
  requests: number;
  /** Requests answered successfully. */
  answered: number;
  /** Failed, refused (queue full) or unanswered by the drain deadline. */
  errors: number;
  /** What went wrong with the first request that erred, in words; absent when none did. */
  firstError?: string;
  /** Latency of each answered request, in ms. */
  latencies: number[];
  /** From the first send to the last answer (or to the end of sending when nothing was answered), in ms. */
  elapsedMs: number;
}

/** Longest the generator sleeps between checks of the servers' health and the cell's deadline. */
const POLL_MS = 50;

type WaitAsync = (array: Int32Array, index: number, value: number, timeoutMs?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** Resolves when control[index] differs from `value` or after `timeoutMs` (polling where waitAsync is missing). */
export async function waitForChange(control: Int32Array, index: number, value: number, timeoutMs: number): Promise<void> {
  if (timeoutMs <= 0 || Atomics.load(control, index) !== value) return;
  if (waitAsync) {
    const outcome = waitAsync(control, index, value, timeoutMs);
    if (outcome.async) {
      // A pending waitAsync does not keep Node's event loop alive: when nothing else does (a server died and
      // the others are blocked in Atomics.wait), the process would exit mid-level with code 13. The timer
      // outlasts the wait, so the wait's own timeout always resolves first.
      const keepAlive = setTimeout(() => {}, timeoutMs + 1000);
      try {
        await outcome.value;
      } finally {
        clearTimeout(keepAlive);
      }
    }
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, 1)));
}

/**
 * Runs one load level against the servers on `queue` and returns what the clients saw.
 * `failure()` reports a server that died, which ends the level with that error.
 */
export async function runLevel(queue: SharedArrayBuffer, level: LoadLevel, failure: () => unknown, signal?: AbortSignal): Promise<LevelOutcome> {
  if (!(level.level > 0) || !Number.isFinite(level.level)) throw new RangeError(`load level must be a positive number, got ${String(level.level)}`);
  const q = queueViews(queue);
  const { control, state, capacity } = q;
  const outstanding = new Map<number, number>();
  const latencies: number[] = [];
  let nextId = Atomics.load(control, QUEUE.TAIL);
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  const fail = (count: number, why: () => string): void => {
    errors += count;
    firstError ??= why();
  };
  clearServeError(queue);
  const t0 = performance.now();
  const end = t0 + level.durationMs;
  const drainEnd = end + level.drainMs;
  let lastAnswer = t0;

  const send = (at: number): void => {
    requests++;
    if (outstanding.size >= capacity) {
      fail(1, () => `request refused: ${capacity} requests were already outstanding (the queue is full)`);
      return;
    }
    outstanding.set(nextId++, at);
    Atomics.add(control, QUEUE.TAIL, 1);
    Atomics.notify(control, QUEUE.TAIL, 1);
  };
  /** Collects answers observed now; returns how many arrived. */
  const collect = (now: number): number => {
    let arrived = 0;
    for (const [id, at] of outstanding) {
      const s = Atomics.load(state, id % capacity);
      if (s === id + 1) {
        latencies.push(now - at);
        lastAnswer = now;
      } else if (s === -(id + 1)) {
        fail(1, () => readServeError(queue) ?? 'a server failed the request');
      } else continue;
      outstanding.delete(id);
      arrived++;
    }
    return arrived;
  };

  const closed = level.loop === 'closed';
  const interval = closed ? 0 : 1000 / level.level;
  let scheduled = 0;
  let nextSend = t0;
  if (closed) for (let i = 0; i < level.level; i++) send(t0);
  let seen = Atomics.load(control, QUEUE.COMPLETED);
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const died = failure();
      if (died !== undefined) throw died;
      const now = performance.now();
      const arrived = collect(now);
      const sending = now < end;
      if (closed) {
        if (sending) for (let i = 0; i < arrived; i++) send(now);
      } else {
        // Send everything due: a late timer sends a burst, stamped with the times it should have gone.
        while (nextSend <= now && nextSend < end) {
          send(nextSend);
          scheduled++;
          nextSend = t0 + scheduled * interval;
        }
      }
      const stillSending = closed ? sending : nextSend < end;
      if (!stillSending) {
        if (outstanding.size === 0) break;
        if (now >= drainEnd) {
          const unanswered = outstanding.size;
          fail(unanswered, () => `${unanswered} request${unanswered === 1 ? ' was' : 's were'} not answered within ${Math.round(level.drainMs)} ms after sending stopped`);
          break;
        }
      }
      const wakeAt = stillSending ? (closed ? end : nextSend) : drainEnd;
      // Capped, so a server that died or a cell that timed out is noticed without answers arriving.
      await waitForChange(control, QUEUE.COMPLETED, seen, Math.min(POLL_MS, Math.max(0, wakeAt - performance.now())));
      seen = Atomics.load(control, QUEUE.COMPLETED);
    }
  } finally {
    // Whatever is still queued belongs to this level; the servers skip it instead of delaying the next.
    Atomics.store(control, QUEUE.CANCEL_BELOW, nextId);
  }
  const elapsedMs = latencies.length > 0 ? lastAnswer - t0 : Math.max(level.durationMs, performance.now() - t0);
  return { requests, answered: latencies.length, errors, ...(firstError !== undefined ? { firstError } : {}), latencies, elapsedMs: Math.max(elapsedMs, 1e-3) };
}
