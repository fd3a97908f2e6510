import { describe, expect, it } from 'vitest';
import { buildPlan, cellId } from '../src/plan/build.js';
import { defaultWidths } from '../src/config/defaults.js';
import { parseCount, parseCountList, parseInteger, parseNumber } from '../src/config/parse.js';
import { UsageError } from '../src/config/errors.js';

describe('flag parsing', () => {
  it('reads counts with k and m suffixes', () => {
    expect(parseCountList('1k,4k,16000,1.5k,2m', '--sizes')).toEqual([1000, 4000, 16000, 1500, 2_000_000]);
  });

  it('names the flag and shows an example on bad input', () => {
    expect(() => parseCount('ten', '--sizes')).toThrow(/--sizes: "ten" is not a count.*--sizes 1k,4k,16k/);
    expect(() => parseCount('1.0005k', '--sizes')).toThrow(/not a whole number/);
    expect(() => parseInteger('0', '--repeats', 1, 1000)).toThrow(/--repeats: "0" must be a whole number from 1 to 1000/);
    expect(() => parseNumber('1', '--holdout', 0, 1, true)).toThrow(/--holdout.*between 0 and 1/);
    expect(() => parseNumber('', '--holdout', 0, 1, true)).toThrow(UsageError);
  });
});

describe('default widths', () => {
  it('covers 1..cores and never oversubscribes unless asked', () => {
    expect(defaultWidths(1)).toEqual([1]);
    expect(defaultWidths(2)).toEqual([1, 2]);
    expect(defaultWidths(6)).toEqual([1, 2, 4, 6]);
    expect(defaultWidths(8)).toEqual([1, 2, 4, 8]);
    for (const cores of [1, 2, 3, 5, 16]) expect(Math.max(...defaultWidths(cores))).toBe(cores);
  });

  it('measures an oversubscribed width when --workers asks for it', () => {
    const plan = buildPlan({ models: ['linear'], sizes: [1000], workers: [1, 2, 3], out: '.tmp/plan-test' }, 2);
    expect(plan.cells.map((cell) => cell.workers)).toEqual([1, 2, 3]);
  });
});

describe('buildPlan', () => {
  it('makes one cell per model x size x width with unique ids', () => {
    const plan = buildPlan({ models: ['linear', 'mlp-small'], sizes: [4000, 1000], workers: [2, 1], out: '.tmp/plan-test' }, 2);
    expect(plan.cells).toHaveLength(2 * 2 * 2);
    expect(new Set(plan.cells.map((cell) => cell.id)).size).toBe(plan.cells.length);
    expect(plan.cells.map((cell) => cell.size)).toEqual([1000, 1000, 4000, 4000, 1000, 1000, 4000, 4000]);
    expect(plan.cells[0]!.id).toBe(cellId({ model: 'linear', dataset: 'regression', size: 1000, workers: 1, mode: 'job-parallel' }));
    expect(plan.datasets.map((spec) => spec.name).sort()).toEqual(['classification', 'regression']);
  });

  it('uses the quick profile and the machine cores by default', () => {
    const plan = buildPlan({ quick: true, out: '.tmp/plan-test' }, 2);
    expect(new Set(plan.cells.map((cell) => cell.workers))).toEqual(new Set([1, 2]));
    expect(plan.repeats).toBeGreaterThanOrEqual(3);
    expect(plan.cores).toBe(2);
  });

  it('refuses unknown models, bad sizes and widths with the flag named', () => {
    expect(() => buildPlan({ models: ['gpt-5'] }, 2)).toThrow(/--models: unknown model "gpt-5".*linear/);
    expect(() => buildPlan({ sizes: [5] }, 2)).toThrow(/--sizes: 5 is out of range/);
    expect(() => buildPlan({ workers: [0] }, 2)).toThrow(/--workers: 0 is out of range/);
  });

  it('refuses a generator whose task does not fit the model', () => {
    expect(() => buildPlan({ models: ['linear'], generator: 'moons' }, 2)).toThrow(/--generator: model "linear" needs regression data/);
  });

  it('refuses an --out that is a file', () => {
    expect(() => buildPlan({ out: 'package.json' }, 2)).toThrow(/--out: package.json exists and is not a folder/);
  });
});
