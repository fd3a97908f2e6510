/**
 * The only module that writes files. Every write is atomic (temp file + rename in the same folder),
 * so a crash at any moment leaves either the old file or the new one, never a torn one. The temp
 * file's bytes are flushed to the disk (fsync) before the rename and the folder after it, so this
 * holds on power loss too, not only when the process is killed: without the first, a journaling file
 * system may persist the rename before the data (a complete-looking, empty file); without the second,
 * the rename itself may be lost.
 */
import { appendFile, mkdir, open, rename, rm } from 'node:fs/promises';
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
