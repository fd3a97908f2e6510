/** The training loss of a model on a batch: MSE of the standardised target, or softmax cross-entropy, plus regularisers. */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import type { DatasetSpec } from '../results/schema.js';
import { meanSquaredError, softmaxCrossEntropy, trainingForward } from './fastpath.js';
import type { Batch } from './data.js';

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
export function inputReshaper(tf: Tf, model: LayersModel): (x: Tensor) => Tensor {
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
