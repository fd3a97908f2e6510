/**
 * Adam with fewer kernel launches than tf.train.adam, for the same arithmetic.
 *
 * tf.train.adam updates each variable separately with ~16 kernels and makes a new scalar tensor
 * for every constant on every step. A 3-layer MLP then pays ~100 kernel launches per step for a
 * few thousand parameters, and each launch costs ~10 µs of engine bookkeeping in tfjs: that is
 * most of a small model's step. Here the constants are tensors made once, and:
 * - small variables (biases, small kernels) are updated together: by scale-bench's fused Adam
 *   kernel when the active backend has it (wasm, unless --stock-kernels; one launch per step), or
 *   else as one flat group (gradients concatenated, flat moments, the update split back);
 * - large variables keep their own update with tfjs ops: wasm's SIMD element-wise kernels beat a
 *   JavaScript loop there (measured: ~1.2 ms of ops vs ~1.8 ms of JS for mlp-deep's 206k weights),
 *   the launch cost is small next to the work, and splitting a large flat vector would cost more
 *   (wasm's slice copies its whole input per slice).
 * The update is tf.train.adam's, in the same order (bias-corrected moments, epsilon added to the
 * square root), so results agree to float32 rounding.
 */
import type { NamedTensorMap, Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import { ADAM_KERNEL, adamInputNames, hasAdamKernel, type AdamStep } from '../backends/adam-kernel.js';

/** Adam's constants with tf.train.adam's defaults; shared by GroupedAdam and the fused dense step, so both update alike. */
export function adamHyperparameters(
  tf: Tf,
  options: Pick<AdamOptions, 'learningRate' | 'beta1' | 'beta2' | 'epsilon'>,
): Omit<AdamStep, 'oneMinusAccBeta1' | 'oneMinusAccBeta2'> {
  if (!(options.learningRate > 0)) throw new RangeError(`learning rate must be > 0, got ${String(options.learningRate)}`);
  return {
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? tf.backend().epsilon(),
    learningRate: options.learningRate,
  };
}

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
  /** Use the fused kernel when the backend has it (default true; false forces tfjs ops). */
  fused?: boolean;
}

/** A variable with its first and second moments (same shape, or flat for a flat group). */
interface Slot {
  variable: Variable;
  m: Variable;
  v: Variable;
}

/** Small variables updated by one flat set of ops: moments are [sum of sizes]. */
interface FlatGroup {
  variables: Variable[];
  sizes: number[];
  m: Variable;
  v: Variable;
}

/** Indices of the small variables (grouped) and of the large ones (each alone). */
export function planGroups(sizes: readonly number[], groupLimit: number): { flat: number[]; single: number[] } {
  const flat: number[] = [];
  const single: number[] = [];
  sizes.forEach((size, i) => (size >= groupLimit ? single : flat).push(i));
  return { flat, single };
}

type Constants = Record<'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'epsilon' | 'negLr', Scalar>;

export class GroupedAdam {
  /** Small variables for the fused kernel (empty when it is not used). */
  private readonly fusedSlots: Slot[] = [];
  /** Small variables for the op path (null when none, or when the fused kernel takes them). */
  private readonly flatGroup: FlatGroup | null = null;
  /** Large variables, one op-path update each. */
  private readonly singles: Slot[] = [];
  private readonly c: Constants;
  private readonly hyper: Omit<AdamStep, 'oneMinusAccBeta1' | 'oneMinusAccBeta2'>;
  private step = 0;
  private disposed = false;

  constructor(
    private readonly tf: Tf,
    private readonly variables: readonly Variable[],
    options: AdamOptions,
  ) {
    if (variables.length === 0) throw new RangeError('the model has no trainable weights to optimise');
    this.hyper = adamHyperparameters(tf, options);
    const zeros = (shape: number[]): Variable => tf.tidy(() => tf.variable(tf.zeros(shape), false));
    const slot = (w: Variable): Slot => ({ variable: w, m: zeros(w.shape), v: zeros(w.shape) });
    const plan = planGroups(
      variables.map((v) => v.size),
      options.groupLimit ?? 16384,
    );
    const small = plan.flat.map((i) => variables[i] as Variable);
    if (hasAdamKernel(tf) && options.fused !== false) this.fusedSlots = small.map(slot);
    else if (small.length > 0) {
      const total = small.reduce((sum, v) => sum + v.size, 0);
      this.flatGroup = { variables: small, sizes: small.map((v) => v.size), m: zeros([total]), v: zeros([total]) };
    }
    this.singles = plan.single.map((i) => slot(variables[i] as Variable));
    const h = this.hyper;
    this.c = {
      beta1: tf.keep(tf.scalar(h.beta1)),
      oneMinusBeta1: tf.keep(tf.scalar(1 - h.beta1)),
      beta2: tf.keep(tf.scalar(h.beta2)),
      oneMinusBeta2: tf.keep(tf.scalar(1 - h.beta2)),
      epsilon: tf.keep(tf.scalar(h.epsilon)),
      negLr: tf.keep(tf.scalar(-h.learningRate)),
    };
  }

