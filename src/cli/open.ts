/** `scale-bench open`: show the newest report in a browser, or serve it on loopback when there is no desktop. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../config/errors.js';
import { findLatestReport, openReport } from '../report/serve.js';
import type { OutputStreams } from './output.js';
import { EXIT_OK } from './run.js';
import { onInterrupt } from './signals.js';

function locate(report: string | undefined, dir: string): string {
  if (report) {
    const path = resolve(report);
    if (!existsSync(path)) throw new UsageError(`open: ${report} does not exist. Give a report.html or a run folder under ${dir}/.`);
    if (statSync(path).isDirectory()) {
      const html = join(path, 'report.html');
      if (!existsSync(html)) throw new UsageError(`open: ${report} has no report.html. Regenerate it with \`scale-bench report ${join(report, 'results.json')}\`.`);
      return html;
    }
    return path;
  }
  const latest = findLatestReport(resolve(dir));
  if (!latest) throw new UsageError(`open: no report found under ${dir}/. Run \`scale-bench run\` first, or pass --dir <reports folder>.`);
  return latest;
}

export async function openCommand(
  report: string | undefined,
  options: { dir: string; port?: number; serve?: boolean },
  streams: OutputStreams,
): Promise<number> {
  const path = locate(report, options.dir);
  const outcome = await openReport(path, { ...(options.port !== undefined ? { port: options.port } : {}), forceServe: options.serve === true });
  if ('served' in outcome) {
    streams.stdout.write(`serving ${path}\n  ${outcome.served}\npress Ctrl-C to stop\n`);
    // Ctrl-C is how serving ends: it stops the server, and the command exits 0.
    await new Promise<void>((resolveStop) => {
      onInterrupt(() => void outcome.close().then(resolveStop));
    });
    onInterrupt(undefined);
  } else {
    streams.stdout.write(`opened ${path}\n`);
  }
  return EXIT_OK;
}
