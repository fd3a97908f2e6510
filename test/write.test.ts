import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeJoin, writeArtifacts, writeFileAtomic } from '../src/results/write.js';

describe('write', () => {
  it('writes atomically and leaves no temp files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-write-'));
    await writeFileAtomic(join(dir, 'a', 'results.json'), '{"v":1}');
    await writeFileAtomic(join(dir, 'a', 'results.json'), '{"v":2}');
    expect(readFileSync(join(dir, 'a', 'results.json'), 'utf8')).toBe('{"v":2}');
    expect(readdirSync(join(dir, 'a'))).toEqual(['results.json']);
  });

  it('refuses paths that escape the output folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-write-'));
    expect(() => safeJoin(dir, '../../etc/x')).toThrow(/outside the output folder/);
    expect(() => safeJoin(dir, '/etc/passwd')).toThrow(/outside the output folder/);
    expect(safeJoin(dir, 'charts/a.png')).toBe(join(dir, 'charts', 'a.png'));
    await expect(
      writeArtifacts(dir, [{ path: '../evil.txt', mediaType: 'text/plain', bytes: new TextEncoder().encode('x') }]),
    ).rejects.toThrow(/outside the output folder/);
  });
});
