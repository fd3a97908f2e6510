/** Reading and encoding users' data files: formats, column kinds, bad rows, errors, subsampling. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileTables, dataFormat, datasetName, loadDataFile, loadPlannedFile, type DataFileOptions } from '../src/data/load.js';
import type { EncodedDataset } from '../src/data/encode.js';
import { rowOrder, subsampleTable } from '../src/data/subsample.js';
import { InputError, UsageError } from '../src/config/errors.js';

const IRIS = resolve('fixtures/data/iris.csv');
const dir = mkdtempSync(join(tmpdir(), 'sb-data-'));
let counter = 0;

/** Writes `text` to a fresh file with the given extension; returns its path. */
function file(text: string, ext = 'csv'): string {
  const path = join(dir, `data-${++counter}.${ext}`);
  writeFileSync(path, text);
  return path;
}

async function load(text: string, options: Omit<DataFileOptions, 'path'>, ext = 'csv'): Promise<EncodedDataset> {
  return loadDataFile({ path: file(text, ext), ...options });
}

async function loadError(text: string, options: Omit<DataFileOptions, 'path'>, ext = 'csv'): Promise<string> {
  try {
    await load(text, options, ext);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected the load to fail');
}

function row(dataset: EncodedDataset, i: number): number[] {
  const f = dataset.spec.features;
  return [...dataset.x.subarray(i * f, (i + 1) * f)];
}

describe('the iris fixture', () => {
  it('is the 150-row iris with R\'s per-species means', async () => {
    const iris = await loadDataFile({ path: IRIS, target: 'species' });
    expect(iris.rows).toBe(150);
    expect(iris.spec).toMatchObject({ name: 'iris.csv', generator: 'file', task: 'classification', features: 4, classes: 3, path: IRIS });
    expect(iris.spec.labels).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(iris.spec.source).toEqual({
      target: 'species',
      columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
      onBadRow: 'fail',
      encoding: 'one-hot',
      rows: 150,
      featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
    });
    expect(row(iris, 0)).toEqual([5.1, 3.5, 1.4, 0.2]);
    // Row 35 is R's corrected value (UCI's iris.data has petal width 0.1 there).
    expect(row(iris, 34)).toEqual([4.9, 3.1, 1.5, 0.2]);
    const means = [0, 1, 2].map((k) => [0, 1, 2, 3].map((j) => {
      let sum = 0;
      for (let i = 0; i < 150; i++) if (iris.y[i] === k) sum += iris.x[i * 4 + j]!;
      return Math.round((sum / 50) * 1000) / 1000;
    }));
    expect(means).toEqual([
      [5.006, 3.428, 1.462, 0.246],
      [5.936, 2.77, 4.26, 1.326],
      [6.588, 2.974, 5.552, 2.026],
    ]);
    expect(iris.notes.join('\n')).toMatch(/task: classification with 3 classes \(setosa, versicolor, virginica\), inferred because the target "species" holds text/);
    expect(iris.scaled).toEqual([true, true, true, true]);
  });

  it('can be a regression data set, with the species one-hot encoded', async () => {
    const iris = await loadDataFile({ path: IRIS, target: 'petal_width', task: 'regression' });
    expect(iris.spec).toMatchObject({ task: 'regression', classes: 1, features: 6 });
    expect(iris.spec.source?.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'species=setosa', 'species=versicolor', 'species=virginica']);
    expect(iris.scaled).toEqual([true, true, true, false, false, false]);
    expect(row(iris, 0)).toEqual([5.1, 3.5, 1.4, 1, 0, 0]);
    expect(row(iris, 149)).toEqual([5.9, 3.0, 5.1, 0, 0, 1]);
    expect(iris.y[0]).toBeCloseTo(0.2, 12);
    expect(iris.spec.labels).toBeUndefined();
  });
});

