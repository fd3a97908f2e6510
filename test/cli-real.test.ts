/** The CLI end to end with the real tfjs runner (wasm here) on tiny sizes. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseRunResult } from '../src/results/file.js';
import type { RunResult } from '../src/results/schema.js';

const MODELS = ['linear', 'logistic', 'mlp-small', 'mlp-deep', 'cnn-small'];
const SIZES = [200, 400, 800];
const WIDTHS = [1, 2];

async function tinyRun(seed: number): Promise<RunResult> {
  const out = mkdtempSync(join(tmpdir(), 'sb-real-'));
  const { code, stdout, stderr } = await runCli([
    'run', '--models', MODELS.join(','), '--sizes', SIZES.join(','), '--workers', WIDTHS.join(','),
    '--repeats', '2', '--seed', String(seed), '--out', out, '--json', '--report', 'json',
  ]);
  expect(code, stderr).toBe(0);
  const raw = (JSON.parse(stdout) as { result: unknown }).result;
  const parsed = parseRunResult(raw, 'stdout');
  // The schema must keep every field a run writes, or --resume, merge and compare silently lose data.
  expect(parsed).toEqual(raw);
  return parsed;
}

describe('scale-bench run (real tfjs runner, tiny sizes)', () => {
  it('trains every model x size x width, reports quality and the backend, and is reproducible by seed', async () => {
    const first = await tinyRun(7);
    expect(first.environment.runner).toBe('tfjs');
    expect(['node', 'wasm', 'cpu']).toContain(first.environment.backend);
    expect(first.environment.tfjsVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(first.environment.peakFlopsPerSec).toBeGreaterThan(0);
    expect(first.cells).toHaveLength(MODELS.length * SIZES.length * WIDTHS.length);
    for (const model of MODELS) {
      for (const size of SIZES) {
        for (const width of WIDTHS) {
          const cell = first.cells.find((c) => c.cell.model === model && c.cell.size === size && c.cell.workers === width);
          expect(cell, `${model} n=${size} w=${width}`).toBeDefined();
          expect(cell!.model.params).toBeGreaterThan(0);
          // What ran: wasm and cpu run one thread per worker in Node, whatever the cores allow.
          if (first.environment.backend !== 'node') expect(cell!.threadsPerWorker).toBe(1);
          for (const trial of cell!.trials) {
            expect(trial.state).toBe('ok');
            expect(trial.samplesPerSec).toBeGreaterThan(0);
            expect(trial.samples).toBe(size * width);
            expect(Number.isFinite(trial.quality.value)).toBe(true);
            expect(trial.quality.metric).toBe(model === 'linear' ? 'r2' : 'accuracy');
            expect(trial.peakRssBytes).toBeGreaterThan(0);
          }
        }
      }
    }
    const byParams = (name: string) => first.cells.find((c) => c.cell.model === name)!.model.params;
    expect(byParams('linear')).toBeLessThan(byParams('mlp-small'));
    expect(byParams('mlp-small')).toBeLessThan(byParams('mlp-deep'));

    // Same seed: identical datasets and identical initial weights, cell for cell.
    const second = await tinyRun(7);
    for (const [index, cell] of first.cells.entries()) {
      const twin = second.cells[index]!;
      expect(twin.cell.id).toBe(cell.cell.id);
      expect(cell.dataChecksum).toMatch(/^[0-9a-f]{16}$/);
      expect(twin.dataChecksum).toBe(cell.dataChecksum);
      expect(cell.initialWeightsChecksum).toMatch(/^[0-9a-f]{16}$/);
      expect(twin.initialWeightsChecksum).toBe(cell.initialWeightsChecksum);
    }
    // A different seed changes both.
    const other = await tinyRun(8);
    expect(other.cells[0]!.dataChecksum).not.toBe(first.cells[0]!.dataChecksum);
    expect(other.cells[0]!.initialWeightsChecksum).not.toBe(first.cells[0]!.initialWeightsChecksum);
  });
});
