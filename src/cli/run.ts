/** `scale-bench run`: plan -> measure -> analyse -> report, saving results after every cell. */
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { BenchmarkPlan, RunResult } from '../results/schema.js';
import type { RunOptions } from '../plan/build.js';
import { planRun } from '../plan/prepare.js';
import { runPlan } from '../measure/scheduler.js';
import type { Runner } from '../measure/runner.js';
import { PoolRunner } from '../modes/pool-runner.js';
import { FakeRunner, parseFakeOptions } from '../measure/fake-runner.js';
import { writeArtifacts, writeFileAtomic } from '../results/write.js';
import { serialiseResult } from '../results/file.js';
import { buildReportInput, renderReports, type ReporterName } from '../report/index.js';
import { renderTerminal } from '../report/terminal.js';
import { UsageError } from '../config/errors.js';
import { resumePlan } from '../plan/resume.js';
import { checkMemory } from '../plan/preflight.js';
import { DEFAULT_OUT_DIR } from '../config/defaults.js';
import { createProgress } from './progress.js';
import { colorEnabled, type OutputStreams } from './output.js';
import { briefRunGate, prepareRunGate, renderRunGate, runGateJson } from './gate.js';
import { type GateCliOptions } from '../gate/settings.js';

export const EXIT_OK = 0;
export const EXIT_REGRESSION = 1;
export const EXIT_USAGE = 2;
/** Some cells errored or timed out: the results are valid but incomplete. */
export const EXIT_INCOMPLETE = 3;
export const EXIT_INTERRUPTED = 130;

export interface RunCommandOptions extends RunOptions, GateCliOptions {
  /** Continue the interrupted run with this id (in --out), skipping its finished cells. */
  resume?: string;
  /** false skips the memory preflight (commander's --no-memory-check). */
  memoryCheck?: boolean;
  json?: boolean;
  quiet?: boolean;
  runner?: 'tfjs' | 'fake';
  formats: ReporterName[];
}

function createRunner(kind: RunCommandOptions['runner'], env: NodeJS.ProcessEnv): Runner {
  if (kind === 'fake') return new FakeRunner(parseFakeOptions(env.SCALE_BENCH_FAKE));
  return new PoolRunner();
}

export function resultsPath(plan: BenchmarkPlan): string {
  return join(plan.outDir, plan.runId, 'results.json');
}


export async function runCommand(options: RunCommandOptions, streams: OutputStreams): Promise<number> {
  const resumed = options.resume ? await resumePlan(options.out ?? DEFAULT_OUT_DIR, options.resume) : undefined;
  const note = (line: string): void => void (options.quiet ? undefined : streams.stderr.write(`${line}\n`));
  const plan = resumed?.plan ?? (await planRun(options, availableParallelism(), note));
  if (options.memoryCheck !== false) checkMemory(plan);
  // A missing baseline or a bad budget must fail now, not after the sweep.
  const gate = await prepareRunGate(options, plan.outDir, streams);
  const runner = createRunner(options.runner, streams.env);
  const runDir = join(plan.outDir, plan.runId);
  const progress = createProgress(plan, streams, options.quiet === true);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT_INTERRUPTED);
    streams.stderr.write(`\n${signal}: stopping; finished cells are saved in ${resultsPath(plan)} (press Ctrl-C again to quit at once)\n`);
    controller.abort();
    void runner.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let result: RunResult;
  try {
    result = await runPlan(plan, runner, {
      signal: controller.signal,
      ...(resumed ? { resumeFrom: resumed.previous } : {}),
      ...(gate?.confirm ? { confirm: gate.confirm((line) => progress.note(line)) } : {}),
      persist: (partial) => writeFileAtomic(resultsPath(plan), serialiseResult(partial)),
      onCellStart: (cell, index, total) => progress.cellStarted(cell, index, total),
      onCellDone: (cellResult) => progress.cellDone(cellResult),
    });
  } catch (error) {
    if (error instanceof Error && /backend/i.test(error.message) && !(error instanceof UsageError)) {
      throw new UsageError(`--backend ${plan.backend}: ${error.message}`);
    }
    throw error;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runner.close();
  }

  const comparison = gate?.compare(result);
  const input = buildReportInput([result], comparison);
  const written = await writeArtifacts(runDir, await renderReports(input, options.formats));
  const analysis = input.runs[0]!.analysis;
  const gateOutcome = gate ? await gate.finish(input, comparison, streams, controller.signal.aborted) : null;

  if (options.json) {
    streams.stdout.write(`${JSON.stringify({ result, analysis, ...(gateOutcome ? runGateJson(gateOutcome) : {}), reportDir: runDir, files: written }, null, 2)}\n`);
  } else if (!options.quiet) {
    streams.stdout.write(renderTerminal(input, { color: colorEnabled(streams.stdout, streams.env), view: 'run' }));
    streams.stdout.write(`results and reports: ${runDir}\n`);
  } else {
    streams.stderr.write(`results and reports: ${runDir}\n`);
  }

  if (gateOutcome) {
    if (options.json || options.quiet) for (const line of briefRunGate(gateOutcome)) streams.stderr.write(`${line}\n`);
    else {
      streams.stdout.write(`\n${renderRunGate(gateOutcome, { color: colorEnabled(streams.stdout, streams.env) })}\n`);
      for (const note of gateOutcome.notes) streams.stderr.write(`${note}\n`);
    }
  }

  if (controller.signal.aborted) return EXIT_INTERRUPTED;
  if (gateOutcome && !gateOutcome.passed) return EXIT_REGRESSION;
  return result.complete ? EXIT_OK : EXIT_INCOMPLETE;
}
