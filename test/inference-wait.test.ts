/** The inference load generator's wait keeps the process alive while nothing else does. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

describe('waitForChange', () => {
  it('a process whose only pending work is the wait does not exit before it times out', () => {
    // Alone in a process (no timers, no workers), a bare Atomics.waitAsync let Node's event loop empty and the
    // process exit with code 13 (unsettled top-level await) instead of waiting out the timeout.
    const load = pathToFileURL(join(process.cwd(), 'dist', 'modes', 'inference', 'load.js')).href;
    const script = `import { waitForChange } from ${JSON.stringify(load)};
const control = new Int32Array(new SharedArrayBuffer(8));
const started = performance.now();
await waitForChange(control, 0, 0, 150);
console.log(Math.round(performance.now() - started));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.status, child.stderr).toBe(0);
    expect(Number(child.stdout.trim())).toBeGreaterThanOrEqual(140);
  });
});
