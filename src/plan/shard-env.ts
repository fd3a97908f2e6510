/**
 * `--shard auto`: the shard from the environment a batch engine gives each of its tasks, so one job
 * definition serves every shard:
 * - SCALE_BENCH_SHARD=i/n (anything that can set a variable per task);
 * - a Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based), with the count in SCALE_BENCH_SHARDS
 *   (Kubernetes does not expose `completions` to the pod);
 * - a Slurm job array: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, honouring SLURM_ARRAY_TASK_MIN
 *   (arrays may start at any number, e.g. --array=1-8) and SLURM_ARRAY_TASK_STEP (--array=0-15:4).
 * None set, or several that disagree: a usage error naming the variables.
 */
import type { ShardSpec } from '../config/schema.js';
import { UsageError } from '../config/errors.js';
import { parseShard } from './shard.js';

export const SHARD_VARIABLES = 'SCALE_BENCH_SHARD, JOB_COMPLETION_INDEX with SCALE_BENCH_SHARDS (Kubernetes Indexed Job), or SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT (Slurm job array)';

interface Found extends ShardSpec {
  /** Which variables said so, e.g. "JOB_COMPLETION_INDEX=2, SCALE_BENCH_SHARDS=4". */
  source: string;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, context: string): number {
  const text = env[name]?.trim() ?? '';
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`--shard auto: ${name}=${JSON.stringify(env[name] ?? '')} is not a whole number${text === '' ? ` (it must be set with ${context})` : ''}.`);
  }
  return Number(text);
}

function checked(index: number, count: number, source: string): Found {
  if (count < 1) throw new UsageError(`--shard auto: ${source} gives ${count} shards; there must be at least one.`);
  if (index < 1 || index > count) throw new UsageError(`--shard auto: ${source} gives shard ${index} of ${count}, which does not exist (shards are 1 to ${count}).`);
  return { index, count, source };
}

function fromScaleBench(env: NodeJS.ProcessEnv): Found | null {
  const value = env.SCALE_BENCH_SHARD?.trim();
  if (!value) return null;
  const shard = parseShard(value, 'SCALE_BENCH_SHARD');
  return { ...shard, source: `SCALE_BENCH_SHARD=${value}` };
}

function fromKubernetes(env: NodeJS.ProcessEnv): Found | null {
  if (env.JOB_COMPLETION_INDEX === undefined || env.JOB_COMPLETION_INDEX.trim() === '') return null;
  const context = 'JOB_COMPLETION_INDEX, to the Job\'s completions';
  const index = wholeNumber(env, 'JOB_COMPLETION_INDEX', context);
  const count = wholeNumber(env, 'SCALE_BENCH_SHARDS', context);
  return checked(index + 1, count, `JOB_COMPLETION_INDEX=${index}, SCALE_BENCH_SHARDS=${count}`);
}

function fromSlurm(env: NodeJS.ProcessEnv): Found | null {
  if (env.SLURM_ARRAY_TASK_ID === undefined || env.SLURM_ARRAY_TASK_ID.trim() === '') return null;
  const context = 'SLURM_ARRAY_TASK_ID (sbatch --array sets both)';
  const id = wholeNumber(env, 'SLURM_ARRAY_TASK_ID', context);
  const count = wholeNumber(env, 'SLURM_ARRAY_TASK_COUNT', context);
  const min = env.SLURM_ARRAY_TASK_MIN?.trim() ? wholeNumber(env, 'SLURM_ARRAY_TASK_MIN', context) : 0;
  const step = env.SLURM_ARRAY_TASK_STEP?.trim() ? wholeNumber(env, 'SLURM_ARRAY_TASK_STEP', context) : 1;
  const source = `SLURM_ARRAY_TASK_ID=${id}, SLURM_ARRAY_TASK_COUNT=${count}, SLURM_ARRAY_TASK_MIN=${min}${step !== 1 ? `, SLURM_ARRAY_TASK_STEP=${step}` : ''}`;
  if (step < 1 || id < min || (id - min) % step !== 0) {
    throw new UsageError(`--shard auto: ${source} is not a task of the array ${min}, ${min + step}, ...; run the shards as one contiguous job array (sbatch --array=0-${Math.max(0, count - 1)}).`);
  }
  return checked((id - min) / step + 1, count, source);
}

/** The shard this task runs, from the first engine's variables that are set; all that are set must agree. */
export function shardFromEnvironment(env: NodeJS.ProcessEnv): ShardSpec & { source: string } {
  const found = [fromScaleBench(env), fromKubernetes(env), fromSlurm(env)].filter((f): f is Found => f !== null);
  const first = found[0];
  if (!first) {
    const stray = env.SCALE_BENCH_SHARDS?.trim() ? ` (SCALE_BENCH_SHARDS=${env.SCALE_BENCH_SHARDS} is set, but no index)` : '';
    throw new UsageError(`--shard auto: no shard in the environment${stray}. Set ${SHARD_VARIABLES}, or give --shard i/n.`);
  }
  const disagreeing = found.find((f) => f.index !== first.index || f.count !== first.count);
  if (disagreeing) {
    throw new UsageError(
      `--shard auto: the environment names two different shards: ${first.source} is shard ${first.index}/${first.count}, but ${disagreeing.source} is ${disagreeing.index}/${disagreeing.count}. Unset one of them.`,
    );
  }
  return first;
}

/** `--shard` flag value: "i/n", or "auto" for the environment's shard. */
export function parseShardFlag(text: string, env: NodeJS.ProcessEnv): ShardSpec {
  if (text.trim().toLowerCase() !== 'auto') return parseShard(text);
  const { index, count } = shardFromEnvironment(env);
  return { index, count };
}
