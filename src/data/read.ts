/**
 * Reads a user's data file (CSV, TSV, JSON array, NDJSON) into columns, streaming: only the
 * columns the benchmark uses are kept, dictionary-coded, so memory grows with the used cells and
 * not with the text of the file. Encoding into numbers happens in ./encode.ts.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { basename, extname, isAbsolute, relative } from 'node:path';
import { parse } from 'csv-parse';
import { InputError, UsageError, errorMessage } from '../config/errors.js';
import { CODE_INVALID, CODE_MISSING, CODE_NUMBER, CODE_OUT_OF_RANGE, FLOAT32_MAX, type RawColumn, type RawTable } from './encode.js';
import { checkUtf8, utf8Guard } from './utf8.js';
export type DataFormat = 'csv' | 'tsv' | 'json' | 'ndjson';

const FORMATS: Record<string, DataFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** Values read as "no value", compared lower-case after trimming. */
const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?']);
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

export function dataFormat(path: string): DataFormat {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format) {
    throw new UsageError(
      `--data: cannot tell the format of "${path}" from its extension; name the file .csv, .tsv, .json (an array of objects) or .ndjson/.jsonl (one object per line)`,
    );
  }
  return format;
}

/** The path as the user would recognise it: relative to the working directory when inside it. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * The data set's name in results and reports: the file name, with the characters that would break a
 * cell id ("|") or a terminal line (control characters) replaced.
 */
export function datasetName(path: string): string {
  return basename(path).replace(/[\u0000-\u001f\u007f|]/g, '_');
}

/** Accumulates one used column. */
class ColumnBuilder {
  readonly numbers: number[] = [];
  readonly codes: number[] = [];
  readonly texts: string[] = [];
  readonly outOfRange = new Map<number, string>();
  private readonly index = new Map<string, number>();
  numericCount = 0;
  textCount = 0;

  constructor(readonly name: string) {}

  push(value: unknown): void {
    if (value === null || value === undefined) return this.put(Number.NaN, CODE_MISSING);
    // JSON.parse reads 1e309 as Infinity: a number too large, not a missing value.
    if (typeof value === 'number') return this.number(value, String(value));
    if (typeof value === 'boolean') return this.number(value ? 1 : 0, String(value));
    if (typeof value !== 'string') return this.put(Number.NaN, CODE_INVALID);
    const text = value.trim();
    if (MISSING_TOKENS.has(text.toLowerCase())) return this.put(Number.NaN, CODE_MISSING);
    if (NUMBER.test(text)) return this.number(Number(text), text);
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.texts.length;
      this.texts.push(text);
      this.index.set(text, code);
    }
    this.textCount++;
    this.put(Number.NaN, code);
  }

  private number(value: number, text: string): void {
    this.numericCount++;
    if (Number.isFinite(value) && Math.abs(value) <= FLOAT32_MAX) return this.put(value, CODE_NUMBER);
    this.outOfRange.set(this.codes.length, text);
    this.put(Number.NaN, CODE_OUT_OF_RANGE);
  }

  private put(value: number, code: number): void {
    this.numbers.push(value);
    this.codes.push(code);
  }

  finish(): RawColumn {
    return {
      name: this.name,
      numbers: Float64Array.from(this.numbers),
      codes: Int32Array.from(this.codes),
      texts: this.texts,
      numericCount: this.numericCount,
      textCount: this.textCount,
      outOfRange: this.outOfRange,
    };
  }
}

/** Receives the header, then the used cells of every row; builds the RawTable. */
class TableBuilder {
  private used: Array<{ builder: ColumnBuilder; index: number }> = [];
  private columns: string[] = [];
  private readonly lines: number[] = [];
  private readonly shapeErrors = new Map<number, string>();

  constructor(
    readonly file: string,
    private readonly wanted: (columns: readonly string[]) => string[],
  ) {}

  get hasHeader(): boolean {
    return this.columns.length > 0;
  }

