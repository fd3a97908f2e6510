#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`, which `npm ci` runs through `prepare`.
import { existsSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('scale-bench: dist/ is missing. Run `npm run build` (or `npm ci`, which builds it) in the scale-bench folder first.\n');
  process.exit(2);
}
// `scale-bench ... | head` closes the pipe early; that is the reader's choice, not an error to report.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
// Ctrl-C and SIGTERM are handled from here on, before the CLI (and tfjs) load: an interrupt at any
// moment exits 130 with one line instead of Node's silent death by signal.
const { installSignalHandlers } = await import(new URL('../dist/cli/signals.js', import.meta.url).href);
installSignalHandlers();
// Tests time their interrupts from this moment, the first at which scale-bench can answer one
// (before it, Node itself is still starting): they pass a pipe's descriptor to be told.
const readyFd = Number(process.env.SCALE_BENCH_SIGNALS_READY_FD);
if (Number.isInteger(readyFd) && readyFd > 2) {
  try {
    writeSync(readyFd, 'ready\n');
  } catch {
    // Not a descriptor this process has: nobody is listening.
  }
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Commands close their worker pools; should any stray handle remain, do not let it keep a finished run alive.
setTimeout(() => process.exit(code), 2000).unref();
