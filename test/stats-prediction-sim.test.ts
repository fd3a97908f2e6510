/**
 * Seeded simulation of the prediction intervals: data drawn from known laws (time ∝ n^1.1, throughput
 * following the USL) with 5% multiplicative noise, 5 repetitions per point. Nominal 95% intervals for
 * one new measurement must cover it in 90–98% of 500 simulations, at 2x and 4x extrapolation in size,
 * in width, and in both at once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createPredictionKit, fitUsl, lawUncertainty, median, powerLawTheta, seededRandom, tQuantileTable, uslThroughput, type FittedLaw, type ReplicatedPoint } from '../src/stats/index.js';

const kit = createPredictionKit();
const table = tQuantileTable(0.95);
const NOISE = 0.05;
const REPS = 5;
const SIZES = [1000, 2000, 4000, 8000];
const WIDTHS = [1, 2, 4, 8];
const TRUE_USL = { sigma: 0.03, kappa: 0.0005, lambda: 5000 };
const trueTime = (n: number) => 2e-3 * n ** 1.1;

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function replicated(x: number, truth: number, random: () => number): ReplicatedPoint {
  const raw = Array.from({ length: REPS }, () => truth * Math.exp(NOISE * normal(random)));
  return { x, centre: Math.log(median(raw)), values: raw.map(Math.log) };
}

interface Simulation {
  sizeLaw: FittedLaw;
  widthLaw: FittedLaw;
}

function simulate(seed: number): Simulation {
  const random = seededRandom(seed);
  const sizePoints = SIZES.map((n) => replicated(n, trueTime(n), random));
  const widthPoints = WIDTHS.map((w) => replicated(w, uslThroughput(TRUE_USL, w), random));
  const usl = fitUsl(widthPoints.map((p) => ({ workers: p.x, throughput: Math.exp(p.centre) })));
  if ('unavailable' in usl) throw new Error(usl.unavailable);
  const sizeLaw = lawUncertainty('power', powerLawTheta(sizePoints)!, sizePoints)!;
  const widthLaw = lawUncertainty('usl', [Math.log(usl.lambda), usl.sigma, usl.kappa], widthPoints)!;
  return { sizeLaw, widthLaw };
}

/** log of the predicted wall time of a job-parallel cell at (n, w): t(n,1)·w/S(w). */
function predictWall({ sizeLaw, widthLaw }: Simulation, n: number, w: number) {
  const base = kit.predictLog(sizeLaw, n, { newObservation: true });
  if (w === 1) return kit.interval(base, table);
  const speedup = kit.predictLog(widthLaw, w, { reference: 1, newObservation: false });
  return kit.interval(kit.addLog([{ sign: 1, prediction: base }, { sign: -1, prediction: speedup }], Math.log(w)), table);
}

const trueWall = (n: number, w: number) => (trueTime(n) * w * TRUE_USL.lambda) / uslThroughput(TRUE_USL, w);

describe('prediction intervals: 500 seeded simulations with 5% noise', () => {
  const cases = [
    { name: 'size 2x', n: 16_000, w: 1 },
    { name: 'size 4x', n: 32_000, w: 1 },
    { name: 'width 2x', n: 8000, w: 16 },
    { name: 'width 4x', n: 8000, w: 32 },
    { name: 'size and width 2x', n: 16_000, w: 16 },
    { name: 'size and width 4x', n: 32_000, w: 32 },
  ];
  const hits = new Map(cases.map((c) => [c.name, 0]));
  const SIMULATIONS = 500;
  beforeAll(() => {
    const random = seededRandom(2024);
    for (let seed = 1; seed <= SIMULATIONS; seed++) {
      const sim = simulate(seed);
      for (const c of cases) {
        const truth = trueWall(c.n, c.w) * Math.exp(NOISE * normal(random));
        const p = predictWall(sim, c.n, c.w);
        if (p.low !== null && p.high !== null && p.low <= truth && truth <= p.high) hits.set(c.name, hits.get(c.name)! + 1);
      }
    }
  }, 120_000);
  for (const c of cases) {
    it(`covers a new measurement at ${c.name} in 90-98% of simulations`, () => {
      const coverage = hits.get(c.name)! / SIMULATIONS;
      expect(coverage, `${c.name}: coverage ${coverage}`).toBeGreaterThanOrEqual(0.9);
      expect(coverage, `${c.name}: coverage ${coverage}`).toBeLessThanOrEqual(0.98);
    });
  }
});