describe('formats', () => {
  const csv = 'x,colour,label\n1.5,red,a\n-2,blue,b\n3e2,red,a\n';
  const rows = [
    { x: 1.5, colour: 'red', label: 'a' },
    { x: -2, colour: 'blue', label: 'b' },
    { x: 300, colour: 'red', label: 'a' },
  ];

  it('reads CSV, TSV, a JSON array and NDJSON into the same numbers', async () => {
    const options = { target: 'label' };
    const fromCsv = await load(csv, options);
    const fromTsv = await load(csv.replace(/,/g, '\t'), options, 'tsv');
    const fromJson = await load(JSON.stringify(rows), options, 'json');
    const fromNdjson = await load(rows.map((r) => JSON.stringify(r)).join('\n') + '\n', options, 'ndjson');
    for (const dataset of [fromCsv, fromTsv, fromJson, fromNdjson]) {
      expect(dataset.spec.source?.featureNames).toEqual(['x', 'colour=blue', 'colour=red']);
      expect([...dataset.x]).toEqual([1.5, 0, 1, -2, 1, 0, 300, 0, 1]);
      expect([...dataset.y]).toEqual([0, 1, 0]);
      expect(dataset.spec.labels).toEqual(['a', 'b']);
    }
  });

  it('handles a byte-order mark, quoted fields, blank lines, spaces and CRLF', async () => {
    const dataset = await load('\uFEFF"x","name, quoted",y\r\n 1 ,"a, b",10.5\r\n\r\n2,c,11\r\n3,c,12.25\r\n4,c,13\r\n5,c,14\r\n6,c,15\r\n7,c,16\r\n8,c,17\r\n9,c,18\r\n10,c,19\r\n11,c,20\r\n', { target: 'y' });
    expect(dataset.rows).toBe(11);
    expect(dataset.spec.task).toBe('regression');
    expect(dataset.spec.source?.featureNames).toEqual(['x', 'name, quoted=a, b', 'name, quoted=c']);
    expect(row(dataset, 0)).toEqual([1, 1, 0]);
    expect(dataset.y[2]).toBe(12.25);
  });

  it('index-encodes text columns when asked', async () => {
    const dataset = await load(csv, { target: 'label', encoding: 'index' });
    expect(dataset.spec.source?.featureNames).toEqual(['x', 'colour']);
    expect([...dataset.x]).toEqual([1.5, 1, -2, 0, 300, 1]);
    expect(dataset.scaled).toEqual([true, true]);
    expect(dataset.notes.join('\n')).toMatch(/column "colour" is text: index encoded as 0\.\.1 \(blue, red\)/);
  });

  it('keeps only the --features columns, in file order', async () => {
    const dataset = await load('a,b,c,t\n1,2,3,0\n4,5,6,1\n', { target: 't', features: ['c', 'a'] });
    expect(dataset.spec.source?.columns).toEqual(['a', 'c']);
    expect([...dataset.x]).toEqual([1, 3, 4, 6]);
  });

  it('refuses an extension it cannot read', () => {
    expect(() => dataFormat('data.xlsx')).toThrow(/--data: cannot tell the format of "data.xlsx".*\.csv/);
    expect(dataFormat('A.JSONL')).toBe('ndjson');
  });

  it('names the data set by its file name, without characters that break cell ids', () => {
    expect(datasetName('/x/iris.csv')).toBe('iris.csv');
    expect(datasetName('/x/a|b\n.csv')).toBe('a_b_.csv');
    expect(datasetName('/x/we<ird> & "name".csv')).toBe('we<ird> & "name".csv');
  });
});

describe('the task', () => {
  it('is classification for a text target or a few whole numbers, else regression', async () => {
    const ints = await load('x,y\n1,0\n2,2\n3,1\n4,2\n', { target: 'y' });
    expect(ints.spec).toMatchObject({ task: 'classification', classes: 3, labels: ['0', '1', '2'] });
    expect([...ints.y]).toEqual([0, 2, 1, 2]);
    expect(ints.notes.join('\n')).toMatch(/inferred because the target "y" holds only 3 distinct whole numbers; pass --task regression to override/);
    const manyInts = await load(`x,y\n${Array.from({ length: 11 }, (_, i) => `${i},${i * 3}`).join('\n')}\n`, { target: 'y' });
    expect(manyInts.spec.task).toBe('regression');
    const floats = await load('x,y\n1,0.5\n2,1\n', { target: 'y' });
    expect(floats.spec.task).toBe('regression');
    expect(floats.notes.join('\n')).toMatch(/pass --task classification to override/);
    const forced = await load('x,y\n1,0.5\n2,1\n3,0.5\n', { target: 'y', task: 'classification' });
    expect(forced.spec).toMatchObject({ task: 'classification', labels: ['0.5', '1'] });
    expect([...forced.y]).toEqual([0, 1, 0]);
    expect(forced.notes.join('\n')).not.toMatch(/inferred/);
  });

  it('sorts numeric labels as numbers, not text', async () => {
    const dataset = await load('x,y\n1,10\n2,9\n3,100\n', { target: 'y', task: 'classification' });
    expect(dataset.spec.labels).toEqual(['9', '10', '100']);
    expect([...dataset.y]).toEqual([1, 0, 2]);
  });

  it('refuses regression on a text target and classification with one class', async () => {
    expect(await loadError('x,y\n1,a\n2,b\n', { target: 'y', task: 'regression' })).toMatch(/--task regression needs a numeric target, but column "y" holds text \(e\.g\. "a"\): use --task classification/);
    expect(await loadError('x,y\n1,a\n2,a\n', { target: 'y' })).toMatch(/target column "y" has only one value \("a"\)/);
  });
});

