/**
 * Worker thread entry of the custom model check (src/plan/custom-check.ts): imports one user module, builds
 * its model for each data set it runs on (cpu backend), and checks what the training would meet first.
 * Whatever the module does here (loop forever, call process.exit, never settle, exhaust memory) ends
 * this thread only; the main thread reports it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Scalar } from '@tensorflow/tfjs-core';
import { initBackend, type Tf } from '../backends/index.js';
import { InputError, UsageError, errorMessage } from '../config/errors.js';
import type { DatasetSpec, ModelInfo } from '../results/schema.js';
import { buildCustomModel } from './custom.js';
import { countModelFlops, type LayerLike } from './flops.js';
import { makeLoss } from './loss.js';

export interface CheckedCustomModel {
  name: string;
  dataset: string;
  info: ModelInfo;
  /** Layer types whose FLOPs were estimated as 2 per parameter. */
  estimated: string[];
}

/** What the check's worker thread is given (this module). */
export interface CheckRequest {
  /** `custom:<file name>`. */
  name: string;
  /** Absolute module path. */
  path: string;
  /** The module as the user knows it, for messages. */
  display: string;
  specs: DatasetSpec[];
  seed: number;
}

export type CheckReply = { ok: true; models: CheckedCustomModel[] } | { ok: false; message: string };

/** Rows of the batch the first loss is computed on. */
const FIRST_BATCH_ROWS = 32;

/**
 * The loss on one batch of seeded standard-normal inputs (classes round-robin, or zero targets), as
 * the first training step would compute it: finite weights and inputs must give a finite loss.
 */
function checkFirstLoss(tf: Tf, model: LayersModel, spec: DatasetSpec, seed: number, file: string): void {
  const value = tf.tidy(() => {
    const rows = FIRST_BATCH_ROWS;
    const x = tf.randomNormal([rows, spec.features], 0, 1, 'float32', seed);
    const y =
      spec.task === 'classification'
        ? tf.oneHot(tf.tensor1d(Array.from({ length: rows }, (_, i) => i % spec.classes), 'int32'), spec.classes).toFloat()
        : tf.zeros([rows, 1]);
    const loss = makeLoss(tf, model, spec)({ x, y, rows }, true) as Scalar;
    return loss.dataSync()[0]!;
  });
  if (!Number.isFinite(value)) {
    throw new InputError(
      file,
      `its loss on a first batch of ${FIRST_BATCH_ROWS} finite random rows is ${String(value)}: the model computes non-finite outputs from finite inputs and weights. ` +
        'Check its layers (a division, log or sqrt of zero or a negative number, an exploding activation).',
    );
  }
}

async function check(request: CheckRequest): Promise<CheckedCustomModel[]> {
  const { tf } = await initBackend('cpu', { stockKernels: true, threads: 1 });
  const checked: CheckedCustomModel[] = [];
  for (const spec of request.specs) {
    const model = await buildCustomModel(tf, request.path, spec, request.seed, request.display);
    try {
      const counted = countModelFlops(model as unknown as { layers: LayerLike[] }, request.name);
      checkFirstLoss(tf, model, spec, request.seed, request.display);
      checked.push({ name: request.name, dataset: spec.name, info: counted.info, estimated: counted.estimated });
    } finally {
      model.dispose();
    }
  }
  return checked;
}

const port = parentPort;
if (port) {
  check(workerData as CheckRequest).then(
    (models) => port.postMessage({ ok: true, models } satisfies CheckReply),
    (error: unknown) => {
      const request = workerData as CheckRequest;
      const message = error instanceof UsageError ? error.message : `${request.display}: building the model failed: ${errorMessage(error)}`;
      port.postMessage({ ok: false, message } satisfies CheckReply);
    },
  );
}
