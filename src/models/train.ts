/**
 * A lean training loop for tfjs LayersModels, and held-out evaluation.
 *
 * Why not model.fit: fit reads the loss back to JavaScript every batch, builds callback logs and
 * re-slices the data each epoch; for the small models here that overhead is as large as the
 * compute. This loop keeps the data on the backend as pre-cut batches, runs each step as one
 * gradient computation plus one Adam update (nothing outlives a step: gradients are disposed and
 * every intermediate lives in tfjs's own scopes), and reads the loss once, after the last step.
 * It also launches far fewer kernels per step than the layers' own graph with tf.train.adam
 * (fastpath.ts, adam.ts): measured on this machine (wasm, batch 256, min CPU time per step)
 * mlp-small went from ~1.7 ms to ~1.0 ms per step. Same losses and optimizer maths, so the same
 * quality (test/train.test.ts compares them).
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import { GroupedAdam } from './adam.js';
import { meanSquaredError, softmaxCrossEntropy, trainingForward } from './fastpath.js';
import type { DatasetSpec, Quality } from '../results/schema.js';

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

export interface TrainConfig {
  /** Passes over the training rows. */
  epochs: number;
  /** Rows per step. */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Seeds the order in which batches are visited in each epoch. */
  seed: number;
  /** Called the moment the timed loop ends, before evaluation (the runner reads process CPU time there). */
  onTrainEnd?: () => void;
  /** Stop after this many samples (a short warm-up); whole batches, at least one step. */
  maxSamples?: number;
  /**
   * Adam implementation: 'flat' (default; GroupedAdam, fewer kernel launches, see adam.ts) or 'tfjs'
   * (tf.train.adam, per variable). Same algorithm; kept selectable for benchmarks and tests.
   */
  optimizer?: 'flat' | 'tfjs';
  /** Use the custom-gradient Dense layers and losses of fastpath.ts (default true). */
  fastPath?: boolean;
}

export interface TrainOutcome {
  /** Wall time of the training loop, ending with the read-back of the final loss, in ms. */
  trainMs: number;
  /** Samples trained on (all epochs). */
  samples: number;
  /** Training loss of the last step: MSE of the standardised target, or softmax cross-entropy. */
  finalLoss: number;
  /** Held-out R² (regression) or accuracy (classification). */
  quality: Quality;
  /** Peak bytes held by tfjs tensors in this thread during training. */
  peakTensorBytes: number;
}

/** The loss stopped being a finite number: training diverged. */
export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
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

/** Deterministic 32-bit generator (mulberry32) for the batch order. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The order in which batches are visited in each epoch: a seeded permutation, fresh per epoch. */
export function batchOrder(count: number, epochs: number, seed: number): number[] {
  const random = mulberry32(seed);
  const order: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const perm = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [perm[i], perm[j]] = [perm[j] as number, perm[i] as number];
    }
    order.push(...perm);
  }
  return order;
}

function lastLayerActivation(model: LayersModel): unknown {
  const last = model.layers[model.layers.length - 1];
  return last?.getConfig()['activation'];
}

/** Checks the model's output against the task; returns the per-sample output units. */
function checkOutput(model: LayersModel, spec: DatasetSpec): number {
  const shape = model.outputs[0]?.shape;
  if (!shape || model.outputs.length !== 1) {
    throw new RangeError(`model must have exactly one output, got ${model.outputs.length}`);
  }
  const units = shape.length === 1 ? 1 : (shape[shape.length - 1] ?? 1);
  const want = spec.task === 'regression' ? 1 : spec.classes;
  if (units !== want || shape.length > 2) {
    throw new RangeError(
      `model "${model.name}" outputs [${shape.map(String).join(', ')}] but dataset "${spec.name}" needs [batch, ${want}] ` +
        `(${spec.task === 'regression' ? 'one value' : 'one score per class'})`,
    );
  }
  return units;
}

/** Reshapes flat rows to the model's input shape when it expects images or sequences. */
function inputReshaper(tf: Tf, model: LayersModel): (x: Tensor) => Tensor {
  const shape = model.inputs[0]?.shape;
  if (!shape || shape.length <= 2) return (x) => x;
  const inner = shape.slice(1).map((d) => d ?? -1);
  return (x) => tf.reshape(x, [-1, ...inner]);
}

/**
 * The training loss of `model` on one batch, as a scalar (call inside a gradient scope).
 * `withValue` false lets the fast losses skip computing a value nobody reads (the gradient is the
 * same); the reference losses always compute it.
 */
