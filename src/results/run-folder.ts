/**
 * Who owns a run folder (<out>/<run-id>/). One process at a time: the owner holds a lock file with
 * its pid, created with O_EXCL so two processes can never both create it; a lock whose process is
 * gone (killed, machine rebooted) is stale and taken over. And a folder that already holds a run is
 * not silently overwritten by a new one: it is refused unless the user says --force, which then
 * empties it first, so the folder never mixes the old run's reports with the new run's results.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../config/errors.js';
import { createFileExclusive, moveFile, removePath, restoreFile } from './write.js';
import { isScaleBenchResultsFile } from './file.js';

/** The lock file's name inside the run folder; hidden, and never served or reported. */
export const LOCK_FILE = '.scale-bench.lock';

interface LockRecord {
  pid: number;
  hostname: string;
  /** Tells this lock from any other one, even of a reused pid. */
  nonce: string;
  /** ISO 8601. */
  startedAt: string;
}

export interface RunFolderClaim {
  /** The run folder, absolute. */
  dir: string;
  /** What happened to an earlier run there (--force), for the user to read; undefined when nothing did. */
  note?: string;
  /** Gives the folder up: removes the lock (and the folder, when this claim created it and left it empty). */
  release(): void;
}

export interface ClaimOptions {
  /** The command-line id, for messages. */
  runId: string;
  /** 'new' refuses a folder that holds a run; 'resume' expects one. */
  purpose: 'new' | 'resume';
  /** Replace a run already in the folder (its files are removed first). */
  force?: boolean;
  /** Folder the user named (--out), for messages. */
  outLabel: string;
}

function readLock(path: string): LockRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockRecord>;
    if (typeof value.pid === 'number' && typeof value.nonce === 'string') {
      return { pid: value.pid, nonce: value.nonce, hostname: String(value.hostname ?? ''), startedAt: String(value.startedAt ?? '') };
    }
  } catch {
    // Unreadable or half-written: judged below as a lock of unknown owner.
  }
  return undefined;
}

/** Whether the process that wrote a lock may still be running. Another machine's process cannot be checked, so it counts as alive. */
function ownerAlive(lock: LockRecord): boolean {
  if (lock.hostname !== hostname()) return true;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function inUse(dir: string, lock: LockRecord | undefined, path: string): UsageError {
  const owner = lock ? `process ${lock.pid}${lock.hostname !== hostname() ? ` on ${lock.hostname}` : ''}, started ${lock.startedAt}` : 'another process';
  return new UsageError(
    `run folder ${dir} is in use by ${owner}: two runs must not write one folder. Wait for it to finish, or choose another --run-id. ` +
      `If that process is gone and the lock remains (${path}), delete the lock file.`,
  );
}

/**
 * Takes the lock, judging a lock whose owner is gone as stale. Taking a stale lock over moves it aside
 * first and checks that what was moved is the stale lock it judged: if another process replaced it in
 * between, that live lock is put back and this claim is refused.
 */
function acquireLock(dir: string): { nonce: string } {
  const path = join(dir, LOCK_FILE);
  const record: LockRecord = { pid: process.pid, hostname: hostname(), nonce: randomBytes(8).toString('hex'), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createFileExclusive(path, `${JSON.stringify(record)}\n`)) return { nonce: record.nonce };
    const held = readLock(path);
    // A lock file seen before its owner finished writing it: give the owner a moment, then look again.
    if (!held) {
      if (attempt < 4) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      throw inUse(dir, held, path);
    }
    if (ownerAlive(held)) throw inUse(dir, held, path);
    const aside = join(dir, `${LOCK_FILE}.stale-${record.nonce}`);
    if (!moveFile(path, aside)) continue;
    const moved = readLock(aside);
    if (moved?.nonce !== held.nonce) {
      restoreFile(aside, path);
      throw inUse(dir, moved, path);
    }
    removePath(aside);
  }
  throw inUse(dir, readLock(path), path);
}

function describeRun(dir: string): string {
  try {
    const value = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { cells?: unknown[]; plan?: { cells?: unknown[] }; complete?: unknown };
    const cells = Array.isArray(value.cells) ? value.cells.length : 0;
    const planned = Array.isArray(value.plan?.cells) ? value.plan.cells.length : cells;
    return `${value.complete === true ? 'a finished run' : 'an unfinished run'} with ${cells} of ${planned} cells`;
  } catch {
    return 'a run';
  }
}

/**
 * Claims the run folder for this process: takes its lock, then checks what is in it.
 * Throws UsageError (exit 2) when another process owns it, or when a new run would overwrite an
 * earlier one without --force. The lock is released by `release()`, and in any case when the process exits.
 */
export function claimRunFolder(dir: string, options: ClaimOptions): RunFolderClaim {
  const existed = existsSync(dir);
  const { nonce } = acquireLock(dir);
  const lockPath = join(dir, LOCK_FILE);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readLock(lockPath)?.nonce === nonce) removePath(lockPath);
    if (!existed && existsSync(dir) && readdirSync(dir).length === 0) removePath(dir);
  };
  // Also on process.exit() from anywhere (a second Ctrl-C): a lock must not outlive its process.
  process.on('exit', release);

  try {
    const entries = readdirSync(dir).filter((name) => name !== LOCK_FILE && !name.startsWith(`${LOCK_FILE}.stale-`));
    let note: string | undefined;
    if (options.purpose === 'new' && entries.length > 0) {
      const isRun = isScaleBenchResultsFile(join(dir, 'results.json'));
      if (!isRun) {
        throw new UsageError(
          `--run-id ${options.runId}: ${dir} already exists and is not a scale-bench run folder (it holds ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}). Choose another --run-id or --out.`,
        );
      }
      const what = describeRun(dir);
      if (!options.force) {
        throw new UsageError(
          `--run-id ${options.runId}: ${options.outLabel}/${options.runId} already holds ${what}. Continue it with --resume ${options.runId}, ` +
            `choose a fresh --run-id (or leave it out for a new timestamped id), or pass --force to replace it.`,
        );
      }
      // The new run must not sit beside the old one's reports: the folder is emptied, the lock kept.
      for (const name of entries) removePath(join(dir, name));
      note = `--force: replaced ${what} in ${dir}`;
    }
    return { dir, ...(note ? { note } : {}), release };
  } catch (error) {
    release();
    throw error;
  }
}
