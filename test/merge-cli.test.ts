/**
 * `run --shard i/n` + `merge` end to end with the fake runner: the four shards of the quick sweep,
 * merged, hold exactly the cells (and, the fake runner being deterministic, the very numbers) of the
 * unsharded sweep.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseRunResult } from '../src/results/file.js';
import type { RunResult } from '../src/results/schema.js';

const SWEEP = ['--quick', '--workers', '1,2,3', '--runner', 'fake', '--report', 'json', '--quiet'];

function read(file: string): RunResult {
  return parseRunResult(JSON.parse(readFileSync(file, 'utf8')), file);
}

describe('scale-bench run --shard + merge (fake runner)', () => {
  it('merging the 4 shards of the quick sweep gives exactly the unsharded sweep', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-shard-'));
    const [whole, ...shards] = await Promise.all([
      runCli(['run', ...SWEEP, '--out', join(out, 'whole'), '--run-id', 'whole']),
      ...[1, 2, 3, 4].map((i) => runCli(['run', ...SWEEP, '--out', join(out, 'shards'), '--shard', `${i}/4`, '--run-id', 'ci-7'])),
    ]);
    expect(whole!.code, whole!.stderr).toBe(0);
    for (const shard of shards) expect(shard.code, shard.stderr).toBe(0);
    expect(readdirSync(join(out, 'shards')).sort()).toEqual(['ci-7-shard1of4', 'ci-7-shard2of4', 'ci-7-shard3of4', 'ci-7-shard4of4']);

    const files = [4, 2, 1, 3].map((i) => join(out, 'shards', `ci-7-shard${i}of4`, 'results.json'));
    const sizes = files.map((file) => read(file).cells.length);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(45);

    const merged = join(out, 'merged', 'results.json');
    const merge = await runCli(['merge', ...files, '-o', merged]);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stderr).toMatch(/merged 4 files: 45 of 45 planned cells, 1 machine, run id ci-7/);

    const joined = read(merged);
    const reference = read(join(out, 'whole', 'whole', 'results.json'));
    expect(joined.complete).toBe(true);
    expect(joined.runId).toBe('ci-7');
    expect(joined.plan.cells).toEqual(reference.plan.cells);
    expect(joined.cells.map((c) => c.cell.id)).toEqual(reference.cells.map((c) => c.cell.id));
    expect(joined.cells).toEqual(reference.cells);
    expect(Object.keys(joined.machines ?? {})).toEqual([reference.environment.machineId]);

    // The merged file is an ordinary results file: reports can be made from it.
    const report = await runCli(['report', merged, '--report', 'json,csv,markdown', '--out', join(out, 'report')]);
    expect(report.code, report.stderr).toBe(0);
  });

  it('exits 3 and names the missing shard when one is left out; 2 when a shard is given twice', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-shard-'));
    const args = ['run', '--models', 'linear,logistic', '--sizes', '1k,2k', '--workers', '1', '--runner', 'fake', '--report', 'json', '--quiet', '--out', out];
    const runs = await Promise.all([1, 2].map((i) => runCli([...args, '--shard', `${i}/2`])));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const folders = readdirSync(out).sort();
    expect(folders).toHaveLength(2);
    expect(folders[0]).toMatch(/^sweep-[0-9a-f]{10}-shard1of2$/);
    const first = join(out, folders[0]!, 'results.json');

    const partial = await runCli(['merge', first, '-o', join(out, 'partial.json')]);
    expect(partial.code).toBe(3);
    expect(partial.stderr).toMatch(/missing shard 2/);
    expect(partial.stderr).toMatch(/missing 2 cell\(s\)/);
    expect(read(join(out, 'partial.json')).complete).toBe(false);

    const twice = await runCli(['merge', first, first, '-o', join(out, 'twice.json')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/shard1of2\/results.json: is given twice/);
    expect(twice.stderr).not.toMatch(/\n\s+at /);

    // A copy of the same shard under another name is caught by its shard number.
    const copy = join(out, 'copy.json');
    writeFileSync(copy, readFileSync(first));
    const again = await runCli(['merge', first, copy, '-o', join(out, 'again.json')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/copy.json: is shard 1\/2 again/);

    const noOutput = await runCli(['merge', first]);
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toMatch(/--output/);
  });

  it('rejects a malformed --shard with exit 2', async () => {
    const { code, stderr } = await runCli(['run', '--runner', 'fake', '--quick', '--shard', '5/4']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--shard: shard 5 of 4 does not exist/);
  });
});
