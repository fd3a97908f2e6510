import { describe, expect, it } from 'vitest';
import { checkTargets, renderThroughputTable, type ModelThroughput, type ThroughputResult, type VariantResult } from '../benchmarks/throughput.js';

function variant(best: number, flopsPerSample: number): VariantResult {
  return {
    bestSamplesPerSec: best,
    medianSamplesPerSec: best * 0.9,
    bestGflops: (best * flopsPerSample) / 1e9,
    mfu: (best * flopsPerSample) / 25e9,
    samplesPerRepetition: 2560,
    quality: 0.8,
    runs: [best * 0.9, best],
  };
}

function row(model: 'mlp-small' | 'mlp-deep', patched: number, stock: number): ModelThroughput {
  const flops = model === 'mlp-deep' ? 1_241_100 : 39_180;
  return {
    model,
    info: { name: model, params: 1, forwardFlopsPerSample: flops / 3, trainFlopsPerSample: flops },
    variants: { patched: variant(patched, flops), stock: variant(stock, flops) },
    kernelSpeedup: patched / stock,
    totalSpeedup: null,
  };
}

describe('throughput targets', () => {
  it('passes at the thresholds and fails just below them', () => {
    const ok = checkTargets([row('mlp-deep', 12_000, 3_000), row('mlp-small', 150_000, 50_000)]);
    expect(ok.map((t) => [t.name, t.passed])).toEqual([
      ['mlp-deep samples/s', true],
      ['mlp-small samples/s', true],
      ['mlp-deep patched/stock', true],
    ]);
    const low = checkTargets([row('mlp-deep', 11_999, 3_001), row('mlp-small', 149_999, 50_000)]);
    expect(low.every((t) => !t.passed)).toBe(true);
  });

  it('skips targets of models that were not measured', () => {
    expect(checkTargets([row('mlp-small', 200_000, 60_000)]).map((t) => t.name)).toEqual(['mlp-small samples/s']);
  });

  it('renders a table with the ratios and the target lines', () => {
    const result: ThroughputResult = {
      backend: { name: 'wasm', tfjsVersion: '4.22.0', backendVersion: '4.22.0', wasmSimd: true, kernelPatches: [], threads: 1 },
      peakFlopsPerSec: 25e9,
      cpuModel: 'test cpu',
      batchSize: 256,
      models: [row('mlp-deep', 14_000, 2_000)],
      targets: checkTargets([row('mlp-deep', 14_000, 2_000)]),
      summary: '',
    };
    const text = renderThroughputTable(result);
    expect(text).toMatch(/mlp-deep/);
    expect(text).toMatch(/14,000/);
    expect(text).toMatch(/7\.0x/);
    expect(text).toMatch(/target mlp-deep patched\/stock >= 4: 7\.0 ok/);
    expect(text).not.toMatch(/\u001b\[/); // no colour codes in files and logs
  });
});