  /** Number of steps applied so far. */
  get iterations(): number {
    return this.step;
  }

  /** Applies one Adam step from gradients keyed by variable name (missing = zero gradient). */
  applyGradients(grads: NamedTensorMap): void {
    if (this.disposed) throw new Error('the optimizer was disposed');
    const { tf } = this;
    this.step++;
    // tf.train.adam keeps beta^t in float32 variables; a double here differs by < 1e-7 relative.
    const step: AdamStep = {
      ...this.hyper,
      oneMinusAccBeta1: 1 - this.hyper.beta1 ** this.step,
      oneMinusAccBeta2: 1 - this.hyper.beta2 ** this.step,
    };
    tf.tidy(() => {
      const gradOf = (w: Variable, shape: number[]): Tensor => {
        const g = grads[w.name];
        return g ? tf.reshape(g, shape) : tf.zeros(shape);
      };
      if (this.fusedSlots.length > 0) this.applyFused(this.fusedSlots, (w) => gradOf(w, w.shape), step);
      const c1 = tf.scalar(step.oneMinusAccBeta1);
      const c2 = tf.scalar(step.oneMinusAccBeta2);
      const group = this.flatGroup;
      if (group) {
        const g = group.variables.length === 1 ? gradOf(group.variables[0] as Variable, [-1]) : tf.concat(group.variables.map((w) => gradOf(w, [-1])));
        const update = this.opUpdate(group, g, c1, c2);
        const parts = group.variables.length === 1 ? [update] : tf.split(update, group.sizes);
        group.variables.forEach((w, i) => w.assign(tf.add(tf.reshape(parts[i] as Tensor, w.shape), w)));
      }
      for (const s of this.singles) {
        s.variable.assign(tf.add(this.opUpdate(s, gradOf(s.variable, s.variable.shape), c1, c2), s.variable));
      }
    });
  }

  /** Moments updated in place; returns -lr · m̂ / (sqrt(v̂) + ε), to be added to the weights. */
  private opUpdate(moments: { m: Variable; v: Variable }, g: Tensor, c1: Scalar, c2: Scalar): Tensor {
    const { tf, c } = this;
    const m = tf.add(tf.mul(moments.m, c.beta1), tf.mul(g, c.oneMinusBeta1));
    const v = tf.add(tf.mul(moments.v, c.beta2), tf.mul(tf.square(g), c.oneMinusBeta2));
    moments.m.assign(m);
    moments.v.assign(v);
    return tf.mul(tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), c.epsilon)), c.negLr);
  }

  /** All of `slots` in one launch of the fused kernel (call inside a tidy). */
  private applyFused(slots: readonly Slot[], gradOf: (w: Variable) => Tensor, step: AdamStep): void {
    const inputs: NamedTensorMap = {};
    slots.forEach((s, i) => {
      const names = adamInputNames(i);
      inputs[names.w] = s.variable;
      inputs[names.g] = gradOf(s.variable);
      inputs[names.m] = s.m;
      inputs[names.v] = s.v;
    });
    const out = this.tf.engine().runKernel(ADAM_KERNEL, inputs, step as unknown as Record<string, number>) as Tensor[];
    slots.forEach((s, i) => {
      s.variable.assign(out[3 * i] as Tensor);
      s.m.assign(out[3 * i + 1] as Tensor);
      s.v.assign(out[3 * i + 2] as Tensor);
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
    const moments = [...this.fusedSlots, ...this.singles, ...(this.flatGroup ? [this.flatGroup] : [])].flatMap((s) => [s.m, s.v]);
    this.tf.dispose([...moments, ...Object.values(this.c)]);
  }
}
