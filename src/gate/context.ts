/** What every per-metric rule of the gate reads: the two runs, the settings, and whether the machines are comparable. */
import type { Environment, RunResult } from '../results/schema.js';
import type { Thresholds } from './thresholds.js';

export interface Context {
  thresholds: Thresholds;
  alpha: number;
  level: number;
  resamples: number;
  seed: number;
  gateMode: 'raw' | 'shape';
  forced: boolean;
  baseline: RunResult;
  current: RunResult;
  warnings: string[];
}

export function machineOf(result: RunResult, machineId: string): Environment {
  return result.machines?.[machineId] ?? result.environment;
}

/** "abc123 (Intel Xeon, 2 cores, wasm)". */
export function describeMachine(env: Environment): string {
  return `${env.machineId} (${env.cpuModel}, ${env.cores} cores, ${env.backend}${env.runner === 'fake' ? ', fake runner' : ''})`;
}

/** Same fingerprint, backend and runner: raw numbers of the two machines are comparable. */
export function comparableMachines(a: Environment, b: Environment): boolean {
  return a.machineId === b.machineId && a.backend === b.backend && a.runner === b.runner;
}