export type LossFn = (batch: Batch, withValue: boolean) => Scalar;

export function makeLoss(tf: Tf, model: LayersModel, spec: DatasetSpec, options: { fast?: boolean } = {}): LossFn {
  const data = dataLoss(tf, model, spec, options.fast ?? true);
  // Layer regularizers (user models) add their penalties, as model.fit does.
  const penalties = regularizerLosses(model.layers as unknown as RegularizedLayer[]);
  if (penalties.length === 0) return data;
  return (batch, withValue) => tf.addN([data(batch, withValue), ...penalties.map((penalty) => penalty())]) as Scalar;
}

interface RegularizedLayer {
  losses: Array<() => Scalar>;
  layers?: RegularizedLayer[];
}

/**
 * The regularizer penalties of every layer, nested models included. Read from the layers, not
 * model.calculateLosses(): a Sequential returns nothing there until something has built it.
 */
function regularizerLosses(layers: readonly RegularizedLayer[]): Array<() => Scalar> {
  return layers.flatMap((layer) => (layer.layers ? regularizerLosses(layer.layers) : layer.losses));
}

function dataLoss(tf: Tf, model: LayersModel, spec: DatasetSpec, fast: boolean): LossFn {
  checkOutput(model, spec);
  const reshape = inputReshaper(tf, model);
  const apply = fast ? trainingForward(tf, model) : (x: Tensor): Tensor => model.apply(x, { training: true }) as Tensor;
  const forward = (x: Tensor): Tensor => apply(reshape(x));
  if (spec.task === 'regression') {
    return (batch, withValue) => {
      const out = forward(batch.x);
      const pred = out.rank === 2 ? out : tf.reshape(out, [-1, 1]);
      return fast
        ? meanSquaredError(tf, batch.y, pred, withValue)
        : (tf.mean(tf.squaredDifference(pred, batch.y)) as Scalar);
    };
  }
  if (lastLayerActivation(model) === 'softmax') {
    // A model that already ends in softmax outputs probabilities: cross-entropy on them directly.
    return (batch) => {
      const probs = tf.clipByValue(forward(batch.x), 1e-7, 1);
      return tf.neg(tf.mean(tf.sum(tf.mul(batch.y, tf.log(probs)), 1))) as Scalar;
    };
  }
  return (batch, withValue) =>
    fast
      ? softmaxCrossEntropy(tf, batch.y, forward(batch.x), withValue)
      : (tf.losses.softmaxCrossEntropy(batch.y, forward(batch.x)) as Scalar);
}

/** Held-out R² (regression) or accuracy (classification); outside any timing. */
export async function evaluateQuality(tf: Tf, model: LayersModel, data: PreparedData, chunkRows = 4096): Promise<Quality> {
  const { nTest, spec, yTest } = data;
  const reshape = inputReshaper(tf, model);
  const predictions = new Float64Array(nTest);
  for (let start = 0; start < nTest; start += chunkRows) {
    const rows = Math.min(chunkRows, nTest - start);
    const out = tf.tidy(() => {
      const x = rows === nTest ? data.xTest : tf.slice(data.xTest, [start, 0], [rows, -1]);
      const y = model.apply(reshape(x), { training: false }) as Tensor;
      return spec.task === 'regression' ? tf.reshape(y, [-1]) : tf.argMax(y, -1);
    });
    const values = await out.data();
    out.dispose();
    predictions.set(values, start);
  }
  return spec.task === 'regression'
    ? { metric: 'r2', value: rSquared(yTest, predictions) }
    : { metric: 'accuracy', value: accuracy(yTest, predictions) };
}

/**
 * Coefficient of determination 1 - SS_res/SS_tot. A constant target has no variance to explain:
 * then 1 for a perfect fit and 0 otherwise (never NaN). Non-finite predictions give the most
 * negative finite number, so a diverged model still sorts last and serialises as JSON.
 */
