/** `scale-bench report`: re-analyse saved results and write reports, without running anything. */
import { dirname, resolve } from 'node:path';
import type { RunResult } from '../results/schema.js';
import { readRunResult } from '../results/file.js';
import { writeArtifacts } from '../results/write.js';
import { buildReportInput, renderReports, type ReporterName } from '../report/index.js';
import { renderTerminal } from '../report/terminal.js';
import { colorEnabled, type OutputStreams } from './output.js';
import { EXIT_OK } from './run.js';
import { historyView } from './history.js';

export async function reportCommand(
  files: string[],
  options: { out?: string; report: ReporterName[]; json?: boolean; history?: string; branch?: string; details?: boolean },
  streams: OutputStreams,
): Promise<number> {
  const results: RunResult[] = [];
  for (const file of files) results.push(await readRunResult(file));
  const outDir = resolve(options.out ?? dirname(files[0]!));
  const input = buildReportInput(results);
  if (options.history !== undefined) input.history = await historyView(options.history, options.branch, streams.env);
  const written = await writeArtifacts(outDir, await renderReports(input, options.report));
  if (options.json) {
    streams.stdout.write(`${JSON.stringify({ analyses: input.runs.map((run) => run.analysis), files: written }, null, 2)}\n`);
    return EXIT_OK;
  }
  streams.stdout.write(renderTerminal(input, { color: colorEnabled(streams.stdout, streams.env), view: 'report', details: options.details === true }));
  streams.stdout.write(`wrote ${written.length} files to ${outDir}\n`);
  return EXIT_OK;
}
