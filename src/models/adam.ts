/**
 * Adam with fewer kernel launches than tf.train.adam, for the same arithmetic.
 *
 * tf.train.adam updates each variable separately with ~16 kernels and makes a new scalar tensor
 * for every constant on every step. A 3-layer MLP then pays ~100 kernel launches per step for a
 * few thousand parameters, and each launch costs ~10 µs of engine bookkeeping in tfjs: that is
 * most of a small model's step. Here:
 * - the constants are tensors made once;
 * - small variables (biases, small kernels) are updated as one flat group: their gradients are
 *   concatenated, the moments live in flat variables, and the update is split back at the end;
 * - large variables keep their own update, where the work dwarfs the launch cost and splitting a
 *   large flat vector would cost more (wasm's slice copies its whole input per slice).
 * The update is tf.train.adam's, in the same order (bias-corrected moments, epsilon added to the
 * square root), so results agree to float32 rounding.
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
  /** Variables with at least this many elements get their own update (default 16384). */
  groupLimit?: number;
}

/** Variables updated together, with their first and second moments. */
interface Group {
  variables: Variable[];
  sizes: number[];
  /** Flat [sum of sizes] for a group of small variables; the variable's shape for a single one. */
  m: Variable;
  v: Variable;
  flat: boolean;
}

/** Splits variables into a flat group of small ones and one group per large one. */
export function planGroups(sizes: readonly number[], groupLimit: number): { flat: number[]; single: number[] } {
  const flat: number[] = [];
  const single: number[] = [];
  sizes.forEach((size, i) => (size >= groupLimit ? single : flat).push(i));
  return { flat, single };
}

export class GroupedAdam {
  private readonly groups: Group[] = [];
  private readonly c: Record<'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'epsilon' | 'negLr', Scalar>;
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
    const plan = planGroups(
      variables.map((v) => v.size),
      options.groupLimit ?? 16384,
    );
    const zeros = (shape: number[]): Variable => tf.tidy(() => tf.variable(tf.zeros(shape), false));
    if (plan.flat.length > 0) {
      const members = plan.flat.map((i) => variables[i] as Variable);
      const total = members.reduce((sum, v) => sum + v.size, 0);
      this.groups.push({ variables: members, sizes: members.map((v) => v.size), m: zeros([total]), v: zeros([total]), flat: true });
    }
    for (const i of plan.single) {
      const w = variables[i] as Variable;
      this.groups.push({ variables: [w], sizes: [w.size], m: zeros(w.shape), v: zeros(w.shape), flat: false });
    }
    this.c = {
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
    if (this.disposed) throw new Error('the optimizer was disposed');
    const { tf, c } = this;
    this.step++;
    // tf.train.adam keeps beta^t in float32 variables; a double here differs by < 1e-7 relative.
    const oneMinusAccBeta1 = 1 - this.beta1 ** this.step;
    const oneMinusAccBeta2 = 1 - this.beta2 ** this.step;
    tf.tidy(() => {
      const c1 = tf.scalar(oneMinusAccBeta1);
      const c2 = tf.scalar(oneMinusAccBeta2);
      const gradOf = (w: Variable, shape: number[]): Tensor => {
        const g = grads[w.name];
        return g ? tf.reshape(g, shape) : tf.zeros(shape);
      };
      for (const group of this.groups) {
        const g = group.flat
          ? group.variables.length === 1
            ? gradOf(group.variables[0] as Variable, [-1])
            : tf.concat(group.variables.map((w) => gradOf(w, [-1])))
          : gradOf(group.variables[0] as Variable, (group.variables[0] as Variable).shape);
        const m = tf.add(tf.mul(group.m, c.beta1), tf.mul(g, c.oneMinusBeta1));
        const v = tf.add(tf.mul(group.v, c.beta2), tf.mul(tf.square(g), c.oneMinusBeta2));
        const update = tf.mul(tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), c.epsilon)), c.negLr);
        group.m.assign(m);
        group.v.assign(v);
        const parts = group.variables.length === 1 ? [update] : tf.split(update, group.sizes);
        group.variables.forEach((w, i) => {
          const part = parts[i] as Tensor;
          w.assign(tf.add(part.rank === w.rank ? part : tf.reshape(part, w.shape), w));
        });
      }
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
    this.tf.dispose([...this.groups.flatMap((g) => [g.m, g.v]), ...Object.values(this.c)]);
  }
}
