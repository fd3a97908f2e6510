/** The machine fingerprint recorded in every RunResult. */
import { cpus, hostname, platform, release, arch, totalmem, availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { Environment } from '../results/schema.js';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  totalMemoryBytes: number;
  os: string;
  arch: string;
  node: string;
  hostname: string;
}

export function readMachineFacts(): MachineFacts {
  return {
    cpuModel: (cpus()[0]?.model ?? 'unknown CPU').trim(),
    // availableParallelism honours cgroup/affinity limits where os.cpus() would over-count.
    cores: availableParallelism(),
    totalMemoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
    arch: arch(),
    node: process.version,
    hostname: hostname(),
  };
}

/**
 * Two results with the same machineId came from comparable hardware, so raw times may be gated.
 * Memory is rounded to GiB and the kernel release is left out: neither changes speed meaningfully,
 * and both drift on CI runners between otherwise identical machines.
 */
export function machineId(facts: Pick<MachineFacts, 'cpuModel' | 'cores' | 'totalMemoryBytes' | 'arch'> & { os: string }): string {
  const gib = Math.round(facts.totalMemoryBytes / 2 ** 30);
  const osFamily = facts.os.split(' ')[0] ?? facts.os;
  return createHash('sha256')
    .update([facts.cpuModel, facts.cores, gib, osFamily, facts.arch].join('|'))
    .digest('hex')
    .slice(0, 12);
}

export function gitCommit(cwd: string = process.cwd()): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 })
      .toString()
      .trim() || undefined;
  } catch {
    return undefined;
  }
}

export type BackendFacts = Pick<
  Environment,
  'backend' | 'tfjsVersion' | 'backendVersion' | 'wasmSimd' | 'kernelPatches' | 'peakFlopsPerSec' | 'runner'
>;

export function buildEnvironment(backend: BackendFacts, facts: MachineFacts = readMachineFacts()): Environment {
  const commit = gitCommit();
  return {
    machineId: machineId(facts),
    cpuModel: facts.cpuModel,
    cores: facts.cores,
    totalMemoryBytes: facts.totalMemoryBytes,
    os: facts.os,
    arch: facts.arch,
    node: facts.node,
    hostname: facts.hostname,
    ...backend,
    ...(commit ? { gitCommit: commit } : {}),
  };
}
