/** Planning on a user's file: default and refused sizes, default models, custom models, notes. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildPlan } from '../src/plan/build.js';
import { planRun } from '../src/plan/prepare.js';
import { maxTrainingSize, rowsNeeded } from '../src/plan/user-data.js';
import { loadDataFile } from '../src/data/load.js';

const IRIS = resolve('fixtures/data/iris.csv');
const TINY = resolve('fixtures/models/tiny-mlp.js');
const OUT = '.tmp/plan-test';

describe('sizes a file allows', () => {
  it('is the largest n with n + held-out rows <= rows', () => {
    // heldOutRows(n, 0.2) = max(1, round(0.2 n)).
    expect(maxTrainingSize(150, 0.2)).toBe(125);
    expect(rowsNeeded(125, 0.2)).toBe(150);
    expect(rowsNeeded(126, 0.2)).toBe(151);
    expect(maxTrainingSize(12, 0.2)).toBe(10);
    expect(maxTrainingSize(11, 0.2)).toBe(9);
    expect(maxTrainingSize(1, 0.2)).toBe(0);
    expect(maxTrainingSize(1000, 0.5)).toBe(666); // 667 + round(333.5) = 1001
    for (const rows of [2, 13, 99, 1000, 12345]) {
      for (const f of [0.1, 0.2, 0.33]) {
        const max = maxTrainingSize(rows, f);
        expect(rowsNeeded(max, f)).toBeLessThanOrEqual(rows);
        expect(rowsNeeded(max + 1, f)).toBeGreaterThan(rows);
      }
    }
  });
});

describe('buildPlan on a file', async () => {
  const iris = await loadDataFile({ path: IRIS, target: 'species' });
  const data = { path: IRIS, target: 'species' };

  it('sweeps a quarter, half and all of the file with the models that fit its task', () => {
    const plan = buildPlan({ data, workers: [1], out: OUT }, 2, { dataset: iris });
    expect(plan.datasets).toEqual([iris.spec]);
    expect([...new Set(plan.cells.map((cell) => cell.size))]).toEqual([31, 62, 125]);
    expect([...new Set(plan.cells.map((cell) => cell.model))]).toEqual(['logistic', 'mlp-small', 'mlp-deep']);
    expect(plan.cells[0]!.id).toBe('logistic|iris.csv|n=31|w=1|job-parallel');
    const regression = buildPlan({ data, workers: [1], out: OUT }, 2, { dataset: { ...iris, spec: { ...iris.spec, task: 'regression', classes: 1 } } });
    expect(regression.cells[0]!.model).toBe('linear');
  });

  it('refuses sizes the file cannot give, with its row count and the sizes it can', () => {
    expect(() => buildPlan({ data, sizes: [100, 1000], out: OUT }, 2, { dataset: iris })).toThrow(
      /--sizes: .*iris\.csv has only 150 usable rows, but size 1000 needs 1200 \(1000 training \+ 200 held-out, --holdout 0\.2\)\. The largest size this file allows is 125: use sizes up to 125, e.g\. --sizes 31,62,125, or leave --sizes out\./,
    );
    expect(() => buildPlan({ data, sizes: [126], out: OUT }, 2, { dataset: iris })).toThrow(/size 126 needs 151/);
    expect(() => buildPlan({ data, sizes: [125], out: OUT }, 2, { dataset: iris })).not.toThrow();
    expect(() => buildPlan({ data, sizes: [100], testFraction: 0.6, out: OUT }, 2, { dataset: iris })).toThrow(/size 100 needs 160 .*largest size this file allows is 94/);
  });

  it('refuses a file too small for the smallest size', () => {
    const tiny = { ...iris, rows: 11 };
    expect(() => buildPlan({ data, out: OUT }, 2, { dataset: tiny })).toThrow(/has 11 usable rows, too few to benchmark: the smallest size \(10\) needs 12 rows \(10 training \+ 2 held-out\)/);
    expect(() => buildPlan({ data, sizes: [10, 1000], out: OUT }, 2, { dataset: tiny })).toThrow(/has 11 usable rows, too few/);
  });

  it('refuses --generator and the image model beside a file', () => {
    expect(() => buildPlan({ data, generator: 'moons', out: OUT }, 2, { dataset: iris })).toThrow(/--generator: cannot be used with --data/);
    expect(() => buildPlan({ data, models: ['cnn-small'], out: OUT }, 2, { dataset: iris })).toThrow(/--models: cnn-small needs image data, and iris\.csv is a table of 4 features/);
    expect(() => buildPlan({ data, out: OUT }, 2)).toThrow(/file was not loaded/);
  });

  it('runs only the custom model when it is the only one given, beside built-ins when --models is too', () => {
    const only = buildPlan({ data, customModels: [TINY], sizes: [50], workers: [1], out: OUT }, 2, { dataset: iris });
    expect(only.cells.map((cell) => cell.id)).toEqual(['custom:tiny-mlp.js|iris.csv|n=50|w=1|job-parallel']);
    expect(only.customModels).toEqual({ 'custom:tiny-mlp.js': TINY });
    const both = buildPlan({ data, models: ['logistic'], customModels: [TINY], sizes: [50], workers: [1], out: OUT }, 2, { dataset: iris });
    expect(both.cells.map((cell) => cell.model)).toEqual(['logistic', 'custom:tiny-mlp.js']);
    expect(buildPlan({ models: ['linear'], out: OUT }, 2).customModels).toBeUndefined();
  });

  it('keeps custom models to job-parallel mode', () => {
    expect(() => buildPlan({ customModels: [TINY], mode: 'data-parallel', sizes: [50], workers: [1], out: OUT }, 2)).toThrow(/--model: custom models run in job-parallel mode only; leave --mode data-parallel out/);
  });
});

describe('planRun', () => {
  it('loads the file, plans, checks custom models, and reports what it inferred', async () => {
    const notes: string[] = [];
    const plan = await planRun({ data: { path: IRIS, target: 'species' }, customModels: [TINY], sizes: [40], workers: [1], out: OUT }, 2, (line) => notes.push(line));
    expect(plan.datasets[0]!.name).toBe('iris.csv');
    expect(notes).toEqual([
      'fixtures/data/iris.csv: 150 rows, target "species", 4 input columns -> 4 features',
      'task: classification with 3 classes (setosa, versicolor, virginica), inferred because the target "species" holds text',
      'custom:tiny-mlp.js on iris.csv: 67 parameters, 131 FLOP forward and 393 FLOP training per sample',
    ]);
  });

  it('fails before any training on a bad file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-plan-'));
    const path = join(dir, 'small.csv');
    writeFileSync(path, `x,y\n${Array.from({ length: 10 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);
    await expect(planRun({ data: { path, target: 'y' }, sizes: [100, 1000], out: OUT }, 2)).rejects.toThrow(/small\.csv has 10 usable rows, too few to benchmark/);
  });
});
