/** The PyTorch side-by-side benchmark: its arithmetic, the table it prints, and (where torch imports) a tiny real run. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { referenceTargets, renderReference, runReferenceBench, spread, type ModelComparison, type ReferenceResult } from '../benchmarks/reference.js';
import { findTorchPython, torchLayers } from '../benchmarks/torch-client.js';
import { initBackend } from '../src/backends/index.js';
import { BUILTIN_MODELS } from '../src/models/catalog.js';
import { GENERATORS } from '../src/data/generators/index.js';

function comparison(model: ModelComparison['model'], sb: number[], pt: number[], flops = 1e6): ModelComparison {
  return {
    model,
    trainFlopsPerSample: flops,
    scaleBench: { samplesPerSec: sb, samplesPerCpuSec: sb, cpuPerWall: sb.map(() => 1) },
    torch: { samplesPerSec: pt, samplesPerCpuSec: pt, cpuPerWall: pt.map(() => 1) },
    roundRatios: sb.map((s, i) => s / (pt[i] as number)),
    roundCpuRatios: sb.map((s, i) => s / (pt[i] as number)),
  };
}

function result(models: ModelComparison[], reference = false): ReferenceResult {
  return {
    startedAt: '2026-11-29T12:00:00.000Z',
    machine: { cpu: 'Test CPU', cores: 2 },
    scaleBenchVersion: '0.1.0',
    backend: { name: 'wasm', tfjsVersion: '4.22.0', backendVersion: '4.22.0', wasmSimd: true, kernelPatches: [], threads: 1 },
    peakFlopsPerSec: 50e9,
    peakCpuFlopsPerSec: 50e9,
    size: 16_000,
    batchSize: 256,
    learningRate: 0.01,
    torch: {
      torch: '1.13.0',
      python: '3.11.2',
      threads: 1,
      interopThreads: 1,
      blas: reference
        ? { library: 'reference BLAS (netlib)', provider: '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3', paths: [], reference: true }
        : { library: 'OpenBLAS', provider: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3', paths: [], reference: false },
      matmulGflops: reference ? 5.5 : 158,
    },
    models,
  };
}

describe('reference benchmark arithmetic', () => {
  it('spread: median, half the IQR over the median, and the range', () => {
    // sorted 1,2,3,4,5: quartiles 2 and 4 -> half IQR 1, over the median 3.
    expect(spread([5, 1, 4, 2, 3])).toEqual({ median: 3, halfIqrRel: 1 / 3, min: 1, max: 5 });
    expect(spread([7])).toEqual({ median: 7, halfIqrRel: 0, min: 7, max: 7 });
    expect(() => spread([])).toThrow(/at least one/);
  });

  it('targets: ratios to PyTorch from the per-round CPU ratios, mlp-deep MFU from CPU samples/s over the CPU peak', () => {
    const r = result([
      comparison('cnn-small', [60, 40, 50], [100, 100, 100]), // ratios 0.6, 0.4, 0.5 -> median 0.5
      comparison('mlp-small', [45, 45, 45], [100, 100, 100]),
      comparison('mlp-deep', [40_000, 41_000, 39_000], [1, 1, 1], 1e6), // 40k x 1 MFLOP = 40 GFLOP/s of 50
    ]);
    const targets = referenceTargets(r);
    expect(targets.map((t) => [t.name, t.measured, t.verdict])).toEqual([
      ['cnn-small / PyTorch', 0.5, 'ok'],
      ['mlp-small / PyTorch', 0.45, 'BELOW TARGET'],
      ['mlp-deep MFU', 0.8, 'ok'],
    ]);
  });

  it('prints the ratio table with spreads, the BLAS, and flags the reference BLAS as not a fair comparison', () => {
    const models = [comparison('logistic', [2e6, 2.2e6, 1.8e6], [1e6, 1e6, 1e6], 780), comparison('mlp-small', [4e5, 4e5, 4e5], [5e5, 5e5, 5e5])];
    const fair = renderReference(result(models));
    expect(fair).toMatch(/^2026-11-29 on Test CPU \(2 cores\): scale-bench 0\.1\.0 \(tfjs 4\.22\.0, wasm 4\.22\.0\) vs PyTorch 1\.13\.0 \(Python 3\.11\.2\)/);
    expect(fair).toMatch(/PyTorch BLAS: OpenBLAS \(.*openblas-pthread/);
    expect(fair).toMatch(/logistic +│ 2\.00M ±5% +│ 1\.00M ±0% +│ 2\.00 \[1\.80-2\.20\]/);
    expect(fair).toMatch(/target mlp-small \/ PyTorch >= 0\.5: 0\.80 ok/);
    expect(fair).not.toMatch(/NOT A FAIR/);
    const unfair = renderReference(result(models, true));
    expect(unfair).toMatch(/reference BLAS \(netlib\).*5\.5 GFLOP\/s/);
    expect(unfair).toMatch(/NOT A FAIR COMPARISON/);
    expect(unfair).toMatch(/target mlp-small \/ PyTorch >= 0\.5: 0\.80 inconclusive \(PyTorch on the reference BLAS\)/);
  });

  it('describes the built-in models layer by layer for PyTorch', async () => {
    const { tf } = await initBackend('wasm', { stockKernels: false, threads: 1 });
    const cnn = BUILTIN_MODELS['cnn-small'].build(tf, GENERATORS.images.defaultSpec, 1);
    const mlp = BUILTIN_MODELS['mlp-small'].build(tf, GENERATORS.classification.defaultSpec, 1);
    expect(torchLayers(cnn)).toEqual([
      { type: 'conv2d', filters: 8, kernel: [3, 3], padding: 'same', activation: 'relu' },
      { type: 'maxpool', pool: [2, 2], strides: [2, 2] },
      { type: 'flatten' },
      { type: 'dense', units: 3, activation: 'linear' },
    ]);
    expect(torchLayers(mlp).map((l) => (l.type === 'dense' ? [l.units, l.activation] : l.type))).toEqual([[64, 'relu'], [64, 'relu'], [4, 'linear']]);
    cnn.dispose();
    mlp.dispose();
  });
});

describe('reference benchmark without PyTorch', () => {
  it('says why it did not run and how to fix it, instead of failing', async () => {
    const found = findTorchPython(['/nonexistent/python3']);
    expect('reason' in found && found.reason).toMatch(/no Python here imports torch .*apt-get install python3-torch libopenblas0-pthread.*SCALE_BENCH_PYTHON/);
    const r = await runReferenceBench({ pythons: ['/nonexistent/python3'] });
    expect(r.torch).toBeNull();
    expect(renderReference(r)).toMatch(/^reference torch: not run: no Python here imports torch/);
  });
});

const torchPython = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch, numpy'], { timeout: 60_000 }).status === 0);

describe.runIf(torchPython !== undefined)('reference benchmark with PyTorch (only where torch imports)', () => {
  it('trains both sides on the same data, round by round, and reports one thread', async () => {
    const r = await runReferenceBench({ models: ['logistic', 'cnn-small'], rounds: 2, size: 1024, minRoundMs: 1, pythons: [torchPython as string] });
    expect(r.torch?.threads).toBe(1);
    expect(r.torch?.blas.library).toBeTruthy();
    for (const m of r.models) {
      expect(m.roundRatios).toHaveLength(2);
      expect(m.scaleBench.samplesPerSec.length).toBe(m.torch.samplesPerSec.length);
      expect(m.torch.samplesPerSec.every((x) => x > 0)).toBe(true);
    }
    expect(renderReference(r)).toMatch(/cnn-small/);
  }, 120_000);
});
