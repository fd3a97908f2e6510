/**
 * "Never torn" on power loss, not only when the process is killed: the temp file's bytes reach the
 * disk (fsync) before the rename, and the folder is synced after it. The file system calls are
 * recorded through a thin wrapper around node:fs and node:fs/promises.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const calls: string[] = [];
const name = (path: unknown): string => (typeof path === 'string' ? (basename(path).endsWith('.tmp') ? 'temp' : basename(path)) : String(path));

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    open: async (path: string, flags: string) => {
      const handle = await fs.open(path, flags);
      const what = name(path);
      return new Proxy(handle, {
        get(target, key) {
          if (key === 'sync') return async () => (calls.push(`fsync ${what}`), target.sync());
          if (key === 'writeFile') return async (data: Uint8Array | string) => (calls.push(`write ${what}`), target.writeFile(data));
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
    rename: async (from: string, to: string) => (calls.push(`rename ${name(from)} -> ${name(to)}`), fs.rename(from, to)),
    writeFile: async (...args: Parameters<typeof fs.writeFile>) => (calls.push(`write ${name(args[0])}`), fs.writeFile(...args)),
  };
});

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const names = new Map<number, string>();
  return {
    ...fs,
    openSync: (path: string, flags: string) => {
      const fd = fs.openSync(path, flags);
      names.set(fd, name(path));
      return fd;
    },
    fsyncSync: (fd: number) => (calls.push(`fsync ${names.get(fd)}`), fs.fsyncSync(fd)),
    renameSync: (from: string, to: string) => (calls.push(`rename ${name(from)} -> ${name(to)}`), fs.renameSync(from, to)),
    writeSync: (fd: number, ...rest: unknown[]) => (calls.push(`write ${names.get(fd)}`), (fs.writeSync as (...a: unknown[]) => number)(fd, ...rest)),
    writeFileSync: (...args: Parameters<typeof fs.writeFileSync>) => (calls.push(`write ${name(args[0])}`), fs.writeFileSync(...args)),
  };
});

const { writeFileAtomic, writeFileAtomicSync } = await import('../src/results/write.js');

afterEach(() => {
  calls.length = 0;
});

describe('atomic writes survive power loss', () => {
  it.each([
    ['writeFileAtomic', (path: string, text: string) => writeFileAtomic(path, text)],
    ['writeFileAtomicSync', async (path: string, text: string) => writeFileAtomicSync(path, text)],
  ])('%s syncs the data before the rename and the folder after it', async (_name, write) => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-durable-'));
    const folder = basename(join(dir, 'run'));
    await write(join(dir, 'run', 'results.json'), '{"v":1}');
    const events = calls.filter((c) => !c.startsWith('write') || c === 'write temp');
    expect(events.filter((c) => c.startsWith('write')).length).toBeGreaterThan(0);
    const firstWrite = events.indexOf('write temp');
    const dataSync = events.indexOf('fsync temp');
    const renamed = events.indexOf('rename temp -> results.json');
    const folderSync = events.indexOf(`fsync ${folder}`);
    expect(firstWrite).toBeGreaterThanOrEqual(0);
    expect(dataSync).toBeGreaterThan(firstWrite);
    expect(renamed).toBeGreaterThan(dataSync);
    expect(folderSync).toBeGreaterThan(renamed);
    expect(readFileSync(join(dir, 'run', 'results.json'), 'utf8')).toBe('{"v":1}');
    expect(readdirSync(join(dir, 'run'))).toEqual(['results.json']);
  });
});