  get columnCount(): number {
    return this.columns.length;
  }

  header(columns: string[]): void {
    const seen = new Map<string, number>();
    columns.forEach((name, i) => {
      const earlier = seen.get(name);
      if (earlier !== undefined) {
        throw new InputError(this.file, `column name "${name}" appears twice in the header (columns ${earlier + 1} and ${i + 1}): rename one of them`);
      }
      seen.set(name, i);
    });
    this.columns = columns;
    this.used = this.wanted(columns).map((name) => ({ builder: new ColumnBuilder(name), index: seen.get(name)! }));
  }

  /** A row whose shape is wrong (e.g. field count): recorded as a bad row, cells missing. */
  badShape(line: number, reason: string): void {
    this.shapeErrors.set(this.lines.length, reason);
    this.row(line, () => undefined);
  }

  row(line: number, cell: (index: number, name: string) => unknown): void {
    this.lines.push(line);
    for (const { builder, index } of this.used) builder.push(cell(index, builder.name));
  }

  finish(unit: RawTable['unit']): RawTable {
    return {
      file: this.file,
      unit,
      columns: this.columns,
      used: this.used.map(({ builder }) => builder.finish()),
      rows: this.lines.length,
      lines: Int32Array.from(this.lines),
      shapeErrors: this.shapeErrors,
    };
  }
}

async function readDelimited(path: string, builder: TableBuilder, delimiter: string, file: string): Promise<void> {
  const parser = parse({ bom: true, info: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true });
  const guard = utf8Guard(file);
  // pipe() does not pass errors on: a byte that is not UTF-8 must end the parse with its own message.
  guard.on('error', (error) => parser.destroy(error));
  createReadStream(path).pipe(guard).pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!builder.hasHeader) {
        builder.header(record.map((name, i) => (name === '' ? `column ${i + 1}` : name)));
        continue;
      }
      if (record.length !== builder.columnCount) {
        builder.badShape(info.lines, `has ${record.length} fields but the header has ${builder.columnCount}`);
        continue;
      }
      builder.row(info.lines, (index) => record[index]);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const line = (error as { lines?: number }).lines;
    throw new InputError(
      file,
      `is not valid ${delimiter === '\t' ? 'TSV' : 'CSV'}${line ? ` at line ${line}` : ''}: ${errorMessage(error)}. Check the quotes on that line (a field with a quote must be wrapped in quotes, and the quote doubled).`,
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJsonArray(path: string, builder: TableBuilder, file: string): Promise<void> {
  const bytes = await readFile(path);
  checkUtf8(bytes, file);
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw emptyFile(file, 'json');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `is not valid JSON (${errorMessage(error)}). Fix the file, or write one object per line and name it .ndjson`);
  }
  if (!Array.isArray(value)) {
    throw new InputError(file, `holds a JSON ${typeof value === 'object' && value !== null ? 'object' : typeof value}, but a data file must be an array of row objects: [{"x": 1, "y": 2}, ...]`);
  }
  // Columns are the keys of all rows in order of first appearance; a row without a key has a missing value there.
  const columns = new Set<string>();
  for (const item of value) if (isRecord(item)) for (const key of Object.keys(item)) columns.add(key);
  if (columns.size === 0) {
    throw new InputError(file, value.length === 0 ? 'is an empty array: add row objects, e.g. [{"x": 1, "y": 2}]' : 'has no row objects: each element must be an object like {"x": 1, "y": 2}');
  }
  builder.header([...columns]);
  value.forEach((item, i) => {
    if (!isRecord(item)) builder.badShape(i + 1, `is ${Array.isArray(item) ? 'an array' : JSON.stringify(item)}, not an object of column values`);
    else builder.row(i + 1, (_index, name) => item[name]);
  });
}

