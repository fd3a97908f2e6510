/** Training to a target: the evaluation schedule and stopping rule (pure), and the loop on real tfjs (wasm) with tiny data. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type Tf } from '../src/backends/index.js';
import { BUILTIN_MODELS } from '../src/models/catalog.js';
import { prepareData, type TrainData } from '../src/models/data.js';
import { EvaluationSchedule, repetitionSeed, trialConvergence, type ConvergenceRecord } from '../src/models/schedule.js';
import { trainToTarget } from '../src/models/train-to-target.js';

const settings = { evalEvery: 0.25, maxEpochs: 4 };

describe('EvaluationSchedule', () => {
  it('evaluates every --eval-every epochs (at least one step) and at the last step', () => {
    const s = new EvaluationSchedule(10, settings, undefined);
    expect(s.stepsPerEvaluation).toBe(3); // round(0.25 * 10)
    expect(s.maxSteps).toBe(40);
    expect([1, 2, 3, 6, 38, 40].map((k) => s.evaluatesAfter(k))).toEqual([false, false, true, true, false, true]);
    expect(new EvaluationSchedule(2, settings, undefined).stepsPerEvaluation).toBe(1);
  });

  it('stops at the first evaluation that reaches the target, with the training time and epochs at that point', () => {
    const s = new EvaluationSchedule(8, settings, { metric: 'accuracy', value: 0.8 });
    expect(s.record(2, 10, 0.5, 1)).toBe(false);
    expect(s.record(4, 20, 0.79, 1)).toBe(false);
    expect(s.record(6, 30, 0.81, 1)).toBe(true);
    expect(s.result()).toEqual({
      converged: true,
      timeToTargetMs: 30,
      epochsToTarget: 0.75,
      epochsTrained: 0.75,
      steps: 6,
      evaluations: 3,
      evalMs: 3,
      stopReason: 'target',
      finalQuality: 0.81,
      bestQuality: 0.81,
    });
  });

  it('with --patience trains on past the target until it stops improving, keeping when it first got there', () => {
    const s = new EvaluationSchedule(4, { ...settings, patience: 2 }, { metric: 'r2', value: 0.5 });
    const qualities = [0.4, 0.6, 0.7, 0.69, 0.7];
    const stops = qualities.map((q, i) => s.record(i + 1, (i + 1) * 10, q, 0));
    expect(stops).toEqual([false, false, false, false, true]);
    expect(s.result()).toMatchObject({ converged: true, timeToTargetMs: 20, epochsToTarget: 0.5, epochsTrained: 1.25, stopReason: 'patience', finalQuality: 0.7, bestQuality: 0.7 });
  });

  it('stops at --max-epochs without the target, unconverged', () => {
    const s = new EvaluationSchedule(2, { evalEvery: 1, maxEpochs: 2 }, { metric: 'accuracy', value: 0.9 });
    expect(s.record(2, 5, 0.5, 0)).toBe(false);
    expect(s.record(4, 10, 0.6, 0)).toBe(true);
    const r = s.result();
    expect(r).toMatchObject({ converged: false, stopReason: 'max-epochs', epochsTrained: 2 });
    expect(r.timeToTargetMs).toBeUndefined();
  });
});

describe('repetition seeds and replicas', () => {
  it('repetition 0 keeps the run seed; later repetitions get distinct valid seeds', () => {
    expect(repetitionSeed(42, 0)).toBe(42);
    expect(repetitionSeed(42, -1)).toBe(42);
    const seeds = [0, 1, 2, 3, 4, 5].map((r) => repetitionSeed(42, r));
    expect(new Set(seeds).size).toBe(6);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
  });

  it('a job of w replicas reaches the target when the last replica does', () => {
    const rec = (t: number, converged = true): ConvergenceRecord => ({
      converged,
      ...(converged ? { timeToTargetMs: t, epochsToTarget: 2 } : {}),
      epochsTrained: 2,
      steps: 8,
      evaluations: 8,
      evalMs: 1,
      stopReason: converged ? 'target' : 'max-epochs',
      finalQuality: 0.9,
      bestQuality: 0.9,
    });
    expect(trialConvergence([rec(10), rec(30), rec(20)], 7)).toMatchObject({ converged: true, timeToTargetMs: 30, epochsToTarget: 2, seed: 7 });
    const missed = trialConvergence([rec(10), rec(0, false)], 7);
    expect(missed.converged).toBe(false);
    expect(missed.timeToTargetMs).toBeUndefined();
  });
});

let tf: Tf;
beforeAll(async () => {
  tf = (await initBackend('wasm', { stockKernels: false, threads: 1 })).tf;
});

/** y = 3·x0 − 2·x1 + 0.5 + small noise, deterministic. */
function linearData(n: number, nTest: number, features = 4): TrainData {
  let s = 1;
  const r = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
  const x = new Float32Array(n * features).map(() => r());
  const y = new Float32Array(n).map((_, i) => 3 * (x[i * features] as number) - 2 * (x[i * features + 1] as number) + 0.5 + 0.01 * r());
  return { x, y, nTrain: n - nTest, nTest, spec: { name: 'lin', generator: 'regression', task: 'regression', features, classes: 1 } };
}

describe('trainToTarget (real tfjs)', () => {
  const config = { batchSize: 64, learningRate: 0.05, seed: 3 };

  it('stops at the first evaluation that reaches the target; evaluation time is kept apart from training time', async () => {
    const data = prepareData(tf, linearData(1200, 200));
    const model = BUILTIN_MODELS.linear.build(tf, data.spec, 1);
    data.batches(64);
    const tensorsBefore = tf.memory().numTensors;
    const started = performance.now();
    const out = await trainToTarget(tf, model, data, { ...config, convergence: { evalEvery: 0.25, maxEpochs: 50 }, target: { metric: 'r2', value: 0.9 } });
    const elapsed = performance.now() - started;
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.dispose();
    data.dispose();
    const c = out.convergence;
    expect(c.converged).toBe(true);
    expect(c.stopReason).toBe('target');
    expect(out.quality.value).toBeGreaterThanOrEqual(0.9);
    expect(c.epochsToTarget).toBe(c.epochsTrained);
    expect(c.epochsToTarget! * 16 % 4).toBe(0); // evaluated every 4 of the 16 steps of an epoch
    expect(c.timeToTargetMs).toBe(out.trainMs);
    expect(c.evalMs).toBeGreaterThan(0);
    expect(out.trainMs + c.evalMs).toBeLessThanOrEqual(elapsed);
  });

  it('a target it cannot reach ends at --max-epochs, unconverged; --patience stops it sooner', async () => {
    const data = prepareData(tf, linearData(600, 100));
    const unreachable = { metric: 'r2' as const, value: 0.999999 };
    const model = BUILTIN_MODELS.linear.build(tf, data.spec, 1);
    const capped = await trainToTarget(tf, model, data, { ...config, convergence: { evalEvery: 0.5, maxEpochs: 3 }, target: unreachable });
    model.dispose();
    expect(capped.convergence).toMatchObject({ converged: false, stopReason: 'max-epochs', epochsTrained: 3 });
    const patient = BUILTIN_MODELS.linear.build(tf, data.spec, 1);
    const early = await trainToTarget(tf, patient, data, { ...config, convergence: { evalEvery: 0.25, maxEpochs: 500, patience: 3 }, target: unreachable });
    patient.dispose();
    data.dispose();
    expect(early.convergence.stopReason).toBe('patience');
    expect(early.convergence.epochsTrained).toBeLessThan(500);
  });
});
