/**
 * Issue 20.7: hostile model modules. A user's module is code scale-bench runs while planning; it used
 * to run in the main thread, where an endless loop hung the run, process.exit(1) exited 1 (which means
 * "regression") and a promise that never settled exited 13, all without a message. Each is now exit 2
 * naming the module and what happened, within --build-timeout.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-hostile-models-'));

function module(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

const DENSE = `const model = tf.sequential(); model.add(tf.layers.dense({ units: outputUnits, inputShape })); return model;`;

async function plan(path: string, extra: string[] = []) {
  const out = mkdtempSync(join(tmpdir(), 'sb-hostile-out-'));
  const started = Date.now();
  const outcome = await runCli(['run', '--runner', 'fake', '--model', path, '--sizes', '100', '--workers', '1', '--build-timeout', '3', '--out', out, '--report', 'json', '--quiet', ...extra], { timeoutMs: 60_000 });
  return { ...outcome, seconds: (Date.now() - started) / 1000, written: readdirSync(out) };
}

describe('a hostile model module fails planning with exit 2 naming it (issue 20.7)', () => {
  for (const [name, source, message] of [
    ['loop-at-import.mjs', 'for (;;) {}\nexport default () => null;', /loop-at-import\.mjs: did not finish loading and building its model within 3 s \(--build-timeout\)/],
    ['loop-in-factory.mjs', 'export default function createModel() { for (;;) {} }', /loop-in-factory\.mjs: did not finish loading and building its model within 3 s/],
    ['exits.mjs', 'export default function createModel() { process.exit(1); }', /exits\.mjs: ended the thread building its model with exit code 1 .*does the module call process\.exit\(\)\?/],
    ['never-settles.mjs', 'export default function createModel() { return new Promise(() => {}); }', /never-settles\.mjs: never returned a model: its factory returned a promise that never settled/],
    [
      'nan-weights.mjs',
      'export default function createModel({ tf, inputShape, outputUnits }) { const model = tf.sequential(); model.add(tf.layers.dense({ units: outputUnits, inputShape, kernelInitializer: tf.initializers.constant({ value: NaN }) })); return model; }',
      /nan-weights\.mjs: the model's initial weights hold NaN \(dense_Dense1\/kernel, element 0\): check the initializers/,
    ],
    [
      'nan-loss.mjs',
      'export default function createModel({ tf, inputShape, outputUnits }) { const model = tf.sequential(); const init = tf.initializers.constant({ value: 3e38 }); model.add(tf.layers.dense({ units: 16, inputShape, kernelInitializer: init })); model.add(tf.layers.dense({ units: outputUnits, kernelInitializer: init })); return model; }',
      /nan-loss\.mjs: its loss on a first batch of 32 finite random rows is (NaN|Infinity): the model computes non-finite outputs/,
    ],
    ['throws-at-import.mjs', 'throw new Error("no GPU here");', /throws-at-import\.mjs: failed to load: no GPU here/],
  ] as const) {
    it(`${name}`, async () => {
      const { code, stderr, seconds, written } = await plan(module(name, source));
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/internal error|\n\s+at /);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      // The deadline holds: 3 s plus starting the process and the thread.
      expect(seconds).toBeLessThan(30);
      expect(written).toEqual([]);
    });
  }

  it('what a module prints while building reaches neither stdout (--json stays JSON) nor the terminal', async () => {
    const path = module('prints.mjs', `console.log('\\u001b[2Jhello'); console.error('noise'); export default function createModel({ tf, inputShape, outputUnits }) { ${DENSE} }`);
    const { code, stdout, stderr } = await plan(path, ['--json']);
    expect(code, stderr).toBe(0);
    expect(() => JSON.parse(stdout)).not.toThrow();
    expect(stdout + stderr).not.toMatch(/hello|noise/);
  });

  it('--build-timeout is checked like every other limit', async () => {
    const path = module('ok.mjs', `export default function createModel({ tf, inputShape, outputUnits }) { ${DENSE} }`);
    for (const bad of ['0', '-5', 'soon']) {
      const { code, stderr } = await plan(path, ['--build-timeout', bad]);
      expect(code).toBe(2);
      expect(stderr).toMatch(/--build-timeout: .* must be a number between 0 and 86400 \(exclusive\)/);
    }
    expect((await plan(path, ['--build-timeout', '30'])).code).toBe(0);
  });
});