async function readNdjson(path: string, builder: TableBuilder): Promise<void> {
  const guard = utf8Guard(builder.file);
  let notUtf8: unknown;
  const lines = createInterface({ input: createReadStream(path).pipe(guard), crlfDelay: Infinity });
  guard.on('error', (error) => {
    notUtf8 = error;
    lines.close();
  });
  let line = 0;
  for await (const raw of lines) {
    if (notUtf8 !== undefined) break;
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch (error) {
      if (!builder.hasHeader) throw new InputError(builder.file, `line ${line} is not valid JSON (${errorMessage(error)}): each line must be one object like {"x": 1, "y": 2}`);
      builder.badShape(line, `is not valid JSON (${errorMessage(error)})`);
      continue;
    }
    if (!isRecord(item)) {
      if (!builder.hasHeader) throw new InputError(builder.file, `line ${line} is not a JSON object: each line must be one object like {"x": 1, "y": 2}`);
      builder.badShape(line, 'is not a JSON object');
      continue;
    }
    // The first object's keys are the columns, as a CSV header would be.
    if (!builder.hasHeader) builder.header(Object.keys(item));
    builder.row(line, (_index, name) => item[name]);
  }
  if (notUtf8 !== undefined) throw notUtf8;
}

function emptyFile(file: string, format: DataFormat): InputError {
  const expected =
    format === 'json'
      ? 'a JSON array of row objects, e.g. [{"x": 1, "label": "a"}]'
      : format === 'ndjson'
        ? 'one JSON object per line, e.g. {"x": 1, "label": "a"}'
        : 'a header line with the column names (e.g. x1,x2,label), then one line per sample';
  return new InputError(file, `is empty: expected ${expected}`);
}

/** Which columns to keep: the target and the features; unknown names are errors that list the real ones. */
export function usedColumns(file: string, target: string, features: readonly string[] | undefined): (columns: readonly string[]) => string[] {
  return (columns) => {
    const list = columns.map((name) => `"${name}"`).join(', ');
    if (!columns.includes(target)) {
      throw new InputError(file, `has no column "${target}" (--target). Its columns are: ${list}. Pass one of them with --target <column>.`);
    }
    if (features !== undefined) {
      for (const name of features) {
        if (!columns.includes(name)) {
          throw new InputError(file, `has no column "${name}" (--features). Its columns are: ${list}. Fix the name in --features.`);
        }
      }
      if (features.includes(target)) {
        throw new InputError(file, `column "${target}" is the target, so it cannot also be a feature: remove it from --features`);
      }
      if (features.length === 0) throw new UsageError('--features: give at least one column, or leave --features out to use every column but the target');
    }
    const inputs = features ? columns.filter((name) => features.includes(name)) : columns.filter((name) => name !== target);
    if (inputs.length === 0) {
      throw new InputError(file, `has only the target column "${target}": add input columns to predict it from`);
    }
    return [target, ...inputs];
  };
}

/** Reads the used columns of a data file. Throws InputError naming the file for every problem. */
export async function readDataFile(path: string, target: string, features?: readonly string[], file: string = displayPath(path)): Promise<RawTable> {
  const format = dataFormat(path);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? 'no such file. Check the path given to --data.' : `cannot be read: ${errorMessage(error)}`);
  }
  if (!info.isFile()) throw new InputError(file, 'is not a file. Pass a .csv, .tsv, .json or .ndjson file to --data.');
  if (info.size === 0) throw emptyFile(file, format);
  const builder = new TableBuilder(file, usedColumns(file, target, features));
  if (format === 'json') await readJsonArray(path, builder, file);
  else if (format === 'ndjson') await readNdjson(path, builder);
  else await readDelimited(path, builder, format === 'tsv' ? '\t' : ',', file);
  if (!builder.hasHeader) throw emptyFile(file, format);
  const table = builder.finish(format === 'json' ? 'record' : 'line');
  if (table.rows === 0) {
    throw new InputError(
      file,
      format === 'csv' || format === 'tsv'
        ? 'has a header line but no data rows: add one line per sample below the header'
        : 'has no data rows: add row objects',
    );
  }
  return table;
}
