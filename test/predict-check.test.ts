/** benchmarks/predict-check.ts runs its four steps and reports both acceptance checks (with the instant fake runner). */
import { describe, expect, it } from 'vitest';
import { runPredictCheck, SWEEP_ARGS, CHECK_ARGS } from '../benchmarks/predict-check.js';

describe('predict-check benchmark', () => {
  it('sweeps, backtests, predicts 64k and checks the prediction against a separate 64k run', async () => {
    const result = await runPredictCheck({ runner: 'fake' });
    expect(result.commands).toHaveLength(4);
    expect(result.commands[0]).toContain(SWEEP_ARGS.join(' '));
    expect(result.commands[3]).toContain(CHECK_ARGS.join(' '));
    expect(result.models.map((m) => m.model).sort()).toEqual(['mlp-deep', 'mlp-small']);
    // The fake runner's time is linear in n with 2% noise: the power law extrapolates it well.
    expect(result.backtest.medianAbsErrorLargestSize!).toBeLessThan(0.15);
    expect(result.passed.backtest).toBe(true);
    for (const m of result.models) expect(m.predicted.low!).toBeLessThan(m.predicted.high!);
    expect(result.passed.contains64k).toBe(result.models.every((m) => m.inside));
  }, 120_000);
});
