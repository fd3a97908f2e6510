/**
 * Gradient exchange for synchronous data-parallel training: an allreduce (sum) over one
 * SharedArrayBuffer that every worker of a cell maps, synchronised with Atomics.
 *
 * Layout: a small Int32 control block (arrival count, barrier generation, abort flag), then two
 * sets of `parties` float32 slots of `length` values (alternating by step parity, so a fast rank
 * can write the next step's gradients while a slow one still reads this step's), then one shared
 * result of `length` values (the sliced strategy's output).
 *
 * Two strategies, both deterministic (every rank sums the slots in rank order, in float64, so all
 * replicas see bit-identical sums):
 *  - 'replicated': one barrier, then every rank sums all w slots itself (reads w x length values).
 *  - 'sliced': barrier, each rank sums its 1/w slice into the shared result, barrier again
 *    (reads length values but pays a second barrier).
 * Messages through the main thread were measured too (benchmarks/modes.ts) and lose to both.
 *
 * Every wait has a deadline and checks the abort flag: one crashed worker must never block the rest.
 */

const COUNT = 0;
const GENERATION = 1;
const ABORTED = 2;
/** Int32 slots of the control block; 16 bytes keeps the float region aligned. */
const CONTROL_INTS = 4;
const CONTROL_BYTES = CONTROL_INTS * Int32Array.BYTES_PER_ELEMENT;
/** Polls of the generation before sleeping in Atomics.wait: a wake-up costs tens of microseconds. */
const SPIN_POLLS = 20_000;
/** Longest single sleep, so an abort is noticed even if its notify is missed. */
const WAIT_SLICE_MS = 50;

export type ReduceStrategy = 'replicated' | 'sliced';
export const REDUCE_STRATEGIES: readonly ReduceStrategy[] = ['replicated', 'sliced'];

export interface ExchangeOptions {
  strategy: ReduceStrategy;
  /** A barrier not reached by every rank within this many milliseconds throws. */
  timeoutMs: number;
  /** Busy-poll briefly before sleeping; only worth it when every rank has a core of its own. */
  spin: boolean;
}

export class ExchangeAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExchangeAbortedError';
  }
}

/** Bytes of an exchange buffer for `parties` ranks exchanging `length` float32 values each. */
export function exchangeBytes(parties: number, length: number): number {
  if (!Number.isInteger(parties) || parties < 1) throw new RangeError(`parties must be a whole number >= 1, got ${String(parties)}`);
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`length must be a whole number >= 1, got ${String(length)}`);
  return CONTROL_BYTES + (2 * parties + 1) * length * Float32Array.BYTES_PER_ELEMENT;
}

export function createExchangeBuffer(parties: number, length: number): SharedArrayBuffer {
  return new SharedArrayBuffer(exchangeBytes(parties, length));
}

/** Marks the exchange aborted and wakes every waiting rank (a worker failed, or the cell timed out). */
export function abortExchange(buffer: SharedArrayBuffer): void {
  const control = new Int32Array(buffer, 0, CONTROL_INTS);
  Atomics.store(control, ABORTED, 1);
  Atomics.notify(control, GENERATION);
}

export function isExchangeAborted(buffer: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(buffer, 0, CONTROL_INTS), ABORTED) === 1;
}

/** The [start, end) range of `length` values that `rank` of `parties` reduces in the sliced strategy. */
export function sliceOf(length: number, parties: number, rank: number): [number, number] {
  const base = Math.floor(length / parties);
  const extra = length % parties;
  const start = rank * base + Math.min(rank, extra);
  return [start, start + base + (rank < extra ? 1 : 0)];
}

/** One rank's handle on an exchange buffer. */
export class SharedAllreduce {
  private readonly control: Int32Array;
  /** slots[set][rank]: views on the shared float region. */
  private readonly slots: Float32Array[][];
  private readonly result: Float32Array;
  /** The replicated strategy's private output. */
  private readonly local: Float32Array;
  private parity = 0;

