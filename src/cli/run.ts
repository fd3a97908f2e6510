/** `scale-bench run`: plan -> measure -> analyse -> report, saving results after every cell. */
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { BenchmarkPlan, RunResult } from '../results/schema.js';
import type { RunOptions } from '../plan/build.js';
import { planRun } from '../plan/prepare.js';
import { checkCustomModels } from '../plan/custom-check.js';
import { displayPath } from '../data/load.js';
import { runPlan } from '../measure/scheduler.js';
import type { Runner } from '../measure/runner.js';
import { PoolRunner } from '../modes/pool-runner.js';
import { FakeRunner, parseFakeOptions } from '../measure/fake-runner.js';
import { writeArtifacts, writeFileAtomic } from '../results/write.js';
import { serialiseResult } from '../results/file.js';
import { buildReportInput, renderReports, type ReporterName } from '../report/index.js';
import { renderTerminal } from '../report/terminal.js';
import { SYNTHETIC_NOTE, isSynthetic } from '../report/text.js';
import { FAULTS_VARIABLE, parseFaultPlan } from '../measure/faults.js';
import { resumePlan, resumeTarget, type ResumedRun } from '../plan/resume.js';
import { claimRunFolder, type RunFolderClaim } from '../results/run-folder.js';
import { isFinished } from '../results/status.js';
import { EXIT_INTERRUPTED, exitInterrupted, onInterrupt } from './signals.js';
import { terminalSafe } from '../config/terminal-text.js';
import { sweepBacktest } from '../predict/index.js';
import { backtestSummaryLine } from '../report/predict-text.js';
import { checkMemory } from '../plan/preflight.js';
import { DEFAULT_OUT_DIR } from '../config/defaults.js';
import { createProgress } from './progress.js';
import { colorEnabled, type OutputStreams } from './output.js';
import { briefRunGate, prepareRunGate, renderRunGate, runGateJson } from './gate.js';
import { type GateCliOptions } from '../gate/settings.js';
import { recordRunHistory, type RunHistoryOptions } from './history.js';

export const EXIT_OK = 0;
export const EXIT_REGRESSION = 1;
export const EXIT_USAGE = 2;
/** Some cells errored or timed out: the results are valid but incomplete. */
export const EXIT_INCOMPLETE = 3;
export { EXIT_INTERRUPTED };
/** An unexpected error: a bug in scale-bench (EX_SOFTWARE in BSD sysexits.h). */
export const EXIT_INTERNAL = 70;

export interface RunCommandOptions extends RunOptions, GateCliOptions, RunHistoryOptions {
  /** Continue the interrupted run with this id (in --out), skipping its finished cells. */
  resume?: string;
  /** Replace a run already saved under the same --run-id (its folder is emptied first). */
  force?: boolean;
  /** false skips the memory preflight (commander's --no-memory-check). */
  memoryCheck?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** Print every cell, law and warning after the Findings. */
  details?: boolean;
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
  // The test hooks' variables are checked before any work: a malformed one is a usage error naming it.
  parseFaultPlan(streams.env[FAULTS_VARIABLE]);
  if (options.runner === 'fake') parseFakeOptions(streams.env.SCALE_BENCH_FAKE);
  const outLabel = options.out ?? DEFAULT_OUT_DIR;
  const note = (line: string): void => void (options.quiet ? undefined : streams.stderr.write(`${terminalSafe(line)}\n`));
  const resuming = options.resume !== undefined ? resumeTarget(outLabel, options.resume) : undefined;
  // Nothing new is saved while planning: an interrupt simply ends the process (see ./signals.ts).
  onInterrupt((signal) =>
    exitInterrupted(
      resuming
        ? `interrupted (${signal}) before the resumed run started; its results so far are in ${resuming.file}`
        : `interrupted (${signal}) before the run started; nothing was saved`,
    ),
  );
  // A resumed run's folder is held before its results are read, so no other process rewrites them meanwhile.
  const claim = resuming ? claimRunFolder(resuming.dir, { runId: options.resume!, purpose: 'resume', outLabel }) : undefined;
  try {
    return await runClaimed(options, streams, note, claim);
  } finally {
    claim?.release();
    onInterrupt(undefined);
  }
}

async function runClaimed(
  options: RunCommandOptions,
  streams: OutputStreams,
  note: (line: string) => void,
  resumeClaim: RunFolderClaim | undefined,
): Promise<number> {
  const outLabel = options.out ?? DEFAULT_OUT_DIR;
  const resumed = options.resume ? await resumePlan(outLabel, options.resume) : undefined;
  for (const line of resumed?.notes ?? []) note(line);
  // A resumed run's model modules may have changed since it began: built again, under the same guard, before anything runs.
  if (resumed) await checkCustomModels(resumed.plan, displayPath, options.buildTimeout !== undefined ? { buildTimeout: options.buildTimeout } : {});
  const plan = resumed?.plan ?? (await planRun(options, availableParallelism(), note));
  if (options.memoryCheck !== false) checkMemory(plan);
  // A missing baseline or a bad budget must fail now, not after the sweep.
  const gate = await prepareRunGate(options, plan.outDir, streams);
  const runDir = join(plan.outDir, plan.runId);
  const claim = resumeClaim ?? claimRunFolder(runDir, { runId: plan.runId, purpose: 'new', force: options.force === true, outLabel });
  try {
    if (claim.note) note(claim.note);
    return await measureAndReport(options, streams, plan, gate, resumed);
  } finally {
    if (claim !== resumeClaim) claim.release();
  }
}

