/**
 * --workers auto: the width that minimises the predicted time per job t(n,1)/S(w) (one model in
 * job-parallel mode, the shared job otherwise), or, when a narrower width is within 10% of that
 * time, the one of those that uses the fewest worker-seconds (w · time per job): the last 10% of
 * speed is rarely worth the extra workers.
 */
import type { PredictionModel, WorkersChoice } from './schema.js';
import { formatMs } from '../config/format.js';
import { EXTRAPOLATION_LIMITS } from './evaluate.js';
import { evaluator, predictionTable } from './evaluator.js';

/** A width whose time per job is within this fraction of the fastest counts as just as fast. */
export const WITHIN_FASTEST = 0.1;

/** Candidate widths: 1 up to the warning limit of extrapolation (2x the widest measured), or the refusal limit with --force. */
export function candidateWidths(model: PredictionModel, force: boolean): number[] {
  const widest = Math.max(...model.widths);
  const limit = Math.floor(widest * (force ? EXTRAPOLATION_LIMITS.refuseWidth : EXTRAPOLATION_LIMITS.warnWidth));
  return Array.from({ length: Math.max(1, limit) }, (_, i) => i + 1);
}

export function chooseWorkers(model: PredictionModel, size: number, force: boolean): WorkersChoice | string {
  const candidates = candidateWidths(model, force).flatMap((workers) => {
    const p = evaluator.predict(model, size, workers, predictionTable());
    return p.timePerJobMs ? [{ workers, timePerJobMs: p.timePerJobMs, workerSeconds: (workers * p.timePerJobMs.estimate) / 1000 }] : [];
  });
  if (candidates.length === 0) return 'no width could be predicted (see the warnings of a plain prediction)';
  const fastest = candidates.reduce((best, c) => (c.timePerJobMs.estimate < best.timePerJobMs.estimate ? c : best));
  const close = candidates.filter((c) => c.timePerJobMs.estimate <= fastest.timePerJobMs.estimate * (1 + WITHIN_FASTEST));
  const chosen = close.reduce((best, c) => (c.workerSeconds < best.workerSeconds ? c : best));
  const unit = model.replicaPerWorker ? 'time per model' : 'time';
  const widest = Math.max(...model.widths);
  const range = `widths 1..${candidates[candidates.length - 1]!.workers} (up to ${force ? EXTRAPOLATION_LIMITS.refuseWidth : EXTRAPOLATION_LIMITS.warnWidth}x the widest measured, ${widest})`;
  let reason: string;
  if (chosen.workers === fastest.workers) {
    reason = `w=${fastest.workers} has the least predicted ${unit} (${formatMs(fastest.timePerJobMs.estimate)}) of ${range}; no narrower width is within ${WITHIN_FASTEST * 100}% of it`;
  } else {
    const saving = 1 - chosen.workerSeconds / fastest.workerSeconds;
    reason =
      `w=${fastest.workers} is fastest (${formatMs(fastest.timePerJobMs.estimate)} ${unit}) of ${range}, but w=${chosen.workers} is within ${WITHIN_FASTEST * 100}% ` +
      `(${formatMs(chosen.timePerJobMs.estimate)}) and uses ${Math.round(saving * 100)}% fewer worker-seconds`;
  }
  if (chosen.workers > model.cores) reason += `; this assumes a machine with at least ${chosen.workers} cores (the measuring one had ${model.cores})`;
  return { model: model.model, dataset: model.dataset, mode: model.mode, variant: model.variant, size, fastest: fastest.workers, chosen: chosen.workers, candidates, reason };
}
