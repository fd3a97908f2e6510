/** Held-out quality of a trained model: R² for regression, accuracy for classification. */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Tf } from '../backends/index.js';
import type { Quality } from '../results/schema.js';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { PreparedData } from './data.js';
import { inputReshaper } from './loss.js';

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
