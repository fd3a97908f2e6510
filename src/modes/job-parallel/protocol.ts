/** Messages between the job-parallel host (./host.ts) and its worker (./worker.ts). Plain data only. */
import type { ConvergenceSettings, ModelInfo, Quality } from '../../results/schema.js';
import type { ConvergenceRecord } from '../../models/schedule.js';
import type { BarrierBuffer } from '../../measure/barrier.js';
import type { CellTaskFields } from '../../measure/runner.js';
import type { TimedReply } from '../../measure/trial-timing.js';

export interface TrainTask extends CellTaskFields {
  kind: 'train';
  /** The cell's id, for error messages and fault injection in tests. */
  cellId: string;
  /** Key under which the worker caches the prepared tensors of this dataset between trials. */
  dataKey: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Warm-up trials train on at most this many samples; undefined = the full timed trial. */
  maxSamples?: number;
  /** Train to a target or to convergence instead of for `epochs` (plan.convergence); absent in warm-ups. */
  convergence?: Pick<ConvergenceSettings, 'evalEvery' | 'maxEpochs' | 'patience'>;
  /** The held-out quality this model's task is trained to, with `convergence`. */
  target?: Quality;
  barrier: BarrierBuffer;
  parties: number;
  barrierTimeoutMs: number;
}

export interface TrainReply extends TimedReply {
  kind: 'train';
  threadId: number;
  model: ModelInfo;
  /** Fingerprint of the freshly built model's weights. */
  initialWeightsChecksum: string;
  trainMs: number;
  samples: number;
  finalLoss: number;
  quality: Quality;
  /** When trained to a target: when it got there, how long it trained and evaluated. */
  convergence?: ConvergenceRecord;
}
