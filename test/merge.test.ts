/** Joining shard results: what is kept, what is missing, and what must be refused. */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/results/schema.js';
import { mergeResults, parseShardInfo, type MergeInput } from '../src/plan/merge.js';
import { parseRunResult } from '../src/results/file.js';
import { analyse } from '../src/analyse/index.js';
import { InputError } from '../src/config/errors.js';
import { shardCells } from '../src/plan/shard.js';
import { buildReportInput } from '../src/report/index.js';
import { renderHtml } from '../src/report/html.js';
import { makeEnvironment, makeRunResult, nonFiniteNumbers, type CellSpec } from './helpers/run-result.js';

/** Six cells of one sweep: two models x three sizes. */
const SPECS: CellSpec[] = ['linear', 'mlp-small'].flatMap((model) =>
  [1000, 2000, 4000].map((size) => ({ model, size, wallMs: [size / 10, size / 10 + 1, size / 10 + 2] })),
);
const WHOLE = makeRunResult(SPECS);
const SWEEP = 'sweep-0123456789';

/** Shard `index` of `count` holding the cells at `positions` of SPECS, run on `machine`. */
function shard(index: number, count: number, positions: number[], machine = 'machine-a', extra: Partial<RunResult> = {}): MergeInput {
  const env = makeEnvironment({ machineId: machine, hostname: `${machine}.ci` });
  const base = makeRunResult(positions.map((p) => SPECS[p]!), { environment: env, runId: `${SWEEP}-shard${index}of${count}` });
  const result: RunResult = {
    ...base,
    startedAt: `2025-01-01T00:0${index}:00.000Z`,
    finishedAt: `2025-01-01T00:1${index}:00.000Z`,
    plan: { ...base.plan, repeats: 3, shard: { index, count, sweepRunId: SWEEP, plannedCells: WHOLE.plan.cells } },
    ...extra,
  };
  return { file: `shard-${index}.json`, result };
}

// How `run --shard i/3` splits SPECS (cost-balanced, see test/shard.test.ts): {0, 5}, {1, 4}, {2, 3}.
const THREE = () => [shard(1, 3, [0, 5]), shard(2, 3, [1, 4], 'machine-b'), shard(3, 3, [2, 3])];

