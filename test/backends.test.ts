import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import { BackendUnavailableError, initBackend, type Tf } from '../src/backends/index.js';
import { swapLastTwoAxes } from '../src/backends/kernels.js';
import { calibratePeakFlops, matmulFlops } from '../src/backends/calibrate.js';
import { conv2dFilterGradient, type ConvGeometry } from '../src/backends/conv-grad.js';

const TRANSPOSE_PATCHES = ['BatchMatMul:simd-gemm', '_FusedMatMul:simd-gemm', 'Identity:shared-buffer', 'ScaleBenchAdamUpdate:fused-simd'];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** Values computed with stock kernels, then with the patched ones, in the same thread. */
async function stockThenPatched(compute: (tf: Tf) => Float32Array[]): Promise<[Float32Array[], Float32Array[]]> {
  const stock = await initBackend('wasm', { stockKernels: true, threads: 1 });
  expect(stock.info.kernelPatches.filter((p) => TRANSPOSE_PATCHES.includes(p))).toEqual([]);
  const before = compute(stock.tf);
  const patched = await initBackend('wasm', { stockKernels: false, threads: 1 });
  expect(patched.info.kernelPatches).toEqual(expect.arrayContaining(TRANSPOSE_PATCHES));
  return [before, compute(patched.tf)];
}

