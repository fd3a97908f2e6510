/**
 * The history store: a folder of append-only JSON Lines files, one per branch and machine fingerprint
 * (<dir>/<branch>/<machine>.jsonl). Appends go through results/write.ts under a lock file, so two
 * processes adding at once lose nothing and tear nothing; files merge by concatenation (records carry
 * their run's key, and a record seen twice counts once). Reading skips nothing silently: a line that is
 * not a valid record is an error naming the file and line.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { z } from 'zod';
import { InputError, errorMessage } from '../config/errors.js';
import { appendUnderLock, safeJoin } from '../results/write.js';
import { HISTORY_RECORD_VERSION, cellRecordSchema, exponentRecordSchema, widthRecordSchema, type HistoryRecord, type StoredRecord } from './schema.js';

export const HISTORY_EXTENSION = '.jsonl';

/** A branch or machine name as a file name: letters, digits, dot, dash and underscore; never "." or "..". */
export function fileSafe(name: string): string {
  const safe = name.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_');
  return safe === '' ? '_' : safe.slice(0, 120);
}

/** The file holding the records of one branch on one machine. */
export function historyFile(dir: string, branch: string, machine: string): string {
  return safeJoin(dir, join(fileSafe(branch), `${fileSafe(machine)}${HISTORY_EXTENSION}`));
}

/** What identifies a record: a run measures a subject once, so a second copy (from a concatenation) is the same record. */
export function recordIdentity(record: Pick<HistoryRecord, 'run' | 'kind' | 'subject'>): string {
  return `${record.run}|${record.kind}|${record.subject}`;
}

function serialise(record: HistoryRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** Identities of the records already in a file's text; lines that do not parse are left to the reader to report. */
function identitiesIn(text: string): Set<string> {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as Partial<HistoryRecord>;
      if (typeof value.run === 'string' && typeof value.kind === 'string' && typeof value.subject === 'string') found.add(recordIdentity(value as HistoryRecord));
    } catch {
      // reported with its line number by readHistory
    }
  }
  return found;
}

export interface AppendOutcome {
  added: number;
  /** Records left out because the store already had them (the same run added twice). */
  duplicates: number;
  files: string[];
}

/** Appends records, each to its branch and machine's file, skipping any the file already holds. */
export async function appendRecords(dir: string, records: readonly HistoryRecord[]): Promise<AppendOutcome> {
  const byFile = new Map<string, HistoryRecord[]>();
  for (const record of records) {
    const file = historyFile(dir, record.branch, record.machine);
    byFile.set(file, [...(byFile.get(file) ?? []), record]);
  }
  let added = 0;
  let duplicates = 0;
  for (const [file, group] of byFile) {
    await appendUnderLock(file, (current) => {
      const present = identitiesIn(current);
      const fresh = group.filter((record) => !present.has(recordIdentity(record)));
      duplicates += group.length - fresh.length;
      added += fresh.length;
      return fresh.length > 0 ? fresh.map(serialise).join('') : null;
    });
  }
  return { added, duplicates, files: [...byFile.keys()] };
}

const SCHEMAS: Record<HistoryRecord['kind'], z.ZodType<HistoryRecord>> = {
  cell: cellRecordSchema,
  'size-law': exponentRecordSchema,
  'complexity-law': exponentRecordSchema,
  'width-law': widthRecordSchema,
};

const FIX = 'Fix or delete that line (the file is plain text, one record per line); the other records are unaffected.';

/** Validates one line; `where` is "file:line" for messages. */
export function parseRecordLine(line: string, where: string, lastLineCutOff: boolean): HistoryRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const why = lastLineCutOff ? 'is cut off (the last line has no newline: a write was interrupted)' : `is not JSON (${errorMessage(error)})`;
    throw new InputError(where, `${why}. ${FIX}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(where, `is not a history record (expected a JSON object). ${FIX}`);
  const { v, kind } = value as { v?: unknown; kind?: unknown };
  if (v !== HISTORY_RECORD_VERSION) {
    throw new InputError(
      where,
      `has record version ${JSON.stringify(v ?? null)}; this scale-bench reads version ${HISTORY_RECORD_VERSION}. ${typeof v === 'number' && v > HISTORY_RECORD_VERSION ? 'It was written by a newer scale-bench: upgrade.' : FIX}`,
    );
  }
  const schema = typeof kind === 'string' ? SCHEMAS[kind as HistoryRecord['kind']] : undefined;
  if (!schema) throw new InputError(where, `field kind: ${JSON.stringify(kind ?? null)} is not one of ${Object.keys(SCHEMAS).join(', ')}. ${FIX}`);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(where, `field ${issue?.path.join('.') || '(record)'}: ${issue?.message ?? 'invalid'}. ${FIX}`);
  }
  return parsed.data;
}

async function historyFiles(dir: string, depth = 0): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < 3 && !entry.name.startsWith('.')) files.push(...(await historyFiles(path, depth + 1)));
    else if (entry.isFile() && entry.name.endsWith(HISTORY_EXTENSION)) files.push(path);
  }
  return files;
}

export interface HistoryContents {
  records: StoredRecord[];
  files: string[];
  /** Copies of records already read (e.g. from concatenated files), counted once. */
  duplicates: number;
}

/** Reads every record under `dir`; throws an InputError naming file and line at the first bad line. */
export async function readHistory(dir: string): Promise<HistoryContents> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new InputError(dir, 'no history here. Add runs with `scale-bench history add <results.json> --dir <dir>` or `scale-bench run --history <dir>`.');
  if (!info.isDirectory()) throw new InputError(dir, 'is a file; --dir takes the history folder (it holds <branch>/<machine>.jsonl files).');
  const files = await historyFiles(dir);
  const records: StoredRecord[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n');
    const rel = relative(process.cwd(), file);
    const shown = rel === '' || rel.startsWith('..') ? file : rel;
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const cutOff = index === lines.length - 1 && !text.endsWith('\n');
      const record = parseRecordLine(line, `${shown}:${index + 1}`, cutOff);
      const identity = recordIdentity(record);
      if (seen.has(identity)) {
        duplicates += 1;
        return;
      }
      seen.add(identity);
      records.push({ record, file: shown, line: index + 1 });
    });
  }
  return { records, files, duplicates };
}
