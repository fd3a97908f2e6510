/** The analysis of quality on hand-built results: same-budget comparisons, budgets and the gate on time to target, old files, chart specs. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyse } from '../src/analyse/index.js';
import { parseBudget, evaluateBudget } from '../src/gate/budgets.js';
import { compare } from '../src/gate/compare.js';
import { readRunResult } from '../src/results/file.js';
import { learningCurveChart } from '../src/report/html/quality-charts.js';
import { panelConfig } from '../src/report/html/chartjs-config.js';
import { makeRunResult } from './helpers/run-result.js';
import type { TrialResult } from '../src/results/schema.js';

describe('"faster but worse" compares equal budgets only', () => {
  const cells = (stepsAtW2: number) =>
    makeRunResult([
      { size: 4000, workers: 1, mode: 'data-parallel', scaling: 'weak', wallMs: [200, 200, 200], quality: 0.9, trialOverrides: [0, 1, 2].map(() => ({ steps: 16 })) },
      { size: 4000, workers: 2, mode: 'data-parallel', scaling: 'weak', wallMs: [100, 100, 100], quality: 0.8, trialOverrides: [0, 1, 2].map(() => ({ steps: stepsAtW2 })) },
    ]);

  it('flags a faster configuration that trained as many steps and reached worse quality', () => {
    expect(analyse(cells(16)).qualityFlags).toHaveLength(1);
  });

  it('does not flag one that trained fewer steps (a larger global batch): the budget, not the configuration, made it worse', () => {
    expect(analyse(cells(8)).qualityFlags).toEqual([]);
  });
});

describe('budgets and the gate accept time to target', () => {
  const trained = (times: number[], converged = true): Array<Partial<TrialResult>> =>
    times.map((t) => ({ converged, ...(converged ? { timeToTargetMs: t, epochsToTarget: 3 } : {}), epochsTrained: 3, evalMs: 5, evaluations: 12, stopReason: converged ? 'target' : 'max-epochs' }));
  const run = (times: number[], converged = true) =>
    makeRunResult([{ size: 4000, workers: 1, wallMs: times, trialOverrides: trained(times, converged) }], {
      plan: { convergence: { targets: [{ metric: 'accuracy', value: 0.8 }], evalEvery: 0.25, maxEpochs: 50 } },
    });

  it('parses timeToTarget@n=4k<=2s', () => {
    expect(parseBudget('timeToTarget@n=4k<=2s')).toMatchObject({ metric: 'timeToTarget', size: 4000, op: '<=', limit: 2000 });
    expect(parseBudget('mlp-small.timeToTargetExponent<=1.2')).toMatchObject({ metric: 'timeToTargetExponent', model: 'mlp-small' });
  });

  it('checks the median time to target; a cell that never reached it fails an upper bound', () => {
    const ok = analyse(run([900, 1000, 1100, 1200, 1300]));
    expect(evaluateBudget(parseBudget('timeToTarget@n=4k<=2s'), ok)).toMatchObject({ passed: true, measured: 1100 });
    // The median's interval over 5 repetitions is [900, 1300] ms: it straddles 1 s (too noisy to judge), and lies wholly above 0.8 s.
    expect(evaluateBudget(parseBudget('timeToTarget@n=4k<=1s'), ok)).toMatchObject({ passed: true, verdict: 'inconclusive' });
    expect(evaluateBudget(parseBudget('timeToTarget@n=4k<=0.8s'), ok)).toMatchObject({ passed: false, verdict: 'failed' });
    const never = analyse(run([900, 1000, 1100], false));
    expect(evaluateBudget(parseBudget('timeToTarget@n=4k<=2s'), never)).toMatchObject({ passed: false, measured: null });
  });

  it('the gate compares time to target cell by cell and calls a 2x slower one a regression', () => {
    const base = run([1000, 1010, 990, 1005, 995, 1002]);
    const slow = run([2000, 2010, 1990, 2005, 1995, 2002]);
    const metric = compare(base, slow).metrics.find((m) => m.metric === 'timeToTargetMs');
    expect(metric).toMatchObject({ verdict: 'regressed' });
  });
});

describe('old results files', () => {
  it('parse and analyse: the budget comes from the plan, nothing is trained to a target', async () => {
    const result = await readRunResult('fixtures/baselines/baseline.json');
    const analysis = analyse(result);
    const cell = analysis.cells[0]!;
    expect(cell.budget).toMatchObject({ kind: 'fixed', epochs: result.plan.training.epochs });
    expect(cell.budget?.kind === 'fixed' && cell.budget.steps).toBe(result.plan.training.epochs * Math.ceil(cell.cell.size / result.plan.training.batchSize));
    expect(cell.timeToTarget).toBeUndefined();
    expect(analysis.learningCurves).toBeUndefined();
    expect(JSON.parse(readFileSync('fixtures/baselines/baseline.json', 'utf8')).cells[0].idealQuality).toBeUndefined();
  });
});

describe('learning-curve chart', () => {
  it('draws the points, the fit, a shaded 95% band and the ideal', () => {
    const sizes = [500, 1000, 2000, 4000, 8000, 16000];
    const result = makeRunResult(
      sizes.map((size) => ({ size, quality: 1 - (2 * size ** -0.3 + 0.05), trialOverrides: [0, 1, 2, 3, 4].map(() => ({ converged: false, epochsTrained: 5, evalMs: 1, evaluations: 20, stopReason: 'patience' as const })) })),
      { plan: { convergence: { targets: [], evalEvery: 0.25, maxEpochs: 50, patience: 4 } } },
    );
    result.cells.forEach((c, i) => {
      const noisy = 1 - (2 * sizes[i]! ** -0.3 + 0.05) * (1 + 0.01 * ((i % 3) - 1));
      c.trials.forEach((t) => (t.quality = { metric: 'accuracy', value: noisy }));
      c.idealQuality = { metric: 'accuracy', value: 0.96, standardError: 0.001, method: 'simulation', samples: 20000, basis: 'test' };
    });
    const analysis = analyse(result);
    expect(analysis.learningCurves![0]!.verdict).toBe('power-law');
    const spec = learningCurveChart({ runs: [{ result, analysis }] });
    expect(spec.panels).toHaveLength(1);
    const panel = spec.panels[0]!;
    // The ideal is the panel's grey reference; the width's points, fit and band follow it.
    expect(panel.series.map((s) => s.role)).toEqual(['ideal', 'measured', 'fit', 'band-high', 'band-low']);
    expect(panel.series.find((s) => s.role === 'ideal')!.points[0]!.y).toBeCloseTo(0.96, 6);
    expect(panel.note).toMatch(/^error ∝ n\^-0\.\d\d \+ 0\.\d{3} at w=1$/);
    // The upper edge of the band fills down to the lower edge.
    const config = panelConfig(spec, panel, 'png');
    expect(config.data.datasets.map((d) => d.fill)).toEqual([false, false, false, '+1', false]);
  });
});