describe('initBackend', () => {
  it('starts wasm with one thread, reports versions, and is cheap the second time', async () => {
    const t0 = performance.now();
    const first = await initBackend('wasm', { stockKernels: false, threads: 1 });
    const firstMs = performance.now() - t0;
    const t1 = performance.now();
    const second = await initBackend('wasm', { stockKernels: false, threads: 1 });
    const secondMs = performance.now() - t1;
    expect(first.info.name).toBe('wasm');
    expect(first.info.tfjsVersion).toBe('4.22.0');
    expect(first.info.backendVersion).toBe('4.22.0');
    expect(first.info.threads).toBe(1);
    expect(typeof first.info.wasmSimd).toBe('boolean');
    expect(first.info.kernelPatches).toEqual(expect.arrayContaining([...TRANSPOSE_PATCHES, 'Conv2DBackpropFilter:simd']));
    expect(second.tf).toBe(first.tf);
    expect(second.info).toEqual(first.info);
    expect(first.tf.getBackend()).toBe('wasm');
    // Loading tfjs and compiling wasm takes 100s of ms; a repeat call only checks state.
    expect(secondMs).toBeLessThan(firstMs / 5);
  });

  it('records one thread for wasm whatever is asked, and rejects a bad thread count', async () => {
    const { info } = await initBackend('wasm', { stockKernels: false, threads: 4 });
    expect(info.threads).toBe(1);
    await expect(initBackend('wasm', { stockKernels: false, threads: 0 })).rejects.toThrow(/threads/);
  });

  it('leaves no rethrowing process listeners behind (Emscripten installs some)', async () => {
    await initBackend('wasm', { stockKernels: false, threads: 1 });
    for (const listener of process.listeners('unhandledRejection')) {
      expect(String(listener)).not.toMatch(/throw reason/);
    }
    for (const listener of process.listeners('uncaughtException')) {
      expect(String(listener)).not.toMatch(/ExitStatus/);
    }
  });

  it('fails --backend node with a one-line fix when tfjs-node is missing, and auto falls back', async () => {
    let nodeInstalled = true;
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    } catch {
      nodeInstalled = false;
    }
    if (nodeInstalled) return; // covered where the optional dependency cannot install
    const error = await initBackend('node', { stockKernels: false, threads: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const message = (error as Error).message;
    expect(message).toMatch(/--backend node/);
    expect(message).toMatch(/npm i @tensorflow\/tfjs-node/);
    expect(message).not.toMatch(/\n/);
    const auto = await initBackend('auto', { stockKernels: false, threads: 1 });
    expect(auto.info.name).toBe('wasm');
  });

  it('switches to cpu and back', async () => {
    const cpu = await initBackend('cpu', { stockKernels: false, threads: 1 });
    expect(cpu.info.name).toBe('cpu');
    expect(cpu.info.kernelPatches).toEqual([]);
    expect(cpu.tf.getBackend()).toBe('cpu');
    expect(Array.from(cpu.tf.add(cpu.tf.tensor([1, 2]), 1).dataSync())).toEqual([2, 3]);
    const wasm = await initBackend('wasm', { stockKernels: false, threads: 1 });
    expect(wasm.tf.getBackend()).toBe('wasm');
  });
});

describe('transpose-first matmul kernels', () => {
  it('swaps only the last two axes', () => {
    expect(swapLastTwoAxes(2)).toEqual([1, 0]);
    expect(swapLastTwoAxes(4)).toEqual([0, 1, 3, 2]);
    expect(() => swapLastTwoAxes(1)).toThrow(RangeError);
  });

  it('gives the stock results for every transpose combination, batched and with size-1 dims', async () => {
    const shapes: Array<[number[], number[]]> = [
      [[37, 24], [24, 19]],
      [[3, 8, 16], [3, 16, 5]],
      [[1, 16], [16, 7]],
      [[9, 16], [16, 1]],
    ];
    const compute = (tf: Tf): Float32Array[] =>
      tf.tidy(() => {
        const out: Float32Array[] = [];
        shapes.forEach(([aShape, bShape], s) => {
          const scale = 1 / Math.sqrt(aShape[aShape.length - 1] as number);
          const a = tf.randomUniform(aShape, -1, 1, 'float32', 10 + s);
          const b = tf.mul(tf.randomUniform(bShape, -1, 1, 'float32', 20 + s), scale);
          const perm = swapLastTwoAxes(aShape.length);
          const at = tf.transpose(a, perm);
          const bt = tf.transpose(b, swapLastTwoAxes(bShape.length));
          for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            out.push(tf.matMul(ta ? at : a, tb ? bt : b, ta, tb).dataSync() as Float32Array);
          }
        });
        return out;
      });
    const [stock, patched] = await stockThenPatched(compute);
    expect(patched).toHaveLength(16);
    patched.forEach((values, i) => expect(maxAbsDiff(values, stock[i] as Float32Array)).toBeLessThan(1e-5));
    // The four combinations of one case are the same product, so they agree with each other too.
    expect(maxAbsDiff(patched[1] as Float32Array, patched[0] as Float32Array)).toBeLessThan(1e-5);
  });

  it('computes fused matmul (bias + relu) with transposes like the unfused ops', async () => {
    // Not compared with stock: tfjs 4.22's wasm _FusedMatMul with a transpose flag and a bias adds
    // the wrong bias element to every row after the first (its slow path indexes the bias by
    // i * cols + j, clamped), off by ~0.5 here. The patched kernel never takes that path.
    const { tf } = await initBackend('wasm', { stockKernels: false, threads: 1 });
    tf.tidy(() => {
      const a = tf.randomUniform([16, 12], -1, 1, 'float32', 1);
      const b = tf.randomUniform([12, 10], -0.3, 0.3, 'float32', 2);
      const bias = tf.randomUniform([10], -0.5, 0.5, 'float32', 3);
      const reference = tf.relu(tf.add(tf.matMul(a, b), bias)).dataSync();
      const fused = [
        tf.fused.matMul({ a, b, bias, activation: 'relu' }),
        tf.fused.matMul({ a: tf.transpose(a), b, transposeA: true, bias, activation: 'relu' }),
        tf.fused.matMul({ a, b: tf.transpose(b), transposeB: true, bias, activation: 'relu' }),
        tf.fused.matMul({ a: tf.transpose(a), b: tf.transpose(b), transposeA: true, transposeB: true, bias }),
      ];
      const linear = tf.add(tf.matMul(a, b), bias).dataSync();
      fused.slice(0, 3).forEach((t) => expect(maxAbsDiff(t.dataSync(), reference)).toBeLessThan(1e-5));
      expect(maxAbsDiff((fused[3] as Tensor).dataSync(), linear)).toBeLessThan(1e-5);
      expect(Math.min(...reference)).toBe(0);
    });
  });

  it('gives the stock gradients of a dense network', async () => {
    const compute = (tf: Tf): Float32Array[] => {
      const w1 = tf.variable(tf.randomUniform([8, 16], -0.5, 0.5, 'float32', 4));
      const w2 = tf.variable(tf.randomUniform([16, 3], -0.5, 0.5, 'float32', 5));
      const x = tf.randomUniform([32, 8], -1, 1, 'float32', 6);
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.matMul(tf.relu(tf.matMul(x, w1)), w2))) as never,
        [w1, w2],
      );
      const out = [value, grads[w1.name] as Tensor, grads[w2.name] as Tensor].map((t) => t.dataSync() as Float32Array);
      tf.dispose([w1, w2, x, value, ...Object.values(grads)]);
      return out;
    };
    const [stock, patched] = await stockThenPatched(compute);
    patched.forEach((values, i) => expect(maxAbsDiff(values, stock[i] as Float32Array)).toBeLessThan(1e-5));
    expect(maxAbsDiff(patched[1] as Float32Array, new Float32Array(128))).toBeGreaterThan(0);
  });

  it('Identity shares the buffer safely: a clone outlives its source, and bytes return to baseline', async () => {
    const { tf } = await initBackend('wasm', { stockKernels: false, threads: 1 });
    const bytes = tf.memory().numBytes;
    const a = tf.tensor([1, 2, 3, 4]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    const c = tf.add(b, 1); // the shared buffer is still a valid kernel input
    expect(Array.from(c.dataSync())).toEqual([2, 3, 4, 5]);
    tf.dispose([b, c]);
    expect(tf.memory().numBytes).toBe(bytes);
  });
});

