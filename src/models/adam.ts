/**
 * Adam over all of a model's weights at once.
 *
 * tf.train.adam updates each variable separately with ~16 kernels (plus a fresh scalar tensor for
 * every constant), so a 3-layer MLP pays ~100 kernel launches per step for a few thousand
 * parameters; in tfjs each launch costs ~10 µs of engine bookkeeping, which dominates small models.
 * Here the gradients are concatenated into one flat vector, the moments live in two flat
 * variables, and the update runs as ~15 kernels on that vector whatever the number of layers, then
 * is split back into the weights. The arithmetic is tf.train.adam's, in the same order (bias-corrected
 * moments, epsilon added to the square root), so results agree to float32 rounding.
 */
import type { NamedTensorMap, Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';

export interface AdamOptions {
  learningRate: number;
  /** Default 0.9, as tf.train.adam. */
  beta1?: number;
  /** Default 0.999, as tf.train.adam. */
  beta2?: number;
  /** Default: the backend's epsilon (1e-7 for float32), as tf.train.adam. */
  epsilon?: number;
}

export class FlatAdam {
  private readonly sizes: number[];
  private readonly total: number;
  private readonly m: Variable;
  private readonly v: Variable;
  /** Constants kept as tensors so no step creates them again. */
  private readonly constants: Record<'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'epsilon' | 'negLr', Scalar>;
  private readonly beta1: number;
  private readonly beta2: number;
  private step = 0;
  private disposed = false;

  constructor(
    private readonly tf: Tf,
    private readonly variables: readonly Variable[],
    options: AdamOptions,
  ) {
    if (variables.length === 0) throw new RangeError('the model has no trainable weights to optimise');
    if (!(options.learningRate > 0)) throw new RangeError(`learning rate must be > 0, got ${String(options.learningRate)}`);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    const epsilon = options.epsilon ?? tf.backend().epsilon();
    this.sizes = variables.map((v) => v.size);
    this.total = this.sizes.reduce((a, b) => a + b, 0);
    this.m = tf.variable(tf.zeros([this.total]), false);
    this.v = tf.variable(tf.zeros([this.total]), false);
    this.constants = {
      beta1: tf.keep(tf.scalar(this.beta1)),
      oneMinusBeta1: tf.keep(tf.scalar(1 - this.beta1)),
      beta2: tf.keep(tf.scalar(this.beta2)),
      oneMinusBeta2: tf.keep(tf.scalar(1 - this.beta2)),
      epsilon: tf.keep(tf.scalar(epsilon)),
      negLr: tf.keep(tf.scalar(-options.learningRate)),
    };
  }

  /** Number of steps applied so far. */
  get iterations(): number {
    return this.step;
  }

  /** Applies one Adam step from gradients keyed by variable name (missing = zero gradient). */
  applyGradients(grads: NamedTensorMap): void {
    if (this.disposed) throw new Error('FlatAdam was disposed');
    const { tf, constants: c } = this;
    this.step++;
    // tf.train.adam keeps beta^t in float32 variables; a double here differs by < 1e-7 relative.
    const oneMinusAccBeta1 = 1 - this.beta1 ** this.step;
    const oneMinusAccBeta2 = 1 - this.beta2 ** this.step;
    tf.tidy(() => {
      const flat = this.variables.map((w) => {
        const g = grads[w.name];
        return g ? tf.reshape(g, [-1]) : tf.zeros([w.size]);
      });
      const g = flat.length === 1 ? (flat[0] as Tensor) : tf.concat(flat);
      const m = tf.add(tf.mul(this.m, c.beta1), tf.mul(g, c.oneMinusBeta1));
      const v = tf.add(tf.mul(this.v, c.beta2), tf.mul(tf.square(g), c.oneMinusBeta2));
      const mHat = tf.div(m, tf.scalar(oneMinusAccBeta1));
      const vHat = tf.div(v, tf.scalar(oneMinusAccBeta2));
      const update = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), c.epsilon)), c.negLr);
      this.m.assign(m);
      this.v.assign(v);
      const parts = this.variables.length === 1 ? [update] : tf.split(update, this.sizes);
      this.variables.forEach((w, i) => {
        w.assign(tf.add(tf.reshape(parts[i] as Tensor, w.shape), w));
      });
    });
  }

  /**
   * One training step: loss and gradients of `f` with respect to the variables, then the update.
   * Returns the loss when asked (the caller disposes it), else null; nothing else survives the step.
   */
  minimize(f: () => Scalar, returnCost: boolean): Scalar | null {
    const { value, grads } = this.tf.variableGrads(f, this.variables as Variable[]);
    try {
      this.applyGradients(grads);
    } finally {
      this.tf.dispose(grads);
    }
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tf.dispose([this.m, this.v, ...Object.values(this.constants)]);
  }
}
