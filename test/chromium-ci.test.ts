/** The browser test cannot be skipped on CI: Chromium is found on the PATH, and CI without it fails with the fix. */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumForTests, findChromium } from './helpers/chromium.js';

function folderWith(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
  writeFileSync(join(dir, name), '#!/bin/sh\n');
  chmodSync(join(dir, name), 0o755);
  return dir;
}

describe('finding Chromium for the browser test', () => {
  it('finds chromium anywhere on the PATH, not only at /usr/bin/chromium', () => {
    const dir = folderWith('chromium');
    expect(findChromium({ PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'chromium'));
    const ubuntu = folderWith('chromium-browser');
    expect(findChromium({ PATH: ubuntu })).toBe(join(ubuntu, 'chromium-browser'));
  });

  it('takes CHROMIUM_PATH first, and ignores a file that is not executable', () => {
    const dir = folderWith('chromium');
    const other = folderWith('my-chrome');
    expect(findChromium({ PATH: dir, CHROMIUM_PATH: join(other, 'my-chrome') })).toBe(join(other, 'my-chrome'));
    const plain = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
    writeFileSync(join(plain, 'chromium'), '');
    expect(findChromium({ PATH: plain })).toBeUndefined();
  });

  it('skips off CI but fails on CI with the install command when there is none', () => {
    const empty = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
    expect(chromiumForTests({ PATH: empty })).toBeUndefined();
    expect(chromiumForTests({ PATH: empty, CI: 'false' })).toBeUndefined();
    expect(() => chromiumForTests({ PATH: empty, CI: 'true' })).toThrow(/CI=true but no Chromium.*apt-get install -y .*chromium/);
    expect(chromiumForTests({ PATH: folderWith('chromium'), CI: 'true' })).toMatch(/chromium$/);
  });

  it('.ci/run exports CI=true before the tests, so the browser test cannot skip there', () => {
    const script = readFileSync(join(process.cwd(), '.ci', 'run'), 'utf8');
    const exported = script.search(/^export CI=true$/m);
    expect(exported).toBeGreaterThan(-1);
    expect(script.indexOf('npm test')).toBeGreaterThan(exported);
  });
});