  constructor(
    buffer: SharedArrayBuffer,
    readonly parties: number,
    readonly length: number,
    readonly rank: number,
    private readonly options: ExchangeOptions,
  ) {
    if (buffer.byteLength < exchangeBytes(parties, length)) {
      throw new RangeError(`exchange buffer holds ${buffer.byteLength} bytes, fewer than ${exchangeBytes(parties, length)} for ${parties} x ${length} values`);
    }
    if (!Number.isInteger(rank) || rank < 0 || rank >= parties) throw new RangeError(`rank ${String(rank)} is outside 0..${parties - 1}`);
    this.control = new Int32Array(buffer, 0, CONTROL_INTS);
    const slot = (index: number) => new Float32Array(buffer, CONTROL_BYTES + index * length * Float32Array.BYTES_PER_ELEMENT, length);
    this.slots = [0, 1].map((set) => Array.from({ length: parties }, (_, r) => slot(set * parties + r)));
    this.result = slot(2 * parties);
    this.local = new Float32Array(length);
  }

  /** Where this rank writes its contribution to the next allreduce. */
  get input(): Float32Array {
    return this.slots[this.parity]![this.rank]!;
  }

  /**
   * Waits until every rank has called barrier() as often as this one. Throws ExchangeAbortedError
   * when the exchange is aborted or the deadline passes.
   */
  barrier(): void {
    const { control } = this;
    if (Atomics.load(control, ABORTED) === 1) throw new ExchangeAbortedError('another worker of this cell failed');
    const generation = Atomics.load(control, GENERATION);
    if (Atomics.add(control, COUNT, 1) + 1 === this.parties) {
      // Reset before releasing: nobody can arrive at the next barrier until they see the new generation.
      Atomics.store(control, COUNT, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      return;
    }
    if (this.options.spin) {
      for (let i = 0; i < SPIN_POLLS; i++) if (Atomics.load(control, GENERATION) !== generation) return;
    }
    const deadline = Date.now() + this.options.timeoutMs;
    while (Atomics.load(control, GENERATION) === generation) {
      if (Atomics.load(control, ABORTED) === 1) throw new ExchangeAbortedError('another worker of this cell failed');
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new ExchangeAbortedError(
          `only ${Atomics.load(control, COUNT)} of ${this.parties} workers reached the gradient exchange within ${this.options.timeoutMs} ms`,
        );
      }
      Atomics.wait(control, GENERATION, generation, Math.min(left, WAIT_SLICE_MS));
    }
  }

  /**
   * Sums every rank's `input` (in rank order) and returns the sum. The returned view is valid until
   * this rank's next allreduce(); copy what must outlive it.
   */
  allreduce(): Float32Array {
    const set = this.slots[this.parity]!;
    this.parity ^= 1;
    this.barrier();
    if (this.options.strategy === 'sliced') {
      const [start, end] = sliceOf(this.length, this.parties, this.rank);
      sumInto(set, this.result, start, end);
      this.barrier();
      return this.result;
    }
    sumInto(set, this.local, 0, this.length);
    return this.local;
  }

  /**
   * Largest absolute difference between any rank's `values` and rank 0's (e.g. final weights), for
   * rank 0; null for the others. Every rank must call it.
   */
  maxDifferenceFromRankZero(values: ArrayLike<number>): number | null {
    if (values.length > this.length) throw new RangeError(`${values.length} values do not fit a slot of ${this.length}`);
    const set = this.slots[this.parity]!;
    this.parity ^= 1;
    set[this.rank]!.set(values as Float32Array | number[]);
    this.barrier();
    if (this.rank !== 0) return null;
    const reference = set[0]!;
    let max = 0;
    for (let r = 1; r < this.parties; r++) {
      const other = set[r]!;
      for (let i = 0; i < values.length; i++) {
        const diff = Math.abs(other[i]! - reference[i]!);
        // NaN never compares greater: a diverged replica is reported as far off as a finite number can be (JSON has no Infinity).
        if (!(diff <= max)) max = Number.isFinite(diff) ? diff : Number.MAX_VALUE;
      }
    }
    return max;
  }
}

/** out[i] = sum over ranks of slots[r][i], for i in [start, end), summed in rank order in float64. */
function sumInto(slots: readonly Float32Array[], out: Float32Array, start: number, end: number): void {
  const first = slots[0]!;
  if (slots.length === 1) {
    out.set(first.subarray(start, end), start);
    return;
  }
  if (slots.length === 2) {
    const second = slots[1]!;
    for (let i = start; i < end; i++) out[i] = first[i]! + second[i]!;
    return;
  }
  for (let i = start; i < end; i++) {
    let sum = first[i]!;
    for (let r = 1; r < slots.length; r++) sum += slots[r]![i]!;
    out[i] = sum;
  }
}
