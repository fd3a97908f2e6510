/**
 * The request queue of the inference mode, in shared memory: the load generator (./load.ts) appends
 * request ids, the w servers (./worker.ts) take them in order, and each answer is published in the
 * request's state slot and counted, which wakes the generator. Host and servers both import this
 * module; it imports nothing else of the project, so a server thread loads no host code.
 */

/**
 * Control slots (Int32). TAIL: requests sent; HEAD: next request to take; STOP: servers return;
 * ABORTED: servers throw; COMPLETED: answers published; READY: servers warmed up; CANCEL_BELOW:
 * requests below this id were given up on and are answered as failed without predicting;
 * ERROR_LENGTH: bytes of the first failed prediction's message (0 = none yet, -1 = being written);
 * PARTIES: servers, so the views know where each region starts.
 */
export const QUEUE = { TAIL: 0, HEAD: 1, STOP: 2, ABORTED: 3, COMPLETED: 4, READY: 5, CANCEL_BELOW: 6, CAPACITY: 7, ERROR_LENGTH: 8, PARTIES: 9 } as const;
/** Even, so the Float64 region after the state slots stays 8-byte aligned. */
const CONTROL_INTS = 10;
/** Longest first-error message kept (UTF-8 bytes); enough for a line that names the cause. */
export const ERROR_MESSAGE_BYTES = 512;

/** Requests that may be outstanding at once; more are refused and counted as errors. A power of two keeps the regions aligned. */
export const QUEUE_CAPACITY = 1 << 16;

export interface QueueViews {
  control: Int32Array;
  /** Per request slot (id % capacity): id + 1 once answered, -(id + 1) once failed; anything else = pending. */
  state: Int32Array;
  /** Tensor bytes each server holds after loading the model and warming up. */
  tensorBytes: Float64Array;
  /** UTF-8 bytes of the first failed prediction's message (length in control[ERROR_LENGTH]). */
  errorMessage: Uint8Array;
  capacity: number;
}

export function createQueue(parties: number, capacity = QUEUE_CAPACITY): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity % 2 !== 0) throw new RangeError(`queue capacity must be an even whole number, got ${String(capacity)}`);
  const buffer = new SharedArrayBuffer(CONTROL_INTS * 4 + capacity * 4 + parties * 8 + ERROR_MESSAGE_BYTES);
  // Stored in the buffer, so the servers need no extra argument.
  const control = new Int32Array(buffer, 0, CONTROL_INTS);
  control[QUEUE.CAPACITY] = capacity;
  control[QUEUE.PARTIES] = parties;
  return buffer;
}

export function queueViews(buffer: SharedArrayBuffer): QueueViews {
  const control = new Int32Array(buffer, 0, CONTROL_INTS);
  const capacity = control[QUEUE.CAPACITY]!;
  const state = new Int32Array(buffer, CONTROL_INTS * 4, capacity);
  const tensorOffset = CONTROL_INTS * 4 + capacity * 4;
  const parties = control[QUEUE.PARTIES]!;
  const tensorBytes = new Float64Array(buffer, tensorOffset, parties);
  const errorMessage = new Uint8Array(buffer, tensorOffset + parties * 8, ERROR_MESSAGE_BYTES);
  return { control, state, tensorBytes, errorMessage, capacity };
}

/** A server keeps the message of the first prediction that failed since the level began; later ones only count. */
export function recordServeError(buffer: SharedArrayBuffer, message: string): void {
  const { control, errorMessage } = queueViews(buffer);
  if (Atomics.compareExchange(control, QUEUE.ERROR_LENGTH, 0, -1) !== 0) return;
  // encodeInto never splits a character; TextEncoder cannot write into shared memory, hence the copy.
  const bytes = new Uint8Array(ERROR_MESSAGE_BYTES);
  const { written } = new TextEncoder().encodeInto(message, bytes);
  errorMessage.set(bytes.subarray(0, written));
  Atomics.store(control, QUEUE.ERROR_LENGTH, Math.max(1, written));
}

/** The first failed prediction's message since the last clearServeError, if any. */
export function readServeError(buffer: SharedArrayBuffer): string | undefined {
  const { control, errorMessage } = queueViews(buffer);
  const length = Atomics.load(control, QUEUE.ERROR_LENGTH);
  if (length <= 0) return undefined;
  return new TextDecoder().decode(errorMessage.slice(0, length));
}

/** Forgets the kept message, so each level reports its own first error. */
export function clearServeError(buffer: SharedArrayBuffer): void {
  Atomics.store(queueViews(buffer).control, QUEUE.ERROR_LENGTH, 0);
}

/** Stops every server; they return after their current request. */
export function stopQueue(buffer: SharedArrayBuffer, aborted = false): void {
  const { control } = queueViews(buffer);
  Atomics.store(control, aborted ? QUEUE.ABORTED : QUEUE.STOP, 1);
  Atomics.notify(control, QUEUE.TAIL);
  Atomics.notify(control, QUEUE.READY);
}

/**
 * The input rows of request `id`: `batchSize` consecutive held-out rows (wrapping around), so
 * requests predict on data the model has not trained on, and neighbouring requests differ.
 */
export function requestRows(x: Float32Array, features: number, nTrain: number, nTest: number, batchSize: number, id: number, out: Float32Array): void {
  if (nTest < 1) throw new RangeError('requests are drawn from the held-out rows, and there are none: raise the size or the test fraction');
  let row = (id * batchSize) % nTest;
  for (let k = 0; k < batchSize; k++) {
    const from = (nTrain + row) * features;
    out.set(x.subarray(from, from + features), k * features);
    row = row + 1 === nTest ? 0 : row + 1;
  }
}