describe('bad rows and bad files', () => {
  const withGap = 'x,y\n1,1.5\n2,\n3,2.5\nfour,3.5\n5,4.5\n';

  it('fails on the first bad row by default, naming the file, line, column and the fixes', async () => {
    const path = file(withGap);
    const message = await loadDataFile({ path, target: 'y' }).catch((error: Error) => error.message);
    expect(message).toContain(path);
    expect(message).toMatch(/line 3: the target "y" has no value\. Fill in or fix that value, or pass --on-bad-row skip/);
  });

  it('names a text value in a numeric column with its line and column', async () => {
    const message = await loadError('x,y\n1,1.5\n3,2.5\nfour,3.5\n5,4.5\n', { target: 'y' });
    expect(message).toMatch(/line 4: column "x" holds "four", which is not a number \(the column holds numbers\)\. Fill in or fix that value, leave the column out with --features, or pass --on-bad-row skip/);
  });

  it('skips bad rows with --on-bad-row skip and says which', async () => {
    const dataset = await load(withGap, { target: 'y', onBadRow: 'skip' });
    expect(dataset.rows).toBe(3);
    expect(dataset.skippedRows).toBe(2);
    expect([...dataset.x]).toEqual([1, 3, 5]);
    expect([...dataset.y]).toEqual([1.5, 2.5, 4.5]);
    expect(dataset.notes.join('\n')).toMatch(/skipped 2 of 5 rows with missing or non-numeric values \(lines 3, 5\)/);
  });

  it('treats a row with the wrong number of fields as a bad row', async () => {
    expect(await loadError('a,b,y\n1,2,0\n3,1\n', { target: 'y' })).toMatch(/line 3: the row has 2 fields but the header has 3\. Fix that line/);
    const skipped = await load('a,b,y\n1,2,0\n3,1\n4,5,1\n', { target: 'y', onBadRow: 'skip' });
    expect(skipped.rows).toBe(2);
  });

  it('counts NA, null and ? as missing, and unused columns do not matter', async () => {
    for (const token of ['NA', 'null', '?', 'NaN', 'n/a']) {
      expect(await loadError(`x,y\n1,0\n${token},1\n`, { target: 'y' })).toMatch(/line 3: column "x" has no value/);
    }
    const dataset = await load('x,unused,y\n1,,0\n2,NA,1\n', { target: 'y', features: ['x'] });
    expect(dataset.rows).toBe(2);
  });

  it('reports JSON records and NDJSON lines by number', async () => {
    expect(await loadError(JSON.stringify([{ x: 1, y: 0 }, { x: null, y: 1 }]), { target: 'y' }, 'json')).toMatch(/record 2: column "x" has no value/);
    expect(await loadError('{"x":1,"y":0}\n\n{"x":2,"y":1\n', { target: 'y' }, 'ndjson')).toMatch(/line 3: the row is not valid JSON/);
    expect(await loadError('{"x":{"a":1},"y":0}\n{"x":1,"y":1}\n', { target: 'y' }, 'ndjson')).toMatch(/line 1: column "x" holds an object or array/);
  });

  it('explains an empty file, a header without rows, and a missing column', async () => {
    const empty = file('');
    await expect(loadDataFile({ path: empty, target: 'y' })).rejects.toThrow(new RegExp(`${empty}: is empty: expected a header line with the column names`));
    expect(await loadError('\n\n', { target: 'y' })).toMatch(/is empty/);
    expect(await loadError('', { target: 'y' }, 'json')).toMatch(/is empty: expected a JSON array of row objects/);
    expect(await loadError('a,b,y\n', { target: 'y' })).toMatch(/has a header line but no data rows: add one line per sample below the header/);
    expect(await loadError('a,b\n1,2\n', { target: 'label' })).toMatch(/has no column "label" \(--target\)\. Its columns are: "a", "b"\. Pass one of them with --target <column>/);
    expect(await loadError('a,b\n1,2\n', { target: 'b', features: ['c'] })).toMatch(/has no column "c" \(--features\)/);
    expect(await loadError('a,b\n1,2\n', { target: 'b', features: ['b'] })).toMatch(/column "b" is the target, so it cannot also be a feature/);
    expect(await loadError('y\n1\n2\n', { target: 'y' })).toMatch(/has only the target column "y"/);
    expect(await loadError('a,a,y\n1,2,3\n', { target: 'y' })).toMatch(/column name "a" appears twice in the header \(columns 1 and 2\)/);
    expect(await loadError('{"a": 1}', { target: 'a' }, 'json')).toMatch(/holds a JSON object, but a data file must be an array of row objects/);
    expect(await loadError('a,y\n1,0\n"2,1\n', { target: 'y' })).toMatch(/is not valid CSV at line \d+: .*Quote Not Closed.*Check the quotes/);
    await expect(loadDataFile({ path: join(dir, 'missing.csv'), target: 'y' })).rejects.toThrow(/missing\.csv: no such file\. Check the path given to --data/);
    await expect(loadDataFile({ path: join(dir, 'missing.csv'), target: 'y' })).rejects.toBeInstanceOf(InputError);
  });

  it('refuses a column with no values and an identifier-like text column', async () => {
    expect(await loadError('a,b,y\n1,,0\n2,,1\n', { target: 'y', onBadRow: 'skip' })).toMatch(/column "b" has no values in any row: leave it out with --features/);
    const ids = Array.from({ length: 120 }, (_, i) => `${i},id${i},${i % 2}`).join('\n');
    expect(await loadError(`x,name,y\n${ids}\n`, { target: 'y' })).toMatch(/column "name" holds 120 different text values; one-hot encoding would make 120 features\. Leave it out with --features, or use index encoding/);
  });

  it('says so when every row is bad', async () => {
    expect(await loadError('x,y\na1,0\n2,\n', { target: 'y', onBadRow: 'skip', task: 'regression' })).toMatch(
      /every one of its 2 rows has a missing or non-numeric value, so none is left to train on/,
    );
  });
});

