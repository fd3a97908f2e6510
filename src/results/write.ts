/**
 * The only module that writes files. Every write is atomic (temp file + rename in the same folder),
 * so a crash at any moment leaves either the old file or the new one, never a torn one. The temp
 * file's bytes are flushed to the disk (fsync) before the rename and the folder after it, so this
 * holds on power loss too, not only when the process is killed: without the first, a journaling file
 * system may persist the rename before the data (a complete-looking, empty file); without the second,
 * the rename itself may be lost. Files that several processes append to (the history store) are
 * appended under a lock file; a run folder is held by a lock file for as long as its run.
 */
import { appendFile, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../config/errors.js';

/** One file a reporter produced: bytes only; this module is the only one that writes them. */
export interface Artifact {
  /** Path relative to the run's output folder, e.g. "report.html" or "charts/time-vs-size.png". */
  path: string;
  mediaType: string;
  bytes: Uint8Array;
}

/** Resolve `relativePath` inside `root`, refusing anything that would escape it (e.g. "../../x"). */
export function safeJoin(root: string, relativePath: string): string {
  const target = resolve(root, relativePath);
  const rel = relative(resolve(root), target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new UsageError(
      `refusing to write "${relativePath}": it resolves outside the output folder ${root}. Rename the model or data set so it has no path separators or "..".`,
    );
  }
  return target;
}

function tempName(path: string): string {
  return join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
}

/** Some platforms (Windows) cannot open or fsync a folder; there the rename is as durable as the OS makes it. */
function folderSyncUnsupported(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'EBADF' || code === 'EACCES';
}

async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    if (!folderSyncUnsupported(error)) throw error;
  } finally {
    await handle?.close();
  }
}

export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temp = tempName(path);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(folder);
}

/** Synchronous twin for signal handlers, where the event loop may not get another turn. */
export function writeFileAtomicSync(path: string, bytes: Uint8Array | string): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  const temp = tempName(path);
  try {
    const fd = openSync(temp, 'w');
    try {
      const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      for (let offset = 0; offset < data.byteLength; ) offset += writeSync(fd, data, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch (error) {
    if (!folderSyncUnsupported(error)) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Write reporter artifacts under `root`; returns the absolute paths written. */
export async function writeArtifacts(root: string, artifacts: readonly Artifact[]): Promise<string[]> {
  const written: string[] = [];
  for (const artifact of artifacts) {
    const path = safeJoin(root, artifact.path);
    await writeFileAtomic(path, artifact.bytes);
    written.push(path);
  }
  return written;
}

/**
 * Append text to a file another program owns (e.g. $GITHUB_STEP_SUMMARY, which several steps add to).
 * Not atomic by nature: appending must keep what is already there.
 */
export async function appendFileText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, text);
}

/**
 * Creates `path` holding `text` only if nothing is there yet (O_EXCL): the one atomic test-and-set the
 * file system offers, used for lock files. Returns false when the file already exists.
 */
export function createFileExclusive(path: string, text: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, text, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Moves a file aside in one step (rename); false when it was already gone. */
export function moveFile(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Puts a file back under `to` only if nothing took that name meanwhile (a hard link never overwrites). */
export function restoreFile(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(from, { force: true });
  }
}

/** Removes a file (or folder, recursively) if it exists. Synchronous, so it also works in an 'exit' handler. */
export function removePath(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

export interface LockOptions {
  /** Give up waiting for the lock after this many milliseconds; default 30 000. */
  timeoutMs?: number;
  /**
   * A lock older than this is taken to be left behind by a writer that died (an append holds it for
   * milliseconds); default 60 000. On the same host a lock whose process is gone is stale at once.
   */
  staleMs?: number;
}

/** What a lock file holds: who took it, so a stale one can be recognised and named in errors. */
interface LockOwner {
  pid: number;
  host: string;
  since: number;
  token: string;
}

function lockOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    return typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'number' && typeof value.token === 'string'
      ? (value as LockOwner)
      : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(lockPath: string): Promise<{ owner: LockOwner | null; ageMs: number } | null> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { owner: lockOwner(text), ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function isStale(lock: { owner: LockOwner | null; ageMs: number }, staleMs: number): boolean {
  if (lock.ageMs > staleMs) return true;
  return lock.owner !== null && lock.owner.host === hostname() && !processAlive(lock.owner.pid);
}

/**
 * Removes a stale lock, unless another waiter got there first: breakers take turns through a second,
 * short-lived lock file, and the lock is removed only if it still holds the token seen as stale, so a
 * fresh lock taken meanwhile by someone else is never deleted.
 */
async function breakStaleLock(lockPath: string, staleToken: string | null): Promise<void> {
  const breaker = `${lockPath}.break`;
  try {
    await writeFile(breaker, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A breaker that died mid-way leaves its file; breaking takes microseconds, so one older than 10 s is left over.
    const info = await stat(breaker).catch(() => null);
    if (info && Date.now() - info.mtimeMs > 10_000) await rm(breaker, { force: true });
    return;
  }
  try {
    const again = await readLock(lockPath);
    if (again && (again.owner?.token ?? null) === staleToken) await rm(lockPath, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
}

/**
 * Runs `action` while holding `<path>.lock`, a lock file created with O_EXCL, which works across
 * processes and hosts (local disks and NFS v3+). Waiters retry with jittered back-off; a lock left by a
 * writer that died is broken (see LockOptions.staleMs). Errors name the lock file and its holder.
 */
export async function withFileLock<T>(path: string, action: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = `${path}.lock`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: Date.now(), token: randomBytes(8).toString('hex') };
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let delayMs = 2;
  for (;;) {
    try {
      await writeFile(lockPath, JSON.stringify(owner), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await readLock(lockPath);
    if (held && isStale(held, staleMs)) {
      await breakStaleLock(lockPath, held.owner?.token ?? null);
      continue;
    }
    if (Date.now() > deadline) {
      const who = held?.owner ? `process ${held.owner.pid} on ${held.owner.host} since ${new Date(held.owner.since).toISOString()}` : 'another process';
      throw new UsageError(
        `${path}: still locked after ${Math.round(timeoutMs / 1000)} s by ${who} (${lockPath}). If no scale-bench is writing there, delete ${lockPath} and try again.`,
      );
    }
    await sleep(delayMs * (0.5 + Math.random()));
    delayMs = Math.min(delayMs * 2, 100);
  }
  try {
    return await action();
  } finally {
    const current = await readLock(lockPath);
    if (current?.owner?.token === owner.token) await rm(lockPath, { force: true });
  }
}

/**
 * Appends to a file that several processes may append to at once, such as a history store: under the
 * file's lock, `compose` sees the file's current text and returns what to append (or null for nothing).
 * An O_APPEND write is atomic only up to PIPE_BUF and a record can be longer, hence the lock. If the
 * file does not end with a newline (a writer died mid-line), the new text starts on a fresh line so it
 * is never glued to the torn one. The data is flushed to disk before the lock is released.
 */
export async function appendUnderLock(path: string, compose: (current: string) => string | null, options: LockOptions = {}): Promise<string | null> {
  return withFileLock(
    path,
    async () => {
      let current = '';
      try {
        current = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const text = compose(current);
      if (text === null || text === '') return null;
      const separated = current !== '' && !current.endsWith('\n') ? `\n${text}` : text;
      const handle = await open(path, 'a');
      try {
        await handle.appendFile(separated);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      return text;
    },
    options,
  );
}
