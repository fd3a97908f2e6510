/** Splitting a plan into shards: parsing, cost balance, determinism, run ids. */
import { describe, expect, it } from 'vitest';
import type { Cell } from '../src/results/schema.js';
import { buildPlan } from '../src/plan/build.js';
import { UsageError } from '../src/config/errors.js';
import {
  applyShard,
  assignShards,
  estimatedCellCostUs,
  parseRunId,
  parseShard,
  shardCells,
  shardRunId,
  sweepRunId,
} from '../src/plan/shard.js';

function cell(id: string): Cell {
  return { id, model: 'linear', dataset: 'regression', size: 1000, workers: 1, mode: 'job-parallel' };
}

describe('parseShard', () => {
  it('reads i/n, 1-based, with optional spaces', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });

  it('rejects malformed and out-of-range shards, naming the flag', () => {
    for (const text of ['', '2', '2/', '/4', 'a/b', '1.5/4', '-1/4', '2of4']) {
      expect(() => parseShard(text), text).toThrow(/--shard: .* is not of the form i\/n/);
    }
    expect(() => parseShard('0/4')).toThrow(/shard 0 of 4 does not exist; shards are numbered 1 to 4/);
    expect(() => parseShard('5/4')).toThrow(/shard 5 of 4 does not exist/);
    expect(() => parseShard('1/0')).toThrow(/0 shards is out of range/);
    expect(() => parseShard('1/1001')).toThrow(UsageError);
  });
});

describe('parseRunId', () => {
  it('accepts folder-safe ids and rejects the rest', () => {
    expect(parseRunId('nightly-42_a.b')).toBe('nightly-42_a.b');
    for (const bad of ['', 'a/b', '../x', 'a b', 'x'.repeat(101)]) expect(() => parseRunId(bad), bad).toThrow(/--run-id: .* cannot be a run id/);
  });
});

describe('assignShards', () => {
  it('deals the costliest cell first to the least-loaded shard (hand-computed LPT)', () => {
    const costs: Record<string, number> = { a: 10, b: 9, c: 8, d: 7, e: 6, f: 5 };
    const cells = Object.keys(costs).map(cell);
    const assignment = assignShards(cells, 2, (c) => costs[c.id]!);
    // 10->0; 9->1; 8->1 (17); 7->0 (17); tie 17/17 -> shard 0 gets 6 (23); 5->1 (22).
    expect(Object.fromEntries(assignment)).toEqual({ a: 0, b: 1, c: 1, d: 0, e: 0, f: 1 });
  });

  it('breaks cost ties by id, so the order of the cells does not matter', () => {
    const cells = ['x', 'b', 'm', 'a', 'q', 'c', 'z'].map(cell);
    const reversed = [...cells].reverse();
    const shuffled = [cells[3]!, cells[0]!, cells[6]!, cells[1]!, cells[5]!, cells[2]!, cells[4]!];
    const one = assignShards(cells, 3, () => 1);
    expect(assignShards(reversed, 3, () => 1)).toEqual(one);
    expect(assignShards(shuffled, 3, () => 1)).toEqual(one);
    // Equal costs in id order: a b c m q x z -> 0 1 2 0 1 2 0.
    expect(Object.fromEntries(one)).toEqual({ a: 0, b: 1, c: 2, m: 0, q: 1, x: 2, z: 0 });
  });

  it('with one shard puts everything in it', () => {
    const assignment = assignShards(['a', 'b'].map(cell), 1, () => 3);
    expect([...assignment.values()]).toEqual([0, 0]);
  });
});

