/** Training to a target with the real tfjs runner (wasm) on tiny sizes, in both training modes. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseRunResult } from '../src/results/file.js';
import type { Analysis } from '../src/analyse/schema.js';

async function realRun(args: string[]) {
  const out = mkdtempSync(join(tmpdir(), 'sb-quality-real-'));
  const { code, stdout, stderr } = await runCli(['run', '--out', out, '--json', '--report', 'json', '--warmup', '0', ...args]);
  expect(code, stderr).toBe(0);
  const parsed = JSON.parse(stdout) as { result: unknown; analysis: Analysis };
  const result = parseRunResult(parsed.result, 'stdout');
  // The schema keeps every field a run writes.
  expect(result).toEqual(parsed.result);
  return { result, analysis: parsed.analysis };
}

describe('--target with real training (tiny sizes)', () => {
  it('job-parallel: every trial trains until the held-out metric reaches its task\'s target', async () => {
    const { result, analysis } = await realRun(['--models', 'linear,mlp-small', '--sizes', '400,800', '--workers', '1,2', '--target', 'accuracy=0.6', '--target', 'r2=0.8', '--repeats', '2']);
    expect(result.cells).toHaveLength(8);
    for (const cell of result.cells) {
      expect(cell.idealQuality).toBeDefined();
      expect(cell.trivialQuality).toBeDefined();
      for (const t of cell.trials) {
        expect(t.state).toBe('ok');
        expect(t.converged, cell.cell.id).toBe(true);
        expect(t.stopReason).toBe('target');
        expect(t.timeToTargetMs).toBeGreaterThan(0);
        expect(t.epochsToTarget).toBeGreaterThan(0);
        expect(t.quality.value).toBeGreaterThanOrEqual(cell.cell.model === 'linear' ? 0.8 : 0.6);
      }
      // Repetitions differ in seed (data order, initial weights); the replicas of one repetition do not.
      expect(cell.trials[0]!.seed).not.toBe(cell.trials[1]!.seed);
    }
    for (const c of analysis.cells) expect(c.timeToTarget?.status).toBe('converged');
  });

  it('data-parallel: rank 0 evaluates and every rank stops after the same step', async () => {
    const { result } = await realRun(['--mode', 'data-parallel', '--models', 'mlp-small', '--sizes', '800', '--workers', '1,2', '--target', 'accuracy=0.6', '--repeats', '2']);
    const [w1, w2] = result.cells;
    for (const cell of [w1!, w2!]) {
      for (const t of cell.trials) {
        expect(t).toMatchObject({ state: 'ok', converged: true, stopReason: 'target' });
        expect(t.replicaMaxDiff!).toBeLessThan(1e-4);
      }
    }
    // Strong scaling is the same arithmetic at any width: the same epochs to the target, seed for seed.
    expect(w2!.trials.map((t) => t.epochsToTarget)).toEqual(w1!.trials.map((t) => t.epochsToTarget));
  });
});
