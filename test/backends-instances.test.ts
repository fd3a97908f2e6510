/** The kernel patch state must survive a second copy of the module in one thread (bundlers, tsx's isolated imports). */
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backends/index.js';
import * as first from '../src/backends/kernels.js';

describe('kernel patches with two module instances', () => {
  it('a second copy of kernels.ts sees and removes the patch the first applied', async () => {
    const { tf } = await initBackend('wasm', { stockKernels: false, threads: 1 });
    first.applyKernelPatches(tf);
    expect(first.activeKernelPatches(tf).length).toBeGreaterThan(0);
    // A query string makes Vite load a separate instance of the same file.
    const secondInstance = '../src/backends/kernels.js?second-instance';
    const second = (await import(/* @vite-ignore */ secondInstance)) as typeof first;
    expect(second).not.toBe(first);
    expect(second.activeKernelPatches(tf)).toEqual(first.activeKernelPatches(tf));
    second.removeKernelPatches(tf);
    expect(first.activeKernelPatches(tf)).toEqual([]);
    const stock = await initBackend('wasm', { stockKernels: true, threads: 1 });
    expect(stock.info.kernelPatches.filter((label) => label.includes('simd-gemm') || label.includes('transpose-first'))).toEqual([]);
  });
});