async function measureAndReport(
  options: RunCommandOptions,
  streams: OutputStreams,
  plan: BenchmarkPlan,
  gate: Awaited<ReturnType<typeof prepareRunGate>>,
  resumed: ResumedRun | undefined,
): Promise<number> {
  const outLabel = options.out ?? DEFAULT_OUT_DIR;
  const file = resultsPath(plan);
  const runDir = join(plan.outDir, plan.runId);
  const resumeHint = `continue with: scale-bench run --resume ${plan.runId} --out ${outLabel}`;
  const runner = createRunner(options.runner, streams.env);
  const progress = createProgress(plan, streams, options.quiet === true);
  onInterrupt((signal) => {
    // The progress bar hides the cursor; a terminal must get it back before the process ends.
    progress.stop();
    exitInterrupted(
      resumed
        ? `interrupted (${signal}) before the resumed run started; its results so far are in ${file}`
        : `interrupted (${signal}) before the first cell started; nothing was saved`,
    );
  });
  const controller = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  // Once results.json exists, an interrupt stops the workers and the run returns through its normal
  // path, so the one line it prints can say exactly which cells were saved.
  const stopGracefully = (signal: NodeJS.Signals): void => {
    interruptedBy = signal;
    controller.abort();
    void runner.close();
  };
  let saved = false;

  let result: RunResult;
  try {
    result = await runPlan(plan, runner, {
      signal: controller.signal,
      ...(resumed ? { resumeFrom: resumed.previous } : {}),
      ...(gate?.confirm ? { confirm: gate.confirm((line) => progress.note(line)) } : {}),
      persist: async (partial) => {
        await writeFileAtomic(file, serialiseResult(partial));
        if (!saved) {
          saved = true;
          onInterrupt(stopGracefully, `interrupted again: quitting now; finished cells are saved in ${file} (${resumeHint})`);
        }
      },
      onCellStart: (cell, index, total) => progress.cellStarted(cell, index, total),
      onCellDone: (cellResult) => progress.cellDone(cellResult),
    });
  } finally {
    progress.stop();
    await runner.close();
  }

  if (interruptedBy) {
    const finished = result.cells.filter((cell) => isFinished(cell, plan.repeats)).length;
    const what = finished === 0 ? 'no cell finished; the plan is saved' : `${finished} of ${plan.cells.length} cells finished and are saved`;
    streams.stderr.write(`scale-bench: interrupted (${interruptedBy}): ${what} in ${file}; ${resumeHint}\n`);
    return EXIT_INTERRUPTED;
  }
  // The results are complete and saved; an interrupt while the reports are made loses only reports.
  onInterrupt((signal) =>
    exitInterrupted(`interrupted (${signal}) while writing the reports; the results are saved in ${file}: make the reports with scale-bench report ${file}`),
  );

  const comparison = gate?.compare(result);
  const input = buildReportInput([result], comparison);
  const historyNotes = options.history !== undefined
    ? await recordRunHistory({ ...options, history: options.history }, input, streams, { stepSummary: !gate, interrupted: controller.signal.aborted })
    : [];
  const written = await writeArtifacts(runDir, await renderReports(input, options.formats));
  const analysis = input.runs[0]!.analysis;
  // An interrupted run returned above, so the gate only ever sees a run that went to its end.
  const gateOutcome = gate ? await gate.finish(input, comparison, streams, false) : null;

  if (options.json) {
    const synthetic = isSynthetic(result) ? { synthetic: SYNTHETIC_NOTE } : {};
    streams.stdout.write(`${JSON.stringify({ ...synthetic, result, analysis, ...(gateOutcome ? runGateJson(gateOutcome) : {}), reportDir: runDir, files: written }, null, 2)}\n`);
  } else if (!options.quiet) {
    streams.stdout.write(renderTerminal(input, { color: colorEnabled(streams.stdout, streams.env), view: 'run', details: options.details === true }));
    const backtest = sweepBacktest(result, analysis);
    if (backtest) streams.stdout.write(`${backtestSummaryLine(backtest)}\n  (how far to trust an extrapolation from this run; details: scale-bench predict ${runDir} --backtest)\n`);
    streams.stdout.write(`results and reports: ${runDir}\n`);
  } else {
    streams.stderr.write(`results and reports: ${runDir}\n`);
  }

  for (const line of historyNotes) streams.stderr.write(`${line}\n`);
  if (gateOutcome) {
    if (options.json || options.quiet) for (const line of briefRunGate(gateOutcome)) streams.stderr.write(`${line}\n`);
    else {
      streams.stdout.write(`\n${renderRunGate(gateOutcome, { color: colorEnabled(streams.stdout, streams.env) })}\n`);
      for (const note of gateOutcome.notes) streams.stderr.write(`${note}\n`);
    }
  }

  if (gateOutcome && !gateOutcome.passed) return EXIT_REGRESSION;
  return result.complete ? EXIT_OK : EXIT_INCOMPLETE;
}
