/**
 * Issue 20.6: data sets over 2 GiB. The checksum hashed the whole table in one call, which Node
 * refuses from 2 GiB on, after the table had been generated (18 s, 3.2 GB); the preflight now counts
 * every buffer and refuses what cannot fit before anything is generated.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesChecksum } from '../src/data/checksum.js';
import { buildPlan } from '../src/plan/build.js';
import { cellMemory, checkMemory, WASM_HEAP_BYTES } from '../src/plan/preflight.js';
import type { DatasetSpec } from '../src/results/schema.js';
import { runCli } from './helpers/cli.js';

describe('checksums of data sets over 2 GiB', () => {
  it('hash a 2 GiB + 8 byte table in chunks, to the same digest as one pass would give', () => {
    // Zero pages are mapped lazily: reading them costs time, not memory.
    const big = new Uint8Array(new SharedArrayBuffer(2 ** 31 + 8));
    big[big.length - 1] = 7;
    expect(() => createHash('sha256').update(big)).toThrow(/data is too long/);
    const checksum = bytesChecksum([big]);
    expect(checksum).toMatch(/^[0-9a-f]{16}$/);
    // The chunking is invisible: a small buffer hashed in 3-byte chunks equals one update.
    const small = Uint8Array.from({ length: 100 }, (_, i) => i * 7);
    const view = new Float32Array(small.buffer, 4, 20);
    expect(bytesChecksum([view, small], 3)).toBe(bytesChecksum([view, small]));
    expect(bytesChecksum([view, small])).toBe(
      createHash('sha256').update(new Uint8Array(view.buffer, 4, 80)).update(small).digest('hex').slice(0, 16),
    );
  });
});

describe('the memory preflight counts every buffer', () => {
  it('counts the table, each worker’s tensors (one-hot targets included), the model and the runtime, by hand', () => {
    const spec: DatasetSpec = { name: 'classification', generator: 'classification', task: 'classification', features: 32, classes: 4 };
    const cell = { id: 'c', model: 'mlp-small', dataset: 'classification', size: 1000, workers: 2, mode: 'job-parallel' as const };
    const memory = cellMemory(cell, spec, { training: { epochs: 1, batchSize: 256, learningRate: 0.01, testFraction: 0.2 } }, 3);
    // 1000 training + 200 held-out rows of 32 float32 inputs and 1 float32 target.
    expect(memory.dataset).toBe(1200 * 33 * 4);
    // Per worker: 1000 x (32 inputs + 4 one-hot) float32, 200 x 32 float32 inputs and 200 float64 targets.
    expect(memory.tensorsPerWorker).toBe(1000 * 36 * 4 + 200 * (32 * 4 + 8));
    // 6532 parameters x (weights, gradient, 2 Adam moments, checksum copy) x 4 bytes + 256 x 256 x 4 x 8 activations.
    expect(memory.modelPerWorker).toBe(6532 * 20 + 256 * 256 * 4 * 8);
    expect(memory.runtime).toBe(120 * 2 ** 20 + 3 * 48 * 2 ** 20);
    expect(memory.total).toBeCloseTo((memory.runtime + memory.dataset + 2 * (memory.tensorsPerWorker + memory.modelPerWorker)) * 1.25, 6);
    expect(memory.fileData).toBe(0);
  });

  it('a user file also counts its decoded columns and encoded rows, which stay loaded for the run', () => {
    const spec: DatasetSpec = {
      name: 'big.csv',
      generator: 'file',
      task: 'regression',
      features: 10,
      classes: 1,
      path: '/data/big.csv',
      source: { target: 'y', columns: Array.from({ length: 10 }, (_, i) => `c${i}`), onBadRow: 'fail', encoding: 'one-hot', rows: 1_000_000, featureNames: [] },
    };
    const cell = { id: 'c', model: 'linear', dataset: 'big.csv', size: 1000, workers: 1, mode: 'job-parallel' as const };
    const memory = cellMemory(cell, spec, { training: { epochs: 1, batchSize: 256, learningRate: 0.01, testFraction: 0.2 } }, 1);
    expect(memory.fileData).toBe(1_000_000 * 11 * 12 + 1_000_000 * 11 * 8);
  });

  it('--sizes 20m --models mlp-small is refused before generating anything: a wasm worker cannot hold its tensors', () => {
    const plan = buildPlan({ sizes: [20_000_000], models: ['mlp-small'], workers: [1] }, 2);
    expect(() => checkMemory(plan, Number.POSITIVE_INFINITY)).toThrow(/too large for a wasm worker: the cell \(mlp-small on classification, n=20000000, 1 worker\) needs about 4\.\d+ GiB .* at most 4\.00 GiB\. Use smaller --sizes, or --backend cpu/);
    // The cpu backend keeps tensors in JavaScript memory: only the machine's memory limits it.
    expect(() => checkMemory({ ...plan, backend: 'cpu' }, Number.POSITIVE_INFINITY)).not.toThrow();
    expect(() => checkMemory({ ...plan, backend: 'cpu' }, 6 * 2 ** 30)).toThrow(/not enough memory: .* needs about 7\.\d+ GiB \(data set 2\.95 GiB, 1 × 3\.\d+ GiB of tensors and model per worker/);
  });

  it('the CLI refuses it at once, leaving nothing behind', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-mem-'));
    const started = Date.now();
    const { code, stderr } = await runCli(['run', '--models', 'mlp-small', '--sizes', '20m', '--workers', '1', '--out', out], { timeoutMs: 60_000 });
    expect(code).toBe(2);
    expect(stderr).toMatch(/too large for a wasm worker|not enough memory/);
    expect(stderr).not.toMatch(/data is too long|internal error/);
    // Generating 20 million rows alone takes about 18 s; the refusal comes before.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(readdirSync(out)).toEqual([]);
    expect(WASM_HEAP_BYTES).toBe(4_294_901_760);
  });
});
