/** What the comparison says beside its verdicts: too few repetitions, cells in one run only, machines that differ. */
import type { RunResult } from '../results/schema.js';
import { describeMachine } from './context.js';
import { RECOMMENDED_REPETITIONS, smallestMannWhitneyP } from './decide.js';

export function tooFewWarnings(tooFew: Map<string, { m: number; n: number; cells: number }>, alpha: number): string[] {
  const out: string[] = [];
  for (const { m, n, cells } of tooFew.values()) {
    const where = `${cells} cell${cells === 1 ? '' : 's'}`;
    if (m < 2 || n < 2) {
      out.push(`too few repetitions: ${m} vs ${n} (${where}); a single repetition says nothing about noise, so these times are 'inconclusive'. Use --repeats ${RECOMMENDED_REPETITIONS} or more.`);
      continue;
    }
    const p = smallestMannWhitneyP(n, m);
    if (p >= alpha) {
      out.push(
        `too few repetitions: with ${m} vs ${n} repetitions (${where}) the smallest exact two-sided Mann-Whitney p-value is ${Number(p.toPrecision(3))}, ` +
          `so at alpha ${alpha} that test can never fire. Times were judged by the bootstrap interval of the ratio of medians instead, which with so few samples ` +
          `flags only changes where the two samples do not overlap at all. Use --repeats ${RECOMMENDED_REPETITIONS} or more for a real test.`,
      );
    } else {
      out.push(
        `few repetitions: ${m} vs ${n} (${where}); the Mann-Whitney test can fire (smallest p ${Number(p.toPrecision(3))}) but has little power. ` +
          `Use --repeats ${RECOMMENDED_REPETITIONS} or more.`,
      );
    }
  }
  return out;
}

export function coverageWarnings(baseline: RunResult, current: RunResult): string[] {
  const out: string[] = [];
  const baseIds = new Set(baseline.cells.map((c) => c.cell.id));
  const curIds = new Set(current.cells.map((c) => c.cell.id));
  const onlyBase = [...baseIds].filter((id) => !curIds.has(id));
  const onlyCur = [...curIds].filter((id) => !baseIds.has(id));
  const list = (ids: string[]) => `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}`;
  if (onlyBase.length > 0) out.push(`${onlyBase.length} baseline cell${onlyBase.length === 1 ? ' is' : 's are'} missing from the current run and not compared: ${list(onlyBase)}.`);
  if (onlyCur.length > 0) out.push(`${onlyCur.length} current cell${onlyCur.length === 1 ? ' is' : 's are'} new (not in the baseline) and not compared: ${list(onlyCur)}.`);
  const unmeasured = baseline.cells.filter((c) => curIds.has(c.cell.id) && !c.trials.some((t) => t.state === 'ok')).map((c) => c.cell.id);
  if (unmeasured.length > 0) out.push(`${unmeasured.length} cell${unmeasured.length === 1 ? ' has' : 's have'} no finished repetition in the baseline and could not be compared: ${list(unmeasured)}.`);
  for (const cell of current.cells) {
    const before = baseline.cells.find((c) => c.cell.id === cell.cell.id);
    const okNow = cell.trials.filter((t) => t.state === 'ok').length;
    const okBefore = before?.trials.filter((t) => t.state === 'ok').length ?? 0;
    if (before && okNow === 0 && okBefore > 0) {
      const reason = cell.trials.find((t) => t.error)?.error;
      out.push(`${cell.cell.id}: no repetition finished in the current run (${okBefore} did in the baseline)${reason ? `: ${reason}` : ''}; it could not be compared.`);
    }
  }
  if (!baseline.complete) out.push(`the baseline run ${baseline.runId} is incomplete (interrupted or with failed cells).`);
  if (!current.complete) out.push(`the current run ${current.runId} is incomplete (interrupted or with failed cells).`);
  return out;
}

export function gateWarnings(baseline: RunResult, current: RunResult, gateMode: 'raw' | 'shape', sameMachine: boolean, forced: boolean): string[] {
  const b = baseline.environment;
  const c = current.environment;
  const out: string[] = [];
  if (b.runner !== c.runner) out.push(`the baseline was measured by the ${b.runner} runner and the current run by the ${c.runner} runner: the numbers are not comparable.`);
  if (!sameMachine && gateMode === 'shape') {
    const why = b.machineId !== c.machineId ? 'different machines' : b.backend !== c.backend ? 'different backends' : 'different runners';
    out.push(
      `${why}: baseline ${describeMachine(b)}, current ${describeMachine(c)}. Raw times and memory are shown but not gated; ` +
        `only fitted laws (exponents, efficiency, USL peak) and quality are. Pass --gate raw to gate times anyway.`,
    );
  }
  if (!sameMachine && gateMode === 'raw' && forced) {
    out.push(`--gate raw: raw times and memory are gated although the runs came from ${describeMachine(b)} and ${describeMachine(c)}.`);
  }
  if (sameMachine && gateMode === 'shape' && forced) out.push('--gate shape: raw times and memory are shown but not gated, as requested.');
  if (b.kernelPatches.join(',') !== c.kernelPatches.join(',')) {
    out.push(`kernel variants differ (baseline: ${b.kernelPatches.join(', ') || 'stock'}; current: ${c.kernelPatches.join(', ') || 'stock'}).`);
  }
  return out;
}
