/**
 * deploy/kubernetes and deploy/slurm: the manifests and scripts parse and name the right image, command
 * and environment, and running their shards with the variables each engine sets (with the fake runner)
 * then their merge step gives exactly the unsharded sweep.
 */
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN, runCli } from './helpers/cli.js';
import { parseRunResult } from '../src/results/file.js';
import type { RunResult } from '../src/results/schema.js';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

interface Container {
  name: string;
  image: string;
  command?: string[];
  args: string[];
  env: Array<{ name: string; value: string }>;
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface JobManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    template: { spec: { restartPolicy: string; containers: Container[]; volumes: Array<{ name: string; persistentVolumeClaim: { claimName: string } }> } };
  };
}

function job(file: string): { manifest: JobManifest; container: Container; env: Record<string, string> } {
  const manifest = parse(readFileSync(join('deploy/kubernetes', file), 'utf8')) as JobManifest;
  const container = manifest.spec.template.spec.containers[0]!;
  return { manifest, container, env: Object.fromEntries(container.env.map((e) => [e.name, e.value])) };
}

/** Kubernetes' $(VAR) expansion in command and args, then the volume's mount point moved to a temp folder. */
function expand(text: string, env: Record<string, string>, results: string): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole).replaceAll('/results/', `${results}/`);
}

function read(file: string): RunResult {
  return parseRunResult(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** A `scale-bench` on PATH that runs this checkout, with the fake runner for `run`. */
function shim(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-shim-'));
  const path = join(dir, 'scale-bench');
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = run ]; then exec "${process.execPath}" "${BIN}" "$@" --runner fake; fi\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path, 0o755);
  return dir;
}

async function unsharded(args: string[], out: string): Promise<RunResult> {
  const whole = args.filter((arg, i) => arg !== '--shard' && args[i - 1] !== '--shard' && arg !== '--run-id' && args[i - 1] !== '--run-id' && arg !== '--out' && args[i - 1] !== '--out');
  const outcome = await runCli([...whole, '--runner', 'fake', '--out', out, '--run-id', 'whole']);
  expect(outcome.code, outcome.stderr).toBe(0);
  return read(join(out, 'whole', 'results.json'));
}

function expectSameSweep(merged: RunResult, reference: RunResult): void {
  expect(merged.complete).toBe(true);
  expect(merged.plan.cells).toEqual(reference.plan.cells);
  expect(merged.cells.map((c) => c.cell.id)).toEqual(reference.cells.map((c) => c.cell.id));
  expect(merged.cells).toEqual(reference.cells);
}