describe('Conv2DBackpropFilter', () => {
  it('matches a hand computation', () => {
    // x: 1x3x3x1 = 1..9, dy: 1x2x2x1 = 1 everywhere, 2x2 filter, stride 1, no padding:
    // dW[kh,kw] = sum of the 2x2 window of x starting at (kh, kw).
    const g: ConvGeometry = {
      batchSize: 1, inHeight: 3, inWidth: 3, inChannels: 1, outHeight: 2, outWidth: 2, outChannels: 1,
      strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, filterHeight: 2, filterWidth: 2,
      padInfo: { top: 0, left: 0 },
    };
    const dW = conv2dFilterGradient([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 1, 1], g);
    expect(Array.from(dW)).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9]);
  });

  it('equals the cpu backend for same/valid padding and strides', async () => {
    const cases = [
      { x: [4, 8, 8, 2], f: [3, 3, 2, 5], stride: 1, pad: 'same' as const },
      { x: [3, 9, 7, 3], f: [3, 2, 3, 4], stride: 2, pad: 'valid' as const },
      { x: [2, 6, 6, 1], f: [3, 3, 1, 8], stride: 2, pad: 'same' as const },
    ];
    const compute = (tf: Tf): Float32Array[] =>
      cases.map(({ x, f, stride, pad }, i) =>
        tf.tidy(() => {
          const input = tf.randomUniform(x, -1, 1, 'float32', 30 + i) as Tensor;
          const filter = tf.variable(tf.randomUniform(f, -1, 1, 'float32', 40 + i));
          const { grads } = tf.variableGrads(
            () => tf.sum(tf.square(tf.conv2d(input as never, filter as never, stride, pad))) as never,
            [filter],
          );
          const out = (grads[filter.name] as Tensor).dataSync() as Float32Array;
          filter.dispose();
          return out;
        }),
      );
    const cpu = await initBackend('cpu', { stockKernels: false, threads: 1 });
    const expected = compute(cpu.tf);
    const wasm = await initBackend('wasm', { stockKernels: false, threads: 1 });
    const actual = compute(wasm.tf);
    actual.forEach((values, i) => {
      const scale = Math.max(...Array.from(expected[i] as Float32Array, Math.abs));
      expect(maxAbsDiff(values, expected[i] as Float32Array) / scale).toBeLessThan(1e-5);
    });
  });
});

describe('kernels wasm lacks', () => {
  it('computes the gather gradient (UnsortedSegmentSum) through the cpu fallback', async () => {
    const { tf, info } = await initBackend('wasm', { stockKernels: false, threads: 1 });
    expect(info.kernelPatches).toContain('UnsortedSegmentSum:cpu-fallback');
    const x = tf.variable(tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]));
    const indices = tf.tensor1d([0, 2, 2], 'int32');
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.gather(x, indices)) as never, [x]);
    // Row 0 gathered once, row 2 twice, rows 1 and 3 never.
    expect(Array.from((grads[x.name] as Tensor).dataSync())).toEqual([1, 1, 0, 0, 2, 2, 0, 0]);
    expect(value.dataSync()[0]).toBe(1 + 2 + 2 * (5 + 6));
    tf.dispose([x, indices, value, ...Object.values(grads)]);
  });
});

describe('calibratePeakFlops', () => {
  it('counts a multiply-add as two FLOPs', () => {
    expect(matmulFlops(2, 3, 4)).toBe(48);
  });

  it('returns a finite, positive rate', async () => {
    const { tf } = await initBackend('wasm', { stockKernels: false, threads: 1 });
    const tensors = tf.memory().numTensors;
    const flops = await calibratePeakFlops(tf, { size: 64, budgetMs: 20 });
    expect(Number.isFinite(flops)).toBe(true);
    expect(flops).toBeGreaterThan(1e6);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
