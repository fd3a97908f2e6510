/**
 * Progress of a run on stderr: a bar with an ETA on a terminal, one plain line per cell otherwise.
 * Progress is weighed by each cell's estimated cost (size x width x model), not by cell count,
 * because the largest cells take most of the time and a per-cell ETA would be wildly optimistic.
 */
import { median } from '../stats/descriptive.js';
import cliProgress from 'cli-progress';
import { createColors } from 'picocolors';
import type { BenchmarkPlan, Cell, CellResult } from '../results/schema.js';
import { estimatedUsPerSample } from '../models/cost.js';
import { formatCount, formatMs, formatNumber } from '../config/format.js';
import { cellVariantLabel } from '../modes/index.js';
import type { OutputStreams } from './output.js';
import { colorEnabled } from './output.js';
import { terminalSafeLine } from '../config/terminal-text.js';

function cellCost(cell: Cell, plan: BenchmarkPlan): number {
  const trials = plan.repeats + plan.warmup;
  return cell.size * cell.workers * trials * plan.training.epochs * estimatedUsPerSample(cell.model) + 1000;
}

function medianOrUndefined(values: number[]): number | undefined {
  return values.length === 0 ? undefined : median(values);
}

export function describeCellResult(result: CellResult): string {
  const ok = result.trials.filter((trial) => trial.state === 'ok');
  const { cell } = result;
  // Names and error messages can carry text from the user's files and modules: no terminal escapes.
  const label = terminalSafeLine(`${cell.model} ${cell.dataset} n=${formatCount(cell.size)} w=${cell.workers}${cellVariantLabel(cell)}`);
  if (ok.length === 0) {
    const failed = result.trials[0];
    return `✗ ${label}  ${failed?.state ?? 'errored'}: ${terminalSafeLine(failed?.error ?? 'no trial finished')}`;
  }
  const wall = medianOrUndefined(ok.map((trial) => trial.wallMs));
  const rate = medianOrUndefined(ok.map((trial) => trial.samplesPerSec));
  const quality = medianOrUndefined(ok.map((trial) => trial.quality.value));
  const metric = ok[0]!.quality.metric === 'r2' ? 'R²' : 'acc';
  // Trained to a target: how many repetitions reached it, and the median epochs they took.
  const reached = ok.filter((trial) => trial.converged);
  const epochs = medianOrUndefined(reached.flatMap((trial) => (trial.epochsToTarget !== undefined ? [trial.epochsToTarget] : [])));
  const target = ok[0]!.converged === undefined ? '' : `  target reached ${reached.length}/${ok.length}${epochs !== undefined ? ` in ${formatNumber(epochs, 2)} epochs` : ''}`;
  return `✓ ${label}  ${formatMs(wall)}  ${formatCount(rate)} samples/s  ${metric} ${formatNumber(quality, 3)}${target}`;
}

export interface ProgressReporter {
  cellStarted(cell: Cell, index: number, total: number): void;
  cellDone(result: CellResult): void;
  /** A line of its own (e.g. the confirm step's), above the bar on a terminal; nothing when quiet. */
  note(line: string): void;
  stop(): void;
}

export function createProgress(plan: BenchmarkPlan, streams: OutputStreams, quiet: boolean): ProgressReporter {
  if (quiet) return { cellStarted() {}, cellDone() {}, note() {}, stop() {} };
  const colors = createColors(colorEnabled(streams.stderr, streams.env));
  const costs = new Map(plan.cells.map((cell) => [cell.id, cellCost(cell, plan)]));
  const total = [...costs.values()].reduce((sum, cost) => sum + cost, 0);
  const line = (result: CellResult) => {
    const text = describeCellResult(result);
    return text.startsWith('✗') ? colors.red(text) : text;
  };

  if (!streams.stderr.isTTY) {
    return {
      cellStarted() {},
      cellDone(result) {
        streams.stderr.write(`${line(result)}\n`);
      },
      note(text) {
        streams.stderr.write(`${text}\n`);
      },
      stop() {},
    };
  }

  const bars = new cliProgress.MultiBar(
    {
      stream: streams.stderr as NodeJS.WriteStream,
      format: ' {bar} {percentage}% | {cells} cells | ETA {eta_formatted} | {current}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(total, 0, { cells: `0/${plan.cells.length}`, current: '' });
  let done = 0;
  let finishedCells = 0;
  return {
    cellStarted(cell, index, count) {
      bar.update(done, { current: terminalSafeLine(`${cell.model} n=${formatCount(cell.size)} w=${cell.workers} (${index + 1}/${count})`) });
    },
    cellDone(result) {
      done += costs.get(result.cell.id) ?? 0;
      finishedCells += 1;
      bars.log(`${line(result)}\n`);
      bar.update(done, { cells: `${finishedCells}/${plan.cells.length}` });
    },
    note(text) {
      bars.log(`${text}\n`);
    },
    stop() {
      bars.stop();
    },
  };
}