describe('mergeResults', () => {
  it('gives back every planned cell once, in plan order, each with the machine that ran it', () => {
    const outcome = mergeResults(THREE().reverse());
    const { result } = outcome;
    expect(result.cells.map((c) => c.cell.id)).toEqual(WHOLE.cells.map((c) => c.cell.id));
    expect(result.cells.map((c) => c.trials)).toEqual(WHOLE.cells.map((c) => c.trials));
    expect(result.cells.map((c) => c.machineId)).toEqual(['machine-a', 'machine-b', 'machine-a', 'machine-a', 'machine-b', 'machine-a']);
    expect(result.plan.cells).toEqual(WHOLE.plan.cells);
    expect(result.plan.shard).toBeUndefined();
    expect(result.runId).toBe(SWEEP);
    expect(result.plan.runId).toBe(SWEEP);
    // Shard 1 is the primary even when passed last; both machines are kept.
    expect(result.environment.machineId).toBe('machine-a');
    expect(Object.keys(result.machines ?? {}).sort()).toEqual(['machine-a', 'machine-b']);
    expect(result.machines?.['machine-b']?.hostname).toBe('machine-b.ci');
    expect(result.startedAt).toBe('2025-01-01T00:01:00.000Z');
    expect(result.finishedAt).toBe('2025-01-01T00:13:00.000Z');
    expect(result.complete).toBe(true);
    expect(outcome.missingShards).toEqual([]);
    expect(outcome.missingCells).toEqual([]);
    expect(outcome.warnings.join(' ')).toMatch(/2 different machines/);
  });

  it('writes a valid results file that analyses without NaN', () => {
    const { result } = mergeResults(THREE());
    const reread = parseRunResult(JSON.parse(JSON.stringify(result)), 'merged.json');
    expect(reread.cells).toHaveLength(6);
    const analysis = analyse(reread);
    expect(analysis.cells).toHaveLength(6);
    expect(nonFiniteNumbers(analysis)).toEqual([]);
  });

  it('the HTML report shows which machine ran each cell when shards ran on several machines', () => {
    const cellsTable = (html: string) => html.slice(html.indexOf('id="cells-table"'), html.indexOf('</table>', html.indexOf('id="cells-table"')));
    const merged = cellsTable(renderHtml(buildReportInput([mergeResults(THREE()).result])));
    expect(merged).toMatch(/<button type="button">machine<\/button>/);
    expect(merged.match(/<td data-sort="machine-b.ci">machine-b.ci<\/td>/g)).toHaveLength(2);
    expect(merged.match(/<td data-sort="machine-a.ci">machine-a.ci<\/td>/g)).toHaveLength(4);
    // One machine: no machine column.
    const single = cellsTable(renderHtml(buildReportInput([WHOLE])));
    expect(single).not.toMatch(/>machine</);
  });

  it('is incomplete, not refused, when a shard is missing, and names it and its cells', () => {
    const [one, , three] = THREE();
    const outcome = mergeResults([one!, three!]);
    expect(outcome.result.complete).toBe(false);
    expect(outcome.missingShards).toEqual([2]);
    expect(outcome.missingCells).toEqual([WHOLE.cells[1]!.cell.id, WHOLE.cells[4]!.cell.id]);
    expect(outcome.result.plan.cells).toHaveLength(6);
    expect(outcome.result.cells).toHaveLength(4);
  });

  it('THREE follows the real split, and a shard file without its shard block (e.g. resumed) still counts as present', () => {
    const plan = { ...WHOLE.plan, repeats: 3, warmup: 1 };
    expect([1, 2, 3].map((index) => shardCells(plan, { index, count: 3 }).map((c) => WHOLE.plan.cells.indexOf(c)))).toEqual([[0, 5], [1, 4], [2, 3]]);
    const parts = THREE();
    const { shard: _dropped, ...bare } = parts[1]!.result.plan;
    parts[1] = { ...parts[1]!, result: { ...parts[1]!.result, plan: bare } };
    const outcome = mergeResults(parts);
    expect(outcome.missingShards).toEqual([]);
    expect(outcome.result.complete).toBe(true);
    expect(mergeResults([parts[0]!, parts[2]!]).missingShards).toEqual([2]);
  });

  it('is incomplete when a cell has a failed repetition', () => {
    const parts = THREE();
    const failed = parts[1]!.result.cells[0]!;
    failed.trials[2] = { ...failed.trials[2]!, state: 'timeout', error: 'cell exceeded --cell-timeout' };
    const outcome = mergeResults(parts);
    expect(outcome.result.complete).toBe(false);
    expect(outcome.failedCells).toEqual([failed.cell.id]);
  });

  it('refuses a cell present in two files, naming both', () => {
    const parts = THREE();
    parts[2] = shard(3, 3, [2, 3, 5]);
    expect(() => mergeResults(parts)).toThrow(InputError);
    expect(() => mergeResults(parts)).toThrow(/shard-3.json: has cell "mlp-small\|classification\|n=4000.*which shard-1.json has too/);
  });

  it('refuses the same shard twice, and the same file twice', () => {
    const copy = { ...shard(1, 3, [0, 5]), file: 'copy-of-shard-1.json' };
    expect(() => mergeResults([shard(1, 3, [0, 5]), copy])).toThrow(/copy-of-shard-1.json: is shard 1\/3 again/);
    expect(() => mergeResults([shard(1, 3, [0, 5]), shard(1, 3, [0, 5])])).toThrow(/shard-1.json: is given twice/);
  });

  it('refuses mixed versions, runners, settings, splits and sweeps', () => {
    const [one, two] = THREE();
    const retool = { ...two!, result: { ...two!.result, tool: { name: 'scale-bench' as const, version: '9.9.9' } } };
    expect(() => mergeResults([one!, retool])).toThrow(/shard-2.json: was written by scale-bench 9.9.9, but shard-1.json by 0.0.0-test/);

    const tfjs = { ...two!, result: { ...two!.result, environment: { ...two!.result.environment, runner: 'tfjs' as const } } };
    expect(() => mergeResults([one!, tfjs])).toThrow(/tfjs runner, but shard-1.json by the fake runner/);

    const reseeded = { ...two!, result: { ...two!.result, plan: { ...two!.result.plan, seed: 7 } } };
    expect(() => mergeResults([one!, reseeded])).toThrow(/different sweep: its plan has seed 7, but shard-1.json has 42/);

    const toTarget = { ...two!, result: { ...two!.result, plan: { ...two!.result.plan, convergence: { targets: [{ metric: 'accuracy' as const, value: 0.8 }], evalEvery: 0.25, maxEpochs: 50 } } } };
    expect(() => mergeResults([one!, toTarget])).toThrow(/different sweep: its plan has convergence/);

    const otherSplit = shard(2, 4, [1, 3]);
    expect(() => mergeResults([one!, otherSplit])).toThrow(/is shard 2 of 4, but shard-1.json is shard 1 of 3/);

    const fewerCells = shard(2, 3, [1, 3]);
    fewerCells.result.plan.shard!.plannedCells = WHOLE.plan.cells.slice(0, 5);
    expect(() => mergeResults([one!, fewerCells])).toThrow(/planned other cells.*pass --workers/);

    const otherRun = shard(2, 3, [1, 3]);
    otherRun.result.plan.shard!.sweepRunId = 'nightly-2';
    expect(() => mergeResults([one!, otherRun])).toThrow(/belongs to run "nightly-2", but shard-1.json to "sweep-0123456789".*--run-id/);
    expect(mergeResults([one!, otherRun], { runId: 'joined' }).result.runId).toBe('joined');
  });

  it('refuses a cell that is not in the plan', () => {
    const stray = shard(2, 3, [1, 3]);
    stray.result.cells[0] = { ...stray.result.cells[0]!, cell: { ...stray.result.cells[0]!.cell, id: 'nope' } };
    expect(() => mergeResults([shard(1, 3, [0, 5]), stray])).toThrow(/has cell "nope", which is not in the sweep's plan/);
  });

  it('joins unsplit runs of disjoint cells by the union of their plans', () => {
    const linear = makeRunResult(SPECS.slice(0, 3), { runId: 'a' });
    const mlp = makeRunResult(SPECS.slice(3), { runId: 'b' });
    const outcome = mergeResults([{ file: 'a.json', result: linear }, { file: 'b.json', result: mlp }]);
    expect(outcome.result.cells.map((c) => c.cell.id)).toEqual(WHOLE.cells.map((c) => c.cell.id));
    expect(outcome.result.complete).toBe(true);
    expect(outcome.result.runId).toBe('a');
    expect(outcome.warnings.join(' ')).toMatch(/different run ids \(a, b\)/);
  });

  it('needs at least one file', () => {
    expect(() => mergeResults([])).toThrow(/give at least one results file/);
  });
});

describe('parseShardInfo', () => {
  it('reads plan.shard, or undefined for unsplit runs, and refuses a mangled block', () => {
    const { result } = shard(2, 3, [1]);
    expect(parseShardInfo(JSON.parse(JSON.stringify(result)), 'f.json')).toEqual(result.plan.shard);
    expect(parseShardInfo(WHOLE, 'f.json')).toBeUndefined();
    expect(() => parseShardInfo({ plan: { shard: { index: 4, count: 3, sweepRunId: 'x', plannedCells: [] } } }, 'f.json')).toThrow(/f.json: has a malformed plan.shard/);
    expect(() => parseShardInfo({ plan: { shard: { index: 1 } } }, 'f.json')).toThrow(InputError);
  });
});
