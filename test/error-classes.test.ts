/**
 * Errors are classified by their type at the source, never by the words of their message: a backend
 * that cannot start is a usage error naming --backend (exit 2); an unrelated error that happens to
 * mention "backend" is an internal error (exit 70); malformed test-hook variables exit 2 naming them.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { BackendUnavailableError } from '../src/backends/index.js';
import { UsageError } from '../src/config/errors.js';
import { initReplies } from '../src/modes/pool-runner.js';
import type { InitReply } from '../src/measure/protocol.js';

const out = (): string => mkdtempSync(join(tmpdir(), 'sb-errors-'));
const TINY = ['run', '--models', 'linear', '--sizes', '1k', '--workers', '1', '--repeats', '1', '--warmup', '0', '--report', 'json', '--quiet'];

describe('error classes', () => {
  it('an error that mentions "backend" but is not about --backend is an internal error, not a usage error', async () => {
    const { code, stderr } = await runCli([...TINY, '--runner', 'fake', '--out', out()], {
      env: { SCALE_BENCH_FAKE: JSON.stringify({ startError: 'the storage backend of the results disk is full' }) },
    });
    expect(code).toBe(70);
    expect(stderr).toMatch(/internal error: .*storage backend of the results disk is full/);
    expect(stderr).not.toMatch(/--backend/);
  });

  it('a backend that cannot start exits 2 with one message naming --backend and the fix', async () => {
    const { code, stderr } = await runCli([...TINY, '--backend', 'node', '--out', out()], { timeoutMs: 60_000 });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--backend node: @tensorflow\/tfjs-node is not available .*npm i @tensorflow\/tfjs-node/);
    expect(stderr.match(/--backend node:/g)).toHaveLength(1);
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
  }, 70_000);

  it('the worker reply of an unavailable backend becomes a BackendUnavailableError, which is a usage error', () => {
    const ok: InitReply = { kind: 'init', threadId: 1, initMs: 1, backend: { name: 'wasm', tfjsVersion: 'x', backendVersion: 'x', kernelPatches: [], threads: 1 } };
    let caught: unknown;
    try {
      // A peer released from the start line rejects; the backend's own reason must win.
      initReplies([
        { status: 'rejected', reason: new Error('barrier aborted') },
        { status: 'fulfilled', value: { kind: 'init-unavailable', message: '--backend node: not here' } },
      ]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BackendUnavailableError);
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toBe('--backend node: not here');
    expect(initReplies([{ status: 'fulfilled', value: ok }])).toEqual([ok]);
    expect(() => initReplies([{ status: 'rejected', reason: new Error('worker died') }])).toThrow('worker died');
  });

  it.each([
    ['not JSON', '{"throw":', /SCALE_BENCH_FAULTS is not valid JSON/],
    ['an unknown fault', '{"explode":["linear|"]}', /SCALE_BENCH_FAULTS: .*explode/],
    ['a fragment that is not a string list', '{"throw":"linear|"}', /SCALE_BENCH_FAULTS at "throw"/],
  ])('a malformed SCALE_BENCH_FAULTS (%s) exits 2 naming the variable', async (_what, value, message) => {
    const { code, stderr } = await runCli([...TINY, '--runner', 'fake', '--out', out()], { env: { SCALE_BENCH_FAULTS: value } });
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/internal error/);
  });

  it('a malformed SCALE_BENCH_FAKE exits 2 naming the variable', async () => {
    const { code, stderr } = await runCli([...TINY, '--runner', 'fake', '--out', out()], { env: { SCALE_BENCH_FAKE: '{"slowdown": 2}' } });
    expect(code).toBe(2);
    expect(stderr).toMatch(/SCALE_BENCH_FAKE at "slowdown"/);
  });

  it('--help lists exit code 70', async () => {
    const { stdout } = await runCli(['--help']);
    expect(stdout).toMatch(/^\s+70\s+internal error/m);
  });
});