describe('shardCells on a real plan', () => {
  const options = { models: ['linear', 'logistic', 'mlp-small', 'mlp-deep', 'cnn-small'], sizes: [1000, 4000, 16000, 64000], workers: [1, 2, 3] };

  it('partitions the plan: every cell in exactly one shard, each shard in plan order', () => {
    const plan = buildPlan(options, 2);
    const shards = [1, 2, 3, 4].map((index) => shardCells(plan, { index, count: 4 }));
    const ids = shards.flat().map((c) => c.id);
    expect(ids).toHaveLength(plan.cells.length);
    expect(new Set(ids)).toEqual(new Set(plan.cells.map((c) => c.id)));
    const position = new Map(plan.cells.map((c, i) => [c.id, i]));
    for (const shard of shards) {
      const positions = shard.map((c) => position.get(c.id)!);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });

  it('balances estimated cost to within the largest cell', () => {
    const plan = buildPlan(options, 2);
    const cost = (c: Cell) => estimatedCellCostUs(c, plan);
    const loads = [1, 2, 3, 4].map((index) => shardCells(plan, { index, count: 4 }).reduce((sum, c) => sum + cost(c), 0));
    const largest = Math.max(...plan.cells.map(cost));
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(largest);
    // Far better than cutting the plan into 4 consecutive runs, where one shard gets all of mlp-deep.
    const total = loads.reduce((a, b) => a + b, 0);
    expect(Math.max(...loads) / (total / 4)).toBeLessThan(1.5);
  });

  it('does not depend on the machine: same cells for any core count when widths are given', () => {
    const onTwo = buildPlan(options, 2);
    const onSixtyFour = buildPlan(options, 64);
    for (const index of [1, 2, 3, 4]) {
      expect(shardCells(onSixtyFour, { index, count: 4 })).toEqual(shardCells(onTwo, { index, count: 4 }));
    }
  });

  it('estimates cost from samples x width x trials x model speed', () => {
    const plan = buildPlan({ models: ['mlp-deep'], sizes: [1000], workers: [2], repeats: 5, warmup: 1 }, 2);
    // 6 trials x (1000 samples x 2 workers x 1 epoch x 70 us + 20,000 us overhead).
    expect(estimatedCellCostUs(plan.cells[0]!, plan)).toBe(6 * (1000 * 2 * 70 + 20_000));
  });

  it('costs data-parallel cells by one shared pass (w passes under weak scaling) and inference cells by seconds of load', () => {
    const plan = { repeats: 2, warmup: 0, training: { epochs: 1, batchSize: 64, learningRate: 0.01, testFraction: 0.2 }, inference: { durationMs: 500 } };
    const base = { id: 'x', model: 'mlp-small', dataset: 'classification', size: 1000, workers: 4 };
    expect(estimatedCellCostUs({ ...base, mode: 'data-parallel', scaling: 'strong' }, plan)).toBe(2 * (1000 * 7 + 20_000));
    expect(estimatedCellCostUs({ ...base, mode: 'data-parallel', scaling: 'weak' }, plan)).toBe(2 * (4 * 1000 * 7 + 20_000));
    expect(estimatedCellCostUs({ ...base, mode: 'inference', concurrency: 8 }, plan)).toBe(2 * (500_000 * 4 + 20_000));
  });
});

describe('applyShard / buildPlan --shard', () => {
  const options = { quick: true, workers: [1, 2] };

  it('keeps the whole plan in ShardInfo and gives every shard its own run id under one sweep id', () => {
    const whole = buildPlan(options, 2);
    const shard = buildPlan({ ...options, shard: { index: 2, count: 3 } }, 2);
    expect(shard.shard?.plannedCells).toEqual(whole.cells);
    expect(shard.shard?.index).toBe(2);
    expect(shard.shard?.count).toBe(3);
    const derived = sweepRunId(whole);
    expect(derived).toMatch(/^sweep-[0-9a-f]{10}$/);
    expect(shard.shard?.sweepRunId).toBe(derived);
    expect(shard.runId).toBe(`${derived}-shard2of3`);
    expect(shard.cells.length).toBeGreaterThan(0);
    expect(shard.cells.length).toBeLessThan(whole.cells.length);
  });

  it('derives the same sweep id on every machine and a different one for a different sweep', () => {
    const a = buildPlan({ ...options, shard: { index: 1, count: 2 } }, 2);
    const b = buildPlan({ ...options, shard: { index: 2, count: 2 } }, 8);
    expect(a.shard?.sweepRunId).toBe(b.shard?.sweepRunId);
    const other = buildPlan({ ...options, seed: 7, shard: { index: 1, count: 2 } }, 2);
    expect(other.shard?.sweepRunId).not.toBe(a.shard?.sweepRunId);
  });

  it('uses --run-id as the sweep id', () => {
    const plan = buildPlan({ ...options, runId: 'nightly-7', shard: { index: 4, count: 4 } }, 2);
    expect(plan.runId).toBe(shardRunId('nightly-7', { index: 4, count: 4 }));
    expect(plan.runId).toBe('nightly-7-shard4of4');
    expect(plan.shard?.sweepRunId).toBe('nightly-7');
  });

  it('refuses more shards than cells, and leaves unsharded plans alone', () => {
    const tiny = { models: ['linear'], sizes: [1000], workers: [1, 2] };
    expect(() => buildPlan({ ...tiny, shard: { index: 1, count: 3 } }, 2)).toThrow(/--shard 1\/3: the sweep has only 2 cells.*at most 2 shards/);
    const plan = buildPlan(tiny, 2);
    expect(applyShard(plan, undefined)).toBe(plan);
    expect(plan.shard).toBeUndefined();
  });
});
