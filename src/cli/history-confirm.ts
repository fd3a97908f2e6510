/**
 * `history check --confirm <results.json>`: before failing, re-run only the suspect cells of that run
 * once (its saved plan, narrowed to them), add the re-run to the history, and keep a failure only if the
 * re-run is worse too: at least the minimum step beyond the level before the change point. A suspect
 * the re-run does not reproduce (a noisy neighbour, a throttled runner) passes, with a note.
 */
import { dirname, join, resolve } from 'node:path';
import type { BenchmarkPlan, Cell, RunResult } from '../results/schema.js';
import { readRunResult, serialiseResult } from '../results/file.js';
import { writeFileAtomic } from '../results/write.js';
import { runPlan } from '../measure/scheduler.js';
import { machineId, readMachineFacts } from '../measure/environment.js';
import { analyse, complexityScalingKey, sizeScalingKey, widthScalingKey } from '../analyse/index.js';
import { modeVariant } from '../modes/index.js';
import { historyRecords } from '../history/records.js';
import { appendRecords } from '../history/store.js';
import { METRIC_INFO, recordValues, type Series } from '../history/series.js';
import { directionOf } from '../history/trend.js';
import type { CheckFinding } from '../history/check.js';
import type { RecordKind } from '../history/schema.js';
import { fmtStep } from '../report/history-text.js';
import { PoolRunner } from '../modes/pool-runner.js';
import { FakeRunner, parseFakeOptions } from '../measure/fake-runner.js';
import type { OutputStreams } from './output.js';

/** The cells a series' subject was measured on: the cell itself, or every cell of the fitted law. */
export function cellsOfSubject(cells: readonly Cell[], kind: RecordKind, subject: string): Cell[] {
  return cells.filter((cell) => {
    const variant = modeVariant(cell);
    switch (kind) {
      case 'cell':
        return cell.id === subject;
      case 'size-law':
        return sizeScalingKey(cell.model, cell.dataset, cell.workers, cell.mode, 'wallMs', variant) === subject;
      case 'width-law':
        return widthScalingKey(cell.model, cell.dataset, cell.size, cell.mode, variant) === subject;
      case 'complexity-law':
        return complexityScalingKey(cell.dataset, cell.size, cell.workers, cell.mode, variant) === subject;
    }
  });
}

export interface Confirmation {
  /** Keys of the series whose failure the re-run reproduced (or could not test, which keeps it failing). */
  confirmedKeys: string[];
  notes: string[];
}

function rerunValue(series: Series, result: RunResult, commit: string): number | null {
  const { records } = historyRecords(result, analyse(result), { commit, branch: series.branch });
  for (const record of records) {
    if (record.kind !== series.source.kind || record.subject !== series.source.subject) continue;
    const value = recordValues(record).find((v) => v.metric === series.metric && v.subject === series.subject);
    if (value) return value.value;
  }
  return null;
}

export async function confirmSuspects(
  failures: readonly CheckFinding[],
  flags: { dir: string; confirm?: string; out?: string; runner?: 'tfjs' | 'fake'; minStep?: number },
  streams: OutputStreams,
): Promise<Confirmation> {
  const file = flags.confirm!;
  const original = await readRunResult(file);
  const here = machineId(readMachineFacts());
  const notes: string[] = [];
  const confirmedKeys: string[] = [];
  const suspects = new Map<string, Cell>();
  const testable: CheckFinding[] = [];
  for (const finding of failures) {
    const { series } = finding.trend;
    const cells = cellsOfSubject(original.plan.cells, series.source.kind, series.source.subject);
    if (cells.length === 0 || (series.machine !== null && series.machine !== here)) {
      notes.push(`confirm: ${series.metric} of ${series.subject} cannot be re-run here (${cells.length === 0 ? `not in ${file}'s plan` : `measured on machine ${series.machine}, this is ${here}`}); it still fails`);
      confirmedKeys.push(series.key);
      continue;
    }
    for (const cell of cells) suspects.set(cell.id, cell);
    testable.push(finding);
  }
  if (testable.length === 0) return { confirmedKeys, notes };

  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const { shard: _shard, ...saved } = original.plan;
  const plan: BenchmarkPlan = {
    ...saved,
    runId: `${original.runId}-confirm-${stamp}`,
    cells: original.plan.cells.filter((cell) => suspects.has(cell.id)),
    outDir: resolve(flags.out ?? dirname(dirname(resolve(file)))),
  };
  streams.stderr.write(`confirm: re-running ${plan.cells.length} suspect cell${plan.cells.length === 1 ? '' : 's'} of ${original.runId} once -> ${join(plan.outDir, plan.runId)}\n`);
  const runner = flags.runner === 'fake' ? new FakeRunner(parseFakeOptions(streams.env.SCALE_BENCH_FAKE)) : new PoolRunner();
  const path = join(plan.outDir, plan.runId, 'results.json');
  let rerun: RunResult;
  try {
    rerun = await runPlan(plan, runner, { persist: (partial) => writeFileAtomic(path, serialiseResult(partial)) });
  } finally {
    await runner.close();
  }

  const commit = testable[0]!.newestCommit;
  const branch = testable[0]!.trend.series.branch;
  const { records } = historyRecords(rerun, analyse(rerun), { commit, branch });
  await appendRecords(flags.dir, records);

  for (const finding of testable) {
    const { series } = finding.trend;
    const value = rerunValue(series, rerun, commit);
    const before = finding.changePoint.before;
    const step = value === null ? null : METRIC_INFO[series.metric].scale === 'absolute' ? value - before : before === 0 ? null : (value - before) / Math.abs(before);
    const minStep = flags.minStep ?? 0.05;
    if (step === null) {
      notes.push(`confirm: ${series.metric} of ${series.subject}: the re-run gave no value to compare; it still fails`);
      confirmedKeys.push(series.key);
    } else if (directionOf(series, step) === 'worse' && Math.abs(step) >= minStep) {
      notes.push(`confirm: ${series.metric} of ${series.subject}: the re-run is worse too (${fmtStep(series.metric, step)} from the level before the change point): confirmed`);
      confirmedKeys.push(series.key);
    } else {
      const minimum = fmtStep(series.metric, minStep).replace(/^\+/, '');
      notes.push(`confirm: ${series.metric} of ${series.subject}: the re-run is not ${minimum} or more worse than the level before (${fmtStep(series.metric, step)}): not confirmed, not failing`);
    }
  }
  return { confirmedKeys, notes };
}
