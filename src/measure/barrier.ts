/**
 * A one-shot barrier over a SharedArrayBuffer, so w workers start their timed phase together.
 * Every wait has a deadline and honours an abort flag: one crashed worker must never block the rest forever.
 */
const ARRIVED = 0;
const RELEASED = 1;
const ABORTED = 2;
const SLOTS = 3;

export type BarrierBuffer = SharedArrayBuffer;

export function createBarrier(): BarrierBuffer {
  return new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

export class BarrierAbortedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'BarrierAbortedError';
  }
}

/** Mark the barrier aborted and wake everyone waiting at it (called when a worker fails or a cell times out). */
export function abortBarrier(buffer: BarrierBuffer): void {
  const slots = new Int32Array(buffer);
  Atomics.store(slots, ABORTED, 1);
  Atomics.notify(slots, RELEASED);
}

export function isBarrierAborted(buffer: BarrierBuffer): boolean {
  return Atomics.load(new Int32Array(buffer), ABORTED) === 1;
}

/** Block this thread until `parties` threads have arrived, the barrier is aborted, or `timeoutMs` passes. */
export function arriveAndWait(buffer: BarrierBuffer, parties: number, timeoutMs: number): void {
  const slots = new Int32Array(buffer);
  const arrived = Atomics.add(slots, ARRIVED, 1) + 1;
  if (arrived >= parties) {
    Atomics.store(slots, RELEASED, 1);
    Atomics.notify(slots, RELEASED);
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(slots, RELEASED) === 0) {
    if (Atomics.load(slots, ABORTED) === 1) throw new BarrierAbortedError('another worker of this cell failed');
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new BarrierAbortedError(`only ${Atomics.load(slots, ARRIVED)} of ${parties} workers reached the start line within ${timeoutMs} ms`);
    }
    // Short slices so an abort is noticed even if a notify is missed.
    Atomics.wait(slots, RELEASED, 0, Math.min(left, 100));
  }
  if (Atomics.load(slots, ABORTED) === 1) throw new BarrierAbortedError('another worker of this cell failed');
}
