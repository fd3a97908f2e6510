/**
 * Dataset tensors for training, made once per worker thread and reused by every trial on the same data:
 * pre-cut mini-batches on the backend, held-out rows, and a seeded batch order.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import type { DatasetSpec } from '../results/schema.js';
import { seededRandom } from '../stats/random.js';

export interface TrainData {
  /** Inputs, row-major (n x spec.features); may be a view on a SharedArrayBuffer. */
  x: Float32Array;
  /** Targets: the value (regression) or the class index stored as a float (classification). */
  y: Float32Array;
  /** Rows [0, nTrain) are trained on. */
  nTrain: number;
  /** Rows [nTrain, nTrain + nTest) are held out for the quality metric. */
  nTest: number;
  spec: DatasetSpec;
}

/** One mini-batch, resident on the backend. */
export interface Batch {
  x: Tensor;
  /** Regression: targets [rows, 1]; classification: one-hot labels [rows, classes]. */
  y: Tensor;
  rows: number;
}

/** Dataset tensors created once per worker and reused by every trial on the same data. */
export interface PreparedData {
  readonly spec: DatasetSpec;
  readonly nTrain: number;
  readonly nTest: number;
  /** Training rows cut into batches of `batchSize` (the last may be smaller); cached per size. */
  batches(batchSize: number): readonly Batch[];
  /** Held-out inputs [nTest, features]. */
  readonly xTest: Tensor;
  /** Held-out targets as float64 (standardised values, or class indices), for the quality metric. */
  readonly yTest: Float64Array;
  /**
   * Regression targets are trained on as (y - mean) / sd of the training rows, so the loss is in
   * units of the target's variance and one learning rate suits any target scale (R² is unchanged
   * by this affine map). Identity (0, 1) for classification.
   */
  readonly targetScale: { mean: number; sd: number };
  /** Frees every tensor made here; the object must not be used afterwards. */
  dispose(): void;
}

function checkRows(data: TrainData): void {
  const { x, y, nTrain, nTest, spec } = data;
  const rows = nTrain + nTest;
  if (!Number.isInteger(nTrain) || nTrain < 1) {
    throw new RangeError(`dataset "${spec.name}": needs at least 1 training row, got ${String(nTrain)}: raise the dataset size`);
  }
  if (!Number.isInteger(nTest) || nTest < 1) {
    throw new RangeError(
      `dataset "${spec.name}": needs at least 1 held-out row for the quality metric, got ${String(nTest)}: ` +
        'raise the dataset size or the test fraction',
    );
  }
  if (x.length < rows * spec.features) {
    throw new RangeError(`dataset "${spec.name}": x holds ${x.length} values, fewer than ${rows} rows x ${spec.features} features`);
  }
  if (y.length < rows) throw new RangeError(`dataset "${spec.name}": y holds ${y.length} values, fewer than ${rows} rows`);
  if (spec.task === 'classification') {
    for (let i = 0; i < rows; i++) {
      const label = y[i] as number;
      if (!Number.isInteger(label) || label < 0 || label >= spec.classes) {
        throw new RangeError(
          `dataset "${spec.name}": row ${i} has class ${String(label)}, outside 0..${spec.classes - 1}: check the label column`,
        );
      }
    }
  }
}

/** One-hot rows [start, end) of integer labels stored as floats. */
function oneHot(y: Float32Array, start: number, end: number, classes: number): Float32Array {
  const out = new Float32Array((end - start) * classes);
  for (let i = start; i < end; i++) out[(i - start) * classes + (y[i] as number)] = 1;
  return out;
}

/** Mean and (population) standard deviation of y[start, end); sd 1 when y is constant. */
export function targetStats(y: ArrayLike<number>, start: number, end: number): { mean: number; sd: number } {
  let mean = 0;
  for (let i = start; i < end; i++) mean += y[i] as number;
  mean /= Math.max(end - start, 1);
  let ss = 0;
  for (let i = start; i < end; i++) ss += ((y[i] as number) - mean) ** 2;
  const sd = Math.sqrt(ss / Math.max(end - start, 1));
  return { mean, sd: sd > 0 && Number.isFinite(sd) ? sd : 1 };
}

/** y[start, end) mapped to (y - mean) / sd, as float32. */
function standardise(y: Float32Array, start: number, end: number, scale: { mean: number; sd: number }): Float32Array {
  const out = new Float32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = ((y[i] as number) - scale.mean) / scale.sd;
  return out;
}

/**
 * Uploads a dataset to the active backend. Inputs are copied first: the cpu backend keeps the
 * typed arrays it is given, and x/y may be views on shared memory that other threads rewrite.
 */
export function prepareData(tf: Tf, data: TrainData): PreparedData {
  checkRows(data);
  const { x, y, nTrain, nTest, spec } = data;
  const f = spec.features;
  const classification = spec.task === 'classification';
  const byBatchSize = new Map<number, Batch[]>();
  const targetScale = classification ? { mean: 0, sd: 1 } : targetStats(y, 0, nTrain);
  const xTest = tf.tensor2d(x.slice(nTrain * f, (nTrain + nTest) * f), [nTest, f]);
  const yTest = Float64Array.from(standardise(y, nTrain, nTrain + nTest, targetScale));
  let disposed = false;

  const cut = (batchSize: number): Batch[] => {
    const batches: Batch[] = [];
    for (let start = 0; start < nTrain; start += batchSize) {
      const end = Math.min(start + batchSize, nTrain);
      const rows = end - start;
      batches.push({
        x: tf.tensor2d(x.slice(start * f, end * f), [rows, f]),
        y: classification
          ? tf.tensor2d(oneHot(y, start, end, spec.classes), [rows, spec.classes])
          : tf.tensor2d(standardise(y, start, end, targetScale), [rows, 1]),
        rows,
      });
    }
    return batches;
  };

  return {
    spec,
    nTrain,
    nTest,
    xTest,
    yTest,
    targetScale,
    batches(batchSize: number): readonly Batch[] {
      if (disposed) throw new Error('prepared data was disposed');
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new RangeError(`batch size must be a whole number >= 1, got ${String(batchSize)}: check --batch-size`);
      }
      let batches = byBatchSize.get(batchSize);
      if (!batches) {
        batches = cut(batchSize);
        byBatchSize.set(batchSize, batches);
      }
      return batches;
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      xTest.dispose();
      for (const batches of byBatchSize.values()) for (const b of batches) tf.dispose([b.x, b.y]);
      byBatchSize.clear();
    },
  };
}

/** The order in which batches are visited in each epoch: a seeded permutation, fresh per epoch. */
export function batchOrder(count: number, epochs: number, seed: number): number[] {
  const next = epochPermutations(count, seed);
  const order: number[] = [];
  for (let e = 0; e < epochs; e++) order.push(...next());
  return order;
}

/**
 * The same permutations as batchOrder, one epoch per call, for loops that do not know in advance
 * how many epochs they will train (training to a target).
 */
export function epochPermutations(count: number, seed: number): () => number[] {
  const random = seededRandom(seed);
  return () => {
    const perm = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [perm[i], perm[j]] = [perm[j] as number, perm[i] as number];
    }
    return perm;
  };
}
