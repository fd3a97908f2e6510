import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { allocateTable, sliceRows, splitTrainTest, tableBytes, tableChecksum, viewTable } from '../src/data/table.js';

describe('allocateTable', () => {
  it('gives zeroed x (n x features) and y (n) on one SharedArrayBuffer, x first', () => {
    const t = allocateTable(3, 4);
    expect(t.n).toBe(3);
    expect(t.features).toBe(4);
    expect(t.x.length).toBe(12);
    expect(t.y.length).toBe(3);
    expect(t.x.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(t.y.buffer).toBe(t.x.buffer);
    expect(t.x.byteOffset).toBe(0);
    expect(t.y.byteOffset).toBe(48);
    expect(t.x.buffer.byteLength).toBe(tableBytes(3, 4));
    expect(tableBytes(3, 4)).toBe(60); // (12 x + 3 y) floats * 4 bytes
    expect(Array.from(t.x).every((v) => v === 0)).toBe(true);
  });

  it('allows an empty table', () => {
    const t = allocateTable(0, 5);
    expect(t.x.length).toBe(0);
    expect(t.y.length).toBe(0);
  });

  it('rejects bad shapes with a message naming what to fix', () => {
    expect(() => allocateTable(-1, 2)).toThrow(/--sizes/);
    expect(() => allocateTable(2.5, 2)).toThrow(/whole number/);
    expect(() => allocateTable(10, 0)).toThrow(/features/);
  });

  it('viewTable rebuilds the same views from the buffer, and refuses a short buffer', () => {
    const t = allocateTable(5, 2);
    t.x[3] = 7;
    t.y[4] = 9;
    const v = viewTable(t.x.buffer as SharedArrayBuffer, 5, 2);
    expect(v.x[3]).toBe(7);
    expect(v.y[4]).toBe(9);
    expect(() => viewTable(t.x.buffer as SharedArrayBuffer, 6, 2)).toThrow(/needs/);
  });

  it('is shared with a worker thread without copying: the worker sees and edits the same memory', async () => {
    const t = allocateTable(4, 2);
    t.x.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const x = new Float32Array(workerData.buffer, 0, 8);
      const y = new Float32Array(workerData.buffer, 32, 4);
      let sum = 0; for (const v of x) sum += v;
      y[0] = sum;
      parentPort.postMessage(sum);`;
    const worker = new Worker(code, { eval: true, workerData: { buffer: t.x.buffer } });
    const sum = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(sum).toBe(36);
    expect(t.y[0]).toBe(36);
  });
});

describe('sliceRows and splitTrainTest', () => {
  const table = (() => {
    const t = allocateTable(10, 2);
    for (let i = 0; i < 20; i++) t.x[i] = i;
    for (let i = 0; i < 10; i++) t.y[i] = 100 + i;
    return t;
  })();

  it('slices rows as views on the same memory', () => {
    const s = sliceRows(table, 2, 5);
    expect(s.n).toBe(3);
    expect(Array.from(s.x)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(Array.from(s.y)).toEqual([102, 103, 104]);
    expect(s.x.buffer).toBe(table.x.buffer);
    expect(sliceRows(table, 4, 4).n).toBe(0);
    expect(() => sliceRows(table, 5, 11)).toThrow(/outside/);
    expect(() => sliceRows(table, 6, 5)).toThrow(/outside/);
  });

  it('holds out the last round(n * fraction) rows', () => {
    const { train, test } = splitTrainTest(table, 0.25);
    // round(10 * 0.25) = round(2.5) = 3
    expect(train.n).toBe(7);
    expect(test.n).toBe(3);
    expect(Array.from(test.y)).toEqual([107, 108, 109]);
    expect(Array.from(train.x.slice(0, 2))).toEqual([0, 1]);
  });

  it('keeps at least one row on each side when n >= 2, and none held out below that', () => {
    expect(splitTrainTest(table, 0.001).test.n).toBe(1);
    expect(splitTrainTest(table, 0.999).train.n).toBe(1);
    const two = sliceRows(table, 0, 2);
    expect(splitTrainTest(two, 0.5)).toMatchObject({ train: { n: 1 }, test: { n: 1 } });
    const one = sliceRows(table, 0, 1);
    expect(splitTrainTest(one, 0.5)).toMatchObject({ train: { n: 1 }, test: { n: 0 } });
    expect(splitTrainTest(sliceRows(table, 0, 0), 0.5)).toMatchObject({ train: { n: 0 }, test: { n: 0 } });
  });

  it('rejects fractions outside (0, 1), naming the flag', () => {
    for (const f of [0, 1, -0.1, Number.NaN]) expect(() => splitTrainTest(table, f)).toThrow(/--test-fraction/);
  });
});

describe('tableChecksum', () => {
  it('is FNV-1a over the bytes of x then y', () => {
    // One row of one feature, x = 0 and y = 0: FNV-1a of 8 zero bytes.
    let h = 0x811c9dc5;
    for (let i = 0; i < 8; i++) h = Math.imul(h, 0x01000193);
    expect(tableChecksum(allocateTable(1, 1))).toBe((h >>> 0).toString(16).padStart(8, '0'));
    expect(tableChecksum(allocateTable(0, 1))).toBe('811c9dc5');
  });

  it('changes when any value changes, in x or in y', () => {
    const t = allocateTable(4, 3);
    const before = tableChecksum(t);
    t.x[11] = 1e-30;
    const afterX = tableChecksum(t);
    expect(afterX).not.toBe(before);
    t.y[0] = -0;
    expect(tableChecksum(t)).not.toBe(afterX);
  });
});
