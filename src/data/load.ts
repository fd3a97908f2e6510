/**
 * Loads a user's data file for planning and for the run: read once (./read.ts), encoded (./encode.ts),
 * and cut into per-cell tables (./subsample.ts), with the file's identity checked on resume.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DataFileOptions } from '../config/schema.js';
import type { DataFileSource, DatasetSpec } from '../results/schema.js';
import { InputError, UsageError } from '../config/errors.js';
import { bytesChecksum } from './checksum.js';
import type { DataTable } from './table.js';
import { encodeTable, type EncodedDataset, type RawColumn, type RawTable } from './encode.js';
import { rowOrder, subsampleTable } from './subsample.js';
import { dataFormat, datasetName, displayPath, readDataFile, usedColumns } from './read.js';

export type BadRowPolicy = DataFileSource['onBadRow'];
export type CategoricalEncoding = DataFileSource['encoding'];

/** What the user asked for with --data and its companion flags (or the config file's `data`). */
export type { DataFileOptions };
export { dataFormat, datasetName, displayPath, readDataFile };
export type { DataFormat } from './read.js';

/**
 * The newest file read, so planning and running in one process parse it once: the run asks for the
 * feature columns by name where the plan took "all but the target", which the cached read covers.
 */
let lastRead: { key: string; file: string; table: Promise<RawTable> } | undefined;

/** The cached table narrowed to the columns asked for, or undefined when it lacks some. */
function narrow(table: RawTable, target: string, features: readonly string[] | undefined): RawTable | undefined {
  const wanted = usedColumns(table.file, target, features)(table.columns);
  const byName = new Map(table.used.map((column) => [column.name, column]));
  const used = wanted.map((name) => byName.get(name));
  if (used.some((column) => column === undefined)) return undefined;
  return { ...table, used: used as RawColumn[] };
}

async function readCached(path: string, target: string, features: readonly string[] | undefined, file: string): Promise<RawTable> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return readDataFile(path, target, features, file);
  }
  const key = JSON.stringify([path, info.mtimeMs, info.size]);
  if (lastRead?.key === key && lastRead.file === file) {
    const cached = await lastRead.table.catch(() => undefined);
    const narrowed = cached && cached.used[0]?.name === target ? narrow(cached, target, features) : undefined;
    if (narrowed) return narrowed;
  }
  const table = readDataFile(path, target, features, file);
  lastRead = { key, file, table };
  return table;
}

/**
 * Reads and encodes a user's data file: numbers, one-hot or index codes for text columns, class
 * indices for a classification target. Rows stay in file order; subsampling, shuffling and
 * standardisation happen per cell (see subsampleTable).
 */
export async function loadDataFile(options: DataFileOptions, cwd: string = process.cwd()): Promise<EncodedDataset> {
  const path = resolve(cwd, options.path);
  const file = displayPath(path, cwd);
  const raw = await readCached(path, options.target, options.features, file);
  return encodeTable(raw, {
    name: datasetName(path),
    path,
    target: options.target,
    ...(options.task ? { task: options.task } : {}),
    onBadRow: options.onBadRow ?? 'fail',
    encoding: options.encoding ?? 'one-hot',
  });
}

/** Loads the file behind a 'file' DatasetSpec of a plan, and checks it still matches the plan. */
export async function loadPlannedFile(spec: DatasetSpec): Promise<EncodedDataset> {
  const { path, source } = spec;
  if (spec.generator !== 'file' || !path || !source) {
    throw new UsageError(
      `data set "${spec.name}" comes from a file, but the plan does not say how to read it (no path or source): re-run with --data instead of resuming`,
    );
  }
  const dataset = await loadDataFile({
    path,
    target: source.target,
    task: spec.task,
    features: source.columns,
    onBadRow: source.onBadRow,
    encoding: source.encoding,
  });
  const same =
    dataset.spec.features === spec.features &&
    dataset.spec.classes === spec.classes &&
    JSON.stringify(dataset.spec.labels ?? []) === JSON.stringify(spec.labels ?? []) &&
    JSON.stringify(dataset.spec.source?.featureNames) === JSON.stringify(source.featureNames);
  if (!same) {
    throw new InputError(
      displayPath(path),
      `changed since the plan was made (its columns, classes or categories differ): start a new run instead of resuming`,
    );
  }
  return dataset;
}

/**
 * The file-backed data sets of a run, loaded once; hands the scheduler one standardised table per
 * cell, keeping only the newest (as the generated-data cache does).
 */
export class FileTables {
  private current: { key: string; table: DataTable; checksum: string } | undefined;

  private constructor(
    private readonly files: ReadonlyMap<string, { dataset: EncodedDataset; order: Int32Array }>,
    private readonly seed: number,
  ) {}

  static async load(specs: readonly DatasetSpec[], seed: number): Promise<FileTables> {
    const files = new Map<string, { dataset: EncodedDataset; order: Int32Array }>();
    for (const spec of specs) {
      if (spec.generator !== 'file') continue;
      const dataset = await loadPlannedFile(spec);
      files.set(spec.name, { dataset, order: rowOrder(dataset.rows, seed) });
    }
    return new FileTables(files, seed);
  }

  get(spec: DatasetSpec, nTrain: number, nTest: number): { key: string; table: DataTable; checksum: string } {
    const file = this.files.get(spec.name);
    if (!file) throw new Error(`data set "${spec.name}" was not loaded from its file`);
    const key = `file:${spec.path ?? spec.name}|${nTrain}+${nTest}|${this.seed}`;
    if (this.current?.key === key) return this.current;
    const { dataset, order } = file;
    if (nTrain + nTest > dataset.rows) {
      throw new InputError(
        displayPath(spec.path ?? spec.name),
        `now has ${dataset.rows} usable rows, fewer than the ${nTrain + nTest} (${nTrain} training + ${nTest} held-out) this cell needs: the file changed since the plan was made; start a new run`,
      );
    }
    const table = subsampleTable(dataset, order, nTrain, nTest);
    this.current = { key, table, checksum: bytesChecksum([table.x, table.y]) };
    return this.current;
  }
}