describe('deploy/kubernetes', () => {
  it('the Indexed Job and the merge Job name the image, command, shard count and volume consistently', () => {
    const sweep = job('sweep-job.yaml');
    const merge = job('merge-job.yaml');
    expect(sweep.manifest).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed' } });
    expect(sweep.manifest.spec.parallelism).toBe(sweep.manifest.spec.completions);
    // Kubernetes does not give a pod the completions count: SCALE_BENCH_SHARDS must say it, in both Jobs.
    expect(sweep.env.SCALE_BENCH_SHARDS).toBe(String(sweep.manifest.spec.completions));
    expect(merge.env.SCALE_BENCH_SHARDS).toBe(sweep.env.SCALE_BENCH_SHARDS);
    expect(merge.env.SWEEP_ID).toBe(sweep.env.SWEEP_ID);
    for (const { manifest, container } of [sweep, merge]) {
      expect(container.image).toBe(`scale-bench:${VERSION}`);
      expect(manifest.spec.template.spec.restartPolicy).toBe('Never');
      expect(container.volumeMounts).toEqual([{ name: 'results', mountPath: '/results' }]);
      expect(manifest.spec.template.spec.volumes).toEqual([{ name: 'results', persistentVolumeClaim: { claimName: 'scale-bench-results' } }]);
    }
    expect(sweep.container.command).toBeUndefined(); // the image's entrypoint is scale-bench
    expect(sweep.container.args.slice(0, 1)).toEqual(['run']);
    expect(sweep.container.args.join(' ')).toMatch(/--shard auto --run-id \$\(SWEEP_ID\) --out \/results\/shards/);
    expect(merge.container.command).toEqual(['sh', '-c']);
    const pvc = parse(readFileSync('deploy/kubernetes/results-pvc.yaml', 'utf8')) as { kind: string; metadata: { name: string }; spec: { accessModes: string[] } };
    expect(pvc).toMatchObject({ kind: 'PersistentVolumeClaim', metadata: { name: 'scale-bench-results' }, spec: { accessModes: ['ReadWriteMany'] } });
    const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
    expect(dockerfile).toMatch(/ENTRYPOINT \["scale-bench"\]/);
    expect(dockerfile).toContain(`scale-bench:${VERSION}`);
  });

  it('its pods, run with the JOB_COMPLETION_INDEX Kubernetes sets, then the merge Job, give the unsharded sweep', async () => {
    const results = mkdtempSync(join(tmpdir(), 'sb-k8s-'));
    const sweep = job('sweep-job.yaml');
    const args = sweep.container.args.map((arg) => expand(arg, sweep.env, results));
    const pods = await Promise.all(
      Array.from({ length: sweep.manifest.spec.completions! }, (_, index) =>
        runCli([...args, '--runner', 'fake'], { env: { ...sweep.env, JOB_COMPLETION_INDEX: String(index) } }),
      ),
    );
    for (const pod of pods) expect(pod.code, pod.stderr).toBe(0);
    expect(readdirSync(join(results, 'shards')).sort()).toEqual([1, 2, 3, 4].map((i) => `nightly-shard${i}of4`));

    const merge = job('merge-job.yaml');
    const script = expand(merge.container.args[0]!, merge.env, results);
    const shell = spawnSync('sh', ['-c', script], { env: { ...process.env, PATH: `${shim()}:${process.env.PATH ?? ''}`, NO_COLOR: '1' }, encoding: 'utf8' });
    expect(shell.status, shell.stderr).toBe(0);
    expectSameSweep(read(join(results, 'merged', 'nightly', 'results.json')), await unsharded(args, join(results, 'whole')));
    expect(existsSync(join(results, 'merged', 'nightly', 'report.html'))).toBe(true);
    expect(readdirSync(join(results, 'history', 'main')).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
  });
});

/** The #SBATCH options of a batch script. */
function sbatchOptions(file: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const match of readFileSync(file, 'utf8').matchAll(/^#SBATCH --([\w-]+)=(\S+)/gm)) options[match[1]!] = match[2]!;
  return options;
}

describe('deploy/slurm', () => {
  it('the scripts are valid bash; the array script shards with --shard auto and the merge waits for every task', () => {
    for (const file of ['sweep.sbatch', 'merge.sbatch', 'submit.sh']) {
      const check = spawnSync('bash', ['-n', join('deploy/slurm', file)], { encoding: 'utf8' });
      expect(check.status, `${file}: ${check.stderr}`).toBe(0);
    }
    expect(sbatchOptions('deploy/slurm/sweep.sbatch').array).toMatch(/^\d+-\d+$/);
    expect(readFileSync('deploy/slurm/sweep.sbatch', 'utf8')).toMatch(/\$SCALE_BENCH run .*--shard auto --run-id "\$SWEEP_ID"/);

    // submit.sh against a stand-in sbatch that records its arguments.
    const bin = mkdtempSync(join(tmpdir(), 'sb-sbatch-'));
    const log = join(bin, 'calls.log');
    writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\necho "$@" >> "${log}"\nif [ "$(wc -l < "${log}")" -eq 1 ]; then echo 4242; else echo 4243; fi\n`);
    chmodSync(join(bin, 'sbatch'), 0o755);
    const submit = spawnSync('bash', ['deploy/slurm/submit.sh'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }, encoding: 'utf8' });
    expect(submit.status, submit.stderr).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls[0]).toMatch(/--parsable .*deploy\/slurm\/sweep\.sbatch$/);
    expect(calls[1]).toMatch(/--dependency=afterany:4242 --export=ALL,SWEEP_ID=sweep-4242 .*deploy\/slurm\/merge\.sbatch$/);
  });

  it('its array tasks, run with the SLURM_ARRAY_* variables Slurm sets, then the merge step, give the unsharded sweep', async () => {
    const results = mkdtempSync(join(tmpdir(), 'sb-slurm-'));
    const [min, max] = sbatchOptions('deploy/slurm/sweep.sbatch').array!.split('-').map(Number) as [number, number];
    const base = { ...process.env, NO_COLOR: '1', SCALE_BENCH: join(shim(), 'scale-bench'), RESULTS: results };
    const slurm = { SLURM_ARRAY_JOB_ID: '4242', SLURM_ARRAY_TASK_COUNT: String(max - min + 1), SLURM_ARRAY_TASK_MIN: String(min), SLURM_ARRAY_TASK_MAX: String(max) };
    const tasks = Array.from({ length: max - min + 1 }, (_, i) =>
      spawnSync('bash', ['deploy/slurm/sweep.sbatch'], { env: { ...base, ...slurm, SLURM_ARRAY_TASK_ID: String(min + i) }, encoding: 'utf8' }),
    );
    for (const task of tasks) expect(task.status, task.stderr).toBe(0);
    expect(readdirSync(join(results, 'shards')).sort()).toEqual([1, 2, 3, 4].map((i) => `sweep-4242-shard${i}of4`));

    const history = join(results, 'history');
    const merge = spawnSync('bash', ['deploy/slurm/merge.sbatch'], { env: { ...base, SWEEP_ID: 'sweep-4242', HISTORY: history, GIT_COMMIT: 'abc1234', GIT_BRANCH: 'main' }, encoding: 'utf8' });
    expect(merge.status, merge.stderr).toBe(0);
    const sweepLine = readFileSync('deploy/slurm/sweep.sbatch', 'utf8').match(/\$SCALE_BENCH (run .*)$/m)![1]!;
    const args = sweepLine.replaceAll('"$SWEEP_ID"', 'sweep-4242').replaceAll('"$RESULTS/shards"', join(results, 'shards')).split(' ');
    expectSameSweep(read(join(results, 'merged', 'sweep-4242', 'results.json')), await unsharded(args, join(results, 'whole')));
    expect(readFileSync(join(history, 'main', readdirSync(join(history, 'main'))[0]!), 'utf8')).toContain('"commit":"abc1234"');
  });
});
