/**
 * --budget: the largest n whose predicted wall time fits the budget, per width. The estimate solves
 * t̂(n) = budget; the interval's low end solves high(n) = budget (even a slow run fits) and its high
 * end low(n) = budget. Time grows with n, so bisection on ln n finds each.
 */
import type { BudgetAnswer, PredictionModel } from './schema.js';
import { evaluator, predictionTable } from './evaluator.js';

const MAX_SIZE = 1e12;

type End = 'estimate' | 'low' | 'high';

function wallAt(model: PredictionModel, size: number, workers: number, end: End): number | null {
  const wall = evaluator.predict(model, size, workers, predictionTable()).wallMs;
  return wall ? wall[end] : null;
}

/** Largest n in [1, MAX_SIZE] with wall(n) <= budget at the given end of the interval; null when even n = 1 does not fit. */
function largestSize(model: PredictionModel, workers: number, budgetMs: number, end: End): number | null {
  const at = (n: number) => wallAt(model, n, workers, end);
  const first = at(1);
  if (first === null || first > budgetMs) return null;
  if ((at(MAX_SIZE) ?? Infinity) <= budgetMs) return MAX_SIZE;
  let low = 0;
  let high = Math.log(MAX_SIZE);
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if ((at(Math.exp(mid)) ?? Infinity) <= budgetMs) low = mid;
    else high = mid;
  }
  return Math.floor(Math.exp(low));
}

export function budgetAnswer(model: PredictionModel, workers: number, budgetMs: number): BudgetAnswer {
  const head = { model: model.model, dataset: model.dataset, mode: model.mode, variant: model.variant, workers, budgetMs };
  const probe = evaluator.predict(model, Math.max(...model.sizes), workers, predictionTable());
  if (!probe.wallMs || !probe.timeLaw) return { ...head, size: null, note: probe.warnings.join('; ') || 'no time law at this width' };
  if (!(probe.timeLaw.exponent > 0)) {
    return { ...head, size: null, note: `time does not grow with n here (t ∝ n^${probe.timeLaw.exponent.toFixed(2)}), so a time budget does not bound n` };
  }
  const estimate = largestSize(model, workers, budgetMs, 'estimate');
  if (estimate === null) return { ...head, size: null, note: 'even n = 1 is predicted to take longer than the budget' };
  const size = { estimate, low: largestSize(model, workers, budgetMs, 'high'), high: largestSize(model, workers, budgetMs, 'low') };
  const largest = Math.max(...model.sizes);
  const notes: string[] = [];
  if (estimate >= MAX_SIZE) notes.push(`beyond ${MAX_SIZE.toExponential(0)} samples`);
  if (estimate > 100 * largest) notes.push(`${Math.round(estimate / largest)}x the largest measured size: far beyond the data`);
  if (probe.warnings.some((w) => w.includes('cores'))) notes.push(`assumes a machine with at least ${workers} cores`);
  return { ...head, size, ...(notes.length ? { note: notes.join('; ') } : {}) };
}