export function rSquared(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = actual.length;
  if (n === 0 || predicted.length !== n) throw new RangeError(`R² needs equal, non-empty arrays, got ${n} and ${predicted.length}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i] as number;
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const a = actual[i] as number;
    ssRes += (a - (predicted[i] as number)) ** 2;
    ssTot += (a - mean) ** 2;
  }
  if (!Number.isFinite(ssRes)) return -Number.MAX_VALUE;
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/** Share of predicted class indices equal to the actual ones. */
export function accuracy(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = actual.length;
  if (n === 0 || predicted.length !== n) throw new RangeError(`accuracy needs equal, non-empty arrays, got ${n} and ${predicted.length}`);
  let hits = 0;
  for (let i = 0; i < n; i++) if (actual[i] === predicted[i]) hits++;
  return hits / n;
}

/**
 * Growth of tensor bytes during a trial, by model architecture and batch size: measured once with
 * tf.profile (which syncs every kernel, so it is slow) and reused by later trials of the same shape.
 */
const peakGrowthCache = new Map<string, number>();

function peakKey(model: LayersModel, cfg: TrainConfig, spec: DatasetSpec): string {
  const layers = model.layers.map((l) => `${l.getClassName()}:${l.weights.map((w) => w.shape.join('x')).join(',')}`);
  const loop = `${cfg.optimizer ?? 'flat'}|${String(cfg.fastPath ?? true)}`;
  return `${spec.task}|${spec.features}|${spec.classes}|${cfg.batchSize}|${loop}|${layers.join(';')}`;
}

/** What the loop needs of an optimizer. */
interface Stepper {
  minimize(f: () => Scalar, returnCost: boolean): Scalar | null;
  dispose(): void;
}

function tfjsAdam(tf: Tf, variables: Variable[], learningRate: number): Stepper {
  const adam = tf.train.adam(learningRate);
  return {
    minimize: (f, returnCost) => adam.minimize(f, returnCost, variables),
    dispose: () => adam.dispose(),
  };
}

/** Trains `model` in place with Adam, then measures held-out quality. The caller disposes the model. */
export async function trainAndEvaluate(tf: Tf, model: LayersModel, data: PreparedData, cfg: TrainConfig): Promise<TrainOutcome> {
  if (!Number.isInteger(cfg.epochs) || cfg.epochs < 1) {
    throw new RangeError(`epochs must be a whole number >= 1, got ${String(cfg.epochs)}: check --epochs`);
  }
  if (!(cfg.learningRate > 0) || !Number.isFinite(cfg.learningRate)) {
    throw new RangeError(`learning rate must be a positive number, got ${String(cfg.learningRate)}: check --learning-rate`);
  }
  const batches = data.batches(cfg.batchSize);
  const loss = makeLoss(tf, model, data.spec, { fast: cfg.fastPath ?? true });
  const variables = model.trainableWeights.map((w) => w.read() as Variable);
  const order = batchOrder(batches.length, cfg.epochs, cfg.seed);
  const budget = cfg.maxSamples ?? Infinity;
  const optimizer: Stepper =
    cfg.optimizer === 'tfjs'
      ? tfjsAdam(tf, variables, cfg.learningRate)
      : new GroupedAdam(tf, variables, { learningRate: cfg.learningRate });
  const key = peakKey(model, cfg, data.spec);
  const cachedGrowth = peakGrowthCache.get(key);
  const startBytes = tf.memory().numBytes;

  let samples = 0;
  let steps = 0;
  let finalLoss = Number.NaN;
  let profiledPeak: number | undefined;
  try {
    const started = performance.now();
    for (let i = 0; i < order.length; i++) {
      const batch = batches[order[i] as number] as Batch;
      const last = i === order.length - 1 || samples + batch.rows >= budget;
      const step = (): Scalar | null => optimizer.minimize(() => loss(batch, last), last);
      let cost: Scalar | null;
      if (steps === 0 && cachedGrowth === undefined) {
        const profile = await tf.profile(() => step() ?? undefined);
        cost = profile.result as Scalar | null;
        if (Number.isFinite(profile.peakBytes) && batch.rows === cfg.batchSize) profiledPeak = profile.peakBytes;
      } else {
        cost = step();
      }
      samples += batch.rows;
      steps++;
      if (cost) {
        finalLoss = (await cost.data())[0] as number;
        cost.dispose();
      }
      if (last) break;
    }
    const trainMs = performance.now() - started;
    cfg.onTrainEnd?.();
    if (!Number.isFinite(finalLoss)) {
      throw new TrainingDivergedError(
        `training diverged: the loss is ${String(finalLoss)} after ${steps} steps; lower --learning-rate (now ${cfg.learningRate})`,
      );
    }
    let peakTensorBytes: number;
    if (profiledPeak !== undefined) {
      peakGrowthCache.set(key, profiledPeak - startBytes);
      peakTensorBytes = profiledPeak;
    } else {
      peakTensorBytes = startBytes + (cachedGrowth ?? 0);
    }
    const quality = await evaluateQuality(tf, model, data);
    return { trainMs, samples, finalLoss, quality, peakTensorBytes: Math.max(peakTensorBytes, tf.memory().numBytes) };
  } finally {
    optimizer.dispose();
  }
}
