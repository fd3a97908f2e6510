/** `--shard auto`: the shard from SCALE_BENCH_SHARD, a Kubernetes Indexed Job or a Slurm job array. */
import { describe, expect, it } from 'vitest';
import { parseShardFlag, shardFromEnvironment } from '../src/plan/shard-env.js';
import { UsageError } from '../src/config/errors.js';

function shard(env: NodeJS.ProcessEnv) {
  const { index, count } = shardFromEnvironment(env);
  return `${index}/${count}`;
}

function failure(env: NodeJS.ProcessEnv): string {
  try {
    shardFromEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('--shard auto', () => {
  it('reads SCALE_BENCH_SHARD=i/n', () => {
    expect(shard({ SCALE_BENCH_SHARD: '2/4' })).toBe('2/4');
    expect(failure({ SCALE_BENCH_SHARD: '5/4' })).toMatch(/SCALE_BENCH_SHARD: shard 5 of 4 does not exist/);
  });

  it('reads a Kubernetes Indexed Job: JOB_COMPLETION_INDEX is 0-based, the count comes from SCALE_BENCH_SHARDS', () => {
    expect(shard({ JOB_COMPLETION_INDEX: '0', SCALE_BENCH_SHARDS: '4' })).toBe('1/4');
    expect(shard({ JOB_COMPLETION_INDEX: '3', SCALE_BENCH_SHARDS: '4' })).toBe('4/4');
    expect(failure({ JOB_COMPLETION_INDEX: '4', SCALE_BENCH_SHARDS: '4' })).toMatch(/JOB_COMPLETION_INDEX=4, SCALE_BENCH_SHARDS=4 gives shard 5 of 4/);
    expect(failure({ JOB_COMPLETION_INDEX: '1' })).toMatch(/SCALE_BENCH_SHARDS="" is not a whole number \(it must be set with JOB_COMPLETION_INDEX/);
  });

  it('reads a Slurm array, honouring SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_STEP', () => {
    expect(shard({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0' })).toBe('1/3');
    // sbatch --array=1-8: ids 1..8 are shards 1..8.
    expect(shard({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '8', SLURM_ARRAY_TASK_MIN: '1' })).toBe('1/8');
    expect(shard({ SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_COUNT: '8', SLURM_ARRAY_TASK_MIN: '1' })).toBe('8/8');
    // sbatch --array=10-13
    expect(shard({ SLURM_ARRAY_TASK_ID: '12', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_MAX: '13' })).toBe('3/4');
    // sbatch --array=0-15:4 runs 0, 4, 8, 12
    expect(shard({ SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '4' })).toBe('3/4');
    expect(failure({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '4' })).toMatch(/is not a task of the array 0, 4/);
    expect(failure({ SLURM_ARRAY_TASK_ID: '2' })).toMatch(/SLURM_ARRAY_TASK_COUNT="" is not a whole number/);
  });

  it('accepts several engines that agree, refuses ones that disagree, naming both', () => {
    expect(shard({ SCALE_BENCH_SHARD: '2/4', JOB_COMPLETION_INDEX: '1', SCALE_BENCH_SHARDS: '4' })).toBe('2/4');
    const message = failure({ SCALE_BENCH_SHARD: '1/4', SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0' });
    expect(message).toMatch(/two different shards: SCALE_BENCH_SHARD=1\/4 is shard 1\/4, but SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_COUNT=4, SLURM_ARRAY_TASK_MIN=0 is 3\/4/);
  });

  it('names every variable it looks for when none is set', () => {
    const message = failure({});
    for (const name of ['SCALE_BENCH_SHARD', 'JOB_COMPLETION_INDEX', 'SCALE_BENCH_SHARDS', 'SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT']) expect(message).toContain(name);
    expect(failure({ SCALE_BENCH_SHARDS: '4' })).toMatch(/SCALE_BENCH_SHARDS=4 is set, but no index/);
  });

  it('--shard i/n still parses as before; auto is case-insensitive', () => {
    expect(parseShardFlag('3/5', {})).toEqual({ index: 3, count: 5 });
    expect(parseShardFlag('AUTO', { SCALE_BENCH_SHARD: '1/2' })).toEqual({ index: 1, count: 2 });
    expect(() => parseShardFlag('auto', {})).toThrow(/no shard in the environment/);
  });
});
