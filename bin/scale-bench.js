#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`, which `npm ci` runs through `prepare`.
import { existsSync } from 'node:fs';
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
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Commands close their worker pools; should any stray handle remain, do not let it keep a finished run alive.
setTimeout(() => process.exit(code), 2000).unref();
