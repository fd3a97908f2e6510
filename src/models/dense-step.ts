/**
 * Training steps for stacks of dense layers (linear, logistic, the MLPs, and user models of the
 * same shape) as one ScaleBenchDenseStep kernel launch each (backends/dense-step-kernel.ts):
 * forward, loss gradient, backward and Adam together, then the new weights and moments are swapped
 * into the model's variables.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { NamedTensorMap, Scalar, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { Tf } from '../backends/index.js';
import { DENSE_STEP_KERNEL, denseStepInputNames, type DenseLoss, type DenseStepAttrs } from '../backends/dense-step-kernel.js';
import type { DatasetSpec } from '../results/schema.js';
import type { Batch } from './data.js';
import { adamHyperparameters } from './adam.js';

interface DenseLayer {
  kernel: Variable;
  bias: Variable | null;
  activation: 'relu' | 'linear';
}

export interface DenseStepPlan {
  layers: DenseLayer[];
  loss: DenseLoss;
  /** Input features, then each layer's units. */
  widths: number[];
}

interface LayerView {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  trainableWeights: Array<{ read(): Tensor; shape: number[] }>;
  losses: unknown[];
}

/**
 * The model as a dense stack the kernel can train, or null: a Sequential of Dense layers (relu or
 * linear, the last one linear), flat rank-2 input, no regularisers, on a backend with the kernel.
 */
export function denseStepPlan(tf: Tf, model: LayersModel, spec: DatasetSpec): DenseStepPlan | null {
  if (!tf.getKernel(DENSE_STEP_KERNEL, tf.getBackend()) || model.getClassName() !== 'Sequential') return null;
  const inputShape = model.inputs[0]?.shape;
  if (!inputShape || inputShape.length !== 2 || inputShape[1] !== spec.features) return null;
  const layers: DenseLayer[] = [];
  const widths = [spec.features];
  for (const layer of model.layers as unknown as LayerView[]) {
    if (layer.getClassName() !== 'Dense' || layer.losses.length > 0) return null;
    const config = layer.getConfig();
    const activation = config['activation'];
    if (activation !== 'relu' && activation !== 'linear') return null;
    const weights = layer.trainableWeights;
    const useBias = config['useBias'] !== false;
    const kernel = weights[0];
    if (!kernel || kernel.shape.length !== 2 || weights.length !== (useBias ? 2 : 1) || kernel.shape[0] !== widths[widths.length - 1]) return null;
    layers.push({ kernel: kernel.read() as Variable, bias: useBias ? ((weights[1] as { read(): Tensor }).read() as Variable) : null, activation });
    widths.push(kernel.shape[1] as number);
  }
  const last = layers[layers.length - 1];
  if (!last || last.activation !== 'linear') return null;
  const outputs = widths[widths.length - 1];
  if (spec.task === 'regression' ? outputs !== 1 : outputs !== spec.classes) return null;
  return { layers, loss: spec.task === 'regression' ? 'squared-error' : 'softmax-cross-entropy', widths };
}

export type AdamSettings = Parameters<typeof adamHyperparameters>[1];

interface Moments {
  mw: Variable;
  vw: Variable;
  mb: Variable | null;
  vb: Variable | null;
}

/** Adam over a dense stack, one kernel launch per step. */
export class DenseStepper {
  private readonly moments: Moments[];
  private readonly hyper: Pick<DenseStepAttrs, 'beta1' | 'beta2' | 'epsilon' | 'learningRate'>;
  private readonly fixed: Pick<DenseStepAttrs, 'activations' | 'biases' | 'loss'>;
  private steps = 0;
  private disposed = false;

  constructor(
    private readonly tf: Tf,
    private readonly plan: DenseStepPlan,
    adam: AdamSettings,
  ) {
    this.hyper = adamHyperparameters(tf, adam);
    this.fixed = { activations: plan.layers.map((l) => l.activation), biases: plan.layers.map((l) => l.bias !== null), loss: plan.loss };
    const zeros = (v: Variable): Variable => tf.tidy(() => tf.variable(tf.zerosLike(v), false));
    this.moments = plan.layers.map((l) => ({
      mw: zeros(l.kernel),
      vw: zeros(l.kernel),
      mb: l.bias ? zeros(l.bias) : null,
      vb: l.bias ? zeros(l.bias) : null,
    }));
  }

  /**
   * Bytes a step holds outside the engine's accounting at its peak (activations, their gradients,
   * transposes): an upper estimate for the memory figures, since tf.memory() cannot see them.
   */
  hiddenBytes(rows: number): number {
    const widths = this.plan.widths;
    const activations = widths.slice(1).reduce((sum, w) => sum + w, 0);
    const widest = Math.max(...widths);
    const largestWeight = Math.max(...this.plan.layers.map((l) => l.kernel.size));
    return 4 * (rows * (activations + 2 * (widths[widths.length - 1] as number) + 4 * widest) + 3 * largestWeight);
  }

  /** One step on `batch`; returns the batch's loss when asked (the caller disposes it), else null. */
  step(batch: Batch, withLoss: boolean): Scalar | null {
    if (this.disposed) throw new Error('the optimizer was disposed');
    const { tf } = this;
    this.steps++;
    const attrs: DenseStepAttrs = {
      ...this.fixed,
      ...this.hyper,
      withLoss,
      // tf.train.adam keeps beta^t in float32 variables; a double here differs by < 1e-7 relative.
      oneMinusAccBeta1: 1 - this.hyper.beta1 ** this.steps,
      oneMinusAccBeta2: 1 - this.hyper.beta2 ** this.steps,
    };
    const inputs: NamedTensorMap = { x: batch.x, y: batch.y };
    this.plan.layers.forEach((layer, i) => {
      const names = denseStepInputNames(i);
      const m = this.moments[i] as Moments;
      inputs[names.w] = layer.kernel;
      inputs[names.mw] = m.mw;
      inputs[names.vw] = m.vw;
      if (layer.bias && m.mb && m.vb) {
        inputs[names.b] = layer.bias;
        inputs[names.mb] = m.mb;
        inputs[names.vb] = m.vb;
      }
    });
    let loss: Scalar | null = null;
    tf.tidy(() => {
      const out = tf.engine().runKernel(DENSE_STEP_KERNEL, inputs, attrs as unknown as Record<string, never>) as Tensor[];
      let k = 0;
      const next = (): Tensor => out[k++] as Tensor;
      this.plan.layers.forEach((layer, i) => {
        const m = this.moments[i] as Moments;
        layer.kernel.assign(next());
        m.mw.assign(next());
        m.vw.assign(next());
        if (layer.bias && m.mb && m.vb) {
          layer.bias.assign(next());
          m.mb.assign(next());
          m.vb.assign(next());
        }
      });
      if (withLoss) loss = tf.keep(next() as Scalar);
    });
    return loss;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tf.dispose(this.moments.flatMap((m) => [m.mw, m.vw, ...(m.mb ? [m.mb] : []), ...(m.vb ? [m.vb] : [])]));
  }
}