describe('per-cell tables', () => {
  it('standardises numeric features with the training rows only, and leaves one-hot columns alone', async () => {
    // x: 1, 2, 3, 4 train (mean 2.5, population sd sqrt(1.25)), 10 held out.
    const dataset = await load('x,c,y\n1,a,0\n2,b,1\n3,a,0\n4,b,1\n10,a,0\n', { target: 'y' });
    const identity = Int32Array.from([0, 1, 2, 3, 4]);
    const table = subsampleTable(dataset, identity, 4, 1);
    const sd = Math.sqrt(1.25);
    const xs = [0, 1, 2, 3, 4].map((i) => table.x[i * 3]!);
    [1, 2, 3, 4, 10].forEach((value, i) => expect(xs[i]).toBeCloseTo((value - 2.5) / sd, 6));
    expect(xs[4]).toBeCloseTo(6.7082, 4);
    expect([...table.x.subarray(0, 3).slice(1)]).toEqual([1, 0]);
    expect([...table.y]).toEqual([0, 1, 0, 1, 0]);
    expect(table.x.buffer).toBeInstanceOf(SharedArrayBuffer);
    // A constant feature keeps sd 1 (no division by zero, no NaN).
    const constant = await load('x,y\n5,0\n5,1\n5,0\n', { target: 'y' });
    expect([...subsampleTable(constant, Int32Array.from([0, 1, 2]), 2, 1).x]).toEqual([0, 0, 0]);
  });

  it('takes nested random subsamples from a seeded order', () => {
    const a = rowOrder(150, 42);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect([...rowOrder(150, 42)]).toEqual([...a]);
    expect([...rowOrder(150, 43)]).not.toEqual([...a]);
    // Sorted by class in the file, but the first 30 rows of the order mix the classes.
    const classes = new Set([...a.subarray(0, 30)].map((row) => Math.floor(row / 50)));
    expect(classes.size).toBe(3);
  });

  it('cuts cell tables for a planned file and refuses more rows than it has', async () => {
    const iris = await loadDataFile({ path: IRIS, target: 'species' });
    const tables = await FileTables.load([iris.spec], 42);
    const small = tables.get(iris.spec, 40, 8);
    const large = tables.get(iris.spec, 80, 16);
    expect(small.table.n).toBe(48);
    expect(large.table.n).toBe(96);
    expect(small.key).not.toBe(large.key);
    expect(tables.get(iris.spec, 80, 16)).toBe(large);
    // The labels of the first 48 rows are the same rows in both (nested subsamples).
    expect([...large.table.y.subarray(0, 48)]).toEqual([...small.table.y]);
    expect(() => tables.get(iris.spec, 140, 28)).toThrow(/has 150 usable rows, fewer than the 168/);
  });

  it('notices a file that changed since the plan', async () => {
    const path = file('x,y\n1,a\n2,b\n');
    const planned = (await loadDataFile({ path, target: 'y' })).spec;
    writeFileSync(path, 'x,y\n1,a\n2,b\n3,c\n');
    await expect(loadPlannedFile(planned)).rejects.toThrow(/changed since the plan was made/);
    const { source: _source, ...withoutSource } = planned;
    await expect(loadPlannedFile(withoutSource)).rejects.toThrow(/does not say how to read it/);
  });
});
