/**
 * Turns the columns read from a user's file into numbers a model can train on, and cuts per-cell
 * tables out of them:
 *  - a column is numeric when at least as many of its values are numbers as are text; a text value
 *    in a numeric column is then a bad row, not a category;
 *  - text input columns are one-hot encoded (one 0/1 feature per category) or index encoded;
 *  - a classification target maps its labels, sorted, to 0..k-1;
 *  - numeric inputs are standardised per cell with the mean and sd of that cell's training rows only,
 *    so nothing about the held-out rows leaks into training.
 */
import type { DatasetSpec, DataFileSource, Task } from '../results/schema.js';
import { InputError } from '../config/errors.js';

/** Cell codes of a RawColumn: a number (in `numbers`), no value, or something neither number nor text. */
export const CODE_NUMBER = -1;
export const CODE_MISSING = -2;
export const CODE_INVALID = -3;
/** A number no model can train on: beyond ±FLOAT32_MAX (e.g. "1e39"), or one JavaScript reads as Infinity ("1e309"). */
export const CODE_OUT_OF_RANGE = -4;

/** The largest float32: tensors are float32, so a larger input would train as Infinity (and the loss as NaN). */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** One used column of a file, dictionary-coded. */
export interface RawColumn {
  name: string;
  /** The value of each row whose code is CODE_NUMBER; NaN elsewhere. */
  numbers: Float64Array;
  /** Per row: CODE_NUMBER, CODE_MISSING, CODE_INVALID, or the index of a text value in `texts`. */
  codes: Int32Array;
  /** Distinct text values in order of first appearance. */
  texts: string[];
  numericCount: number;
  textCount: number;
  /** The text of each CODE_OUT_OF_RANGE cell, by row, as the file spells it (for messages, and as a category in a text column). */
  outOfRange: Map<number, string>;
}

/** The used columns of a file (target first), in file row order. */
export interface RawTable {
  /** The file as named in messages. */
  file: string;
  /** How rows are located in messages: by line (CSV, NDJSON) or by record number (JSON array). */
  unit: 'line' | 'record';
  /** Every column of the file, in order. */
  columns: string[];
  /** The target column, then the input columns in file order. */
  used: RawColumn[];
  rows: number;
  /** Line (or record) number of each row, 1-based. */
  lines: Int32Array;
  /** Rows that could not be read as a whole (e.g. a wrong field count), by row index. */
  shapeErrors: Map<number, string>;
}

export interface EncodeOptions {
  name: string;
  /** Absolute path, recorded in the DatasetSpec. */
  path: string;
  target: string;
  /** Inferred from the target when absent. */
  task?: Task;
  onBadRow: DataFileSource['onBadRow'];
  encoding: DataFileSource['encoding'];
}

/** A file's rows as numbers, in file order, with what is needed to cut standardised cell tables. */
export interface EncodedDataset {
  spec: DatasetSpec;
  /** Usable rows (bad rows skipped). */
  rows: number;
  /** Inputs, row-major rows x spec.features, before standardisation. */
  x: Float64Array;
  /** Target per row: the value (regression) or the class index (classification). */
  y: Float64Array;
  /** Per encoded feature: true when it is standardised per cell (numbers, index codes), false for one-hot 0/1. */
  scaled: boolean[];
  /** What was inferred or skipped, one sentence each, for the user to read. */
  notes: string[];
  /** Rows dropped by --on-bad-row skip. */
  skippedRows: number;
}

/** More categories than this in one text column is almost surely an identifier, not a category. */
export const MAX_ONE_HOT_LEVELS = 100;
export const MAX_CLASSES = 1000;
/** An integer target with at most this many distinct values is taken as class labels when --task is absent. */
export const MAX_INFERRED_INTEGER_CLASSES = 10;

type ColumnKind = 'numeric' | 'text';

const SKIP_HINT = 'or pass --on-bad-row skip to drop rows with missing or non-numeric values';

function kindOf(column: RawColumn, file: string): ColumnKind {
  if (column.numericCount === 0 && column.textCount === 0) {
    throw new InputError(file, `column "${column.name}" has no values in any row: leave it out with --features (or pick another --target)`);
  }
  return column.numericCount >= column.textCount ? 'numeric' : 'text';
}

/** The cell of row i as text (for categories and labels). */
function cellText(column: RawColumn, i: number): string {
  const code = column.codes[i]!;
  if (code === CODE_OUT_OF_RANGE) return column.outOfRange.get(i) ?? 'Infinity';
  return code >= 0 ? column.texts[code]! : String(column.numbers[i]);
}

function quoted(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

function listShort(values: readonly string[], max = 8): string {
  return values.length <= max ? values.join(', ') : `${values.slice(0, max).join(', ')}, … (${values.length} in all)`;
}

interface TargetPlan {
  task: Task;
  /** Why the task was inferred; absent when --task gave it. */
  inferred?: string;
  textTarget?: boolean;
}

function planTarget(column: RawColumn, kind: ColumnKind, requested: Task | undefined, file: string): TargetPlan {
  if (requested === 'regression' && kind === 'text') {
    const example = column.texts[0] ?? '';
    throw new InputError(
      file,
      `--task regression needs a numeric target, but column "${column.name}" holds text (e.g. ${quoted(example)}): use --task classification, or pick a numeric --target`,
    );
  }
  if (requested) return { task: requested };
  if (kind === 'text') return { task: 'classification', inferred: `target "${column.name}" holds text`, textTarget: true };
  const distinct = new Set<number>();
  let integers = true;
  for (let i = 0; i < column.codes.length; i++) {
    if (column.codes[i] !== CODE_NUMBER) continue;
    const value = column.numbers[i]!;
    if (!Number.isInteger(value)) {
      integers = false;
      break;
    }
    distinct.add(value);
    if (distinct.size > MAX_INFERRED_INTEGER_CLASSES) break;
  }
  if (integers && distinct.size <= MAX_INFERRED_INTEGER_CLASSES) {
    return { task: 'classification', inferred: `target "${column.name}" holds only ${distinct.size} distinct whole numbers` };
  }
  return { task: 'regression', inferred: `target "${column.name}" holds numbers${integers ? ` with more than ${MAX_INFERRED_INTEGER_CLASSES} distinct values` : ''}` };
}

/** Why row i cannot be used, or undefined when it can. */
function badCell(column: RawColumn, i: number, numeric: boolean, role: 'target' | 'column'): string | undefined {
  const code = column.codes[i]!;
  const name = `${role} "${column.name}"`;
  if (code === CODE_MISSING) return `${role === 'target' ? 'the target' : 'column'} "${column.name}" has no value`;
  if (code === CODE_INVALID) return `${name} holds an object or array, not a number or text`;
  if (numeric && code === CODE_OUT_OF_RANGE) {
    const text = column.outOfRange.get(i) ?? 'Infinity';
    // JSON readers see 1e309 only as Infinity.
    const shown = /^-?Infinity$/.test(text) ? `a number beyond ±1.8×10^308` : quoted(text);
    return `${name} holds ${shown}, a number too large to train on (tensors are float32: at most ±3.4×10^38)`;
  }
  if (numeric && code >= 0) return `${name} holds ${quoted(column.texts[code]!)}, which is not a number (the column holds numbers)`;
  return undefined;
}

/** Sorted labels: numerically when every label is a number, else by text. */
function sortLabels(values: Iterable<string>): string[] {
  const labels = [...values];
  const numeric = labels.every((label) => label !== '' && Number.isFinite(Number(label)));
  return numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort();
}

interface FeaturePlan {
  column: RawColumn;
  kind: ColumnKind;
  /** Categories of a text column, sorted; index = code. */
  levels?: string[];
  levelIndex?: Map<string, number>;
}

export function encodeTable(raw: RawTable, options: EncodeOptions): EncodedDataset {
  const { file } = raw;
  const [targetColumn, ...inputColumns] = raw.used;
  if (!targetColumn) throw new InputError(file, `has no column "${options.target}"`);
  const targetKind = kindOf(targetColumn, file);
  const target = planTarget(targetColumn, targetKind, options.task, file);
  const classification = target.task === 'classification';
  const inputs: FeaturePlan[] = inputColumns.map((column) => ({ column, kind: kindOf(column, file) }));

  // 1. Which rows are usable.
  const good = new Uint8Array(raw.rows);
  const skippedLines: number[] = [];
  for (let i = 0; i < raw.rows; i++) {
    const shape = raw.shapeErrors.get(i);
    const targetProblem = shape === undefined ? badCell(targetColumn, i, !classification, 'target') : undefined;
    let problem = shape !== undefined ? `the row ${shape}` : targetProblem;
    for (let c = 0; problem === undefined && c < inputs.length; c++) {
      problem = badCell(inputs[c]!.column, i, inputs[c]!.kind === 'numeric', 'column');
    }
    if (problem === undefined) {
      good[i] = 1;
      continue;
    }
    if (options.onBadRow === 'fail') {
      const fix =
        shape !== undefined
          ? `Fix that ${raw.unit}, ${SKIP_HINT}.`
          : targetProblem !== undefined
            ? `Fill in or fix that value, ${SKIP_HINT}.`
            : `Fill in or fix that value, leave the column out with --features, ${SKIP_HINT}.`;
      throw new InputError(file, `${raw.unit} ${raw.lines[i]}: ${problem}. ${fix}`);
    }
    skippedLines.push(raw.lines[i]!);
  }
  const rows = raw.rows - skippedLines.length;
  if (rows === 0) {
    throw new InputError(file, `every one of its ${raw.rows} rows has a missing or non-numeric value, so none is left to train on: fix the file or choose other --features`);
  }

  // 2. Categories and labels, from the usable rows.
  for (const input of inputs) {
    if (input.kind !== 'text') continue;
    const seen = new Set<string>();
    for (let i = 0; i < raw.rows; i++) if (good[i]) seen.add(cellText(input.column, i));
    input.levels = sortLabels(seen);
    input.levelIndex = new Map(input.levels.map((level, k) => [level, k]));
    if (options.encoding === 'one-hot' && input.levels.length > MAX_ONE_HOT_LEVELS) {
      throw new InputError(
        file,
        `column "${input.column.name}" holds ${input.levels.length} different text values; one-hot encoding would make ${input.levels.length} features. Leave it out with --features, or use index encoding (data.encoding "index" in the config file).`,
      );
    }
  }
  let labels: string[] | undefined;
  let labelIndex: Map<string, number> | undefined;
  if (classification) {
    const seen = new Set<string>();
    for (let i = 0; i < raw.rows; i++) if (good[i]) seen.add(cellText(targetColumn, i));
    labels = sortLabels(seen);
    labelIndex = new Map(labels.map((label, k) => [label, k]));
    if (labels.length < 2) {
      throw new InputError(
        file,
        `target column "${targetColumn.name}" has only one value (${quoted(labels[0] ?? '')}), so there is nothing to classify: pick another --target${target.inferred ? '' : ' or --task regression'}`,
      );
    }
    if (labels.length > MAX_CLASSES) {
      throw new InputError(
        file,
        `target column "${targetColumn.name}" has ${labels.length} different values; as classes that is more than ${MAX_CLASSES}. Use --task regression for a numeric target, or pick another --target.`,
      );
    }
  }

  // 3. Feature layout and the numbers.
  const featureNames: string[] = [];
  const scaled: boolean[] = [];
  for (const input of inputs) {
    if (input.kind === 'text' && options.encoding === 'one-hot') {
      for (const level of input.levels!) {
        featureNames.push(`${input.column.name}=${level}`);
        scaled.push(false);
      }
    } else {
      featureNames.push(input.column.name);
      scaled.push(true);
    }
  }
  const f = featureNames.length;
  const x = new Float64Array(rows * f);
  const y = new Float64Array(rows);
  let r = 0;
  for (let i = 0; i < raw.rows; i++) {
    if (!good[i]) continue;
    y[r] = classification ? labelIndex!.get(cellText(targetColumn, i))! : targetColumn.numbers[i]!;
    let j = r * f;
    for (const input of inputs) {
      if (input.kind === 'numeric') {
        x[j++] = input.column.numbers[i]!;
      } else {
        const level = input.levelIndex!.get(cellText(input.column, i))!;
        if (options.encoding === 'one-hot') {
          x[j + level] = 1;
          j += input.levels!.length;
        } else {
          x[j++] = level;
        }
      }
    }
    r++;
  }

  const notes = describe(raw, options, target, inputs, labels, f, skippedLines);
  const source: DataFileSource = {
    target: targetColumn.name,
    columns: inputs.map((input) => input.column.name),
    onBadRow: options.onBadRow,
    encoding: options.encoding,
    rows,
    featureNames,
  };
  const spec: DatasetSpec = {
    name: options.name,
    generator: 'file',
    task: target.task,
    features: f,
    classes: labels ? labels.length : 1,
    path: options.path,
    ...(labels ? { labels } : {}),
    source,
  };
  return { spec, rows, x, y, scaled, notes, skippedRows: skippedLines.length };
}

function describe(
  raw: RawTable,
  options: EncodeOptions,
  target: TargetPlan,
  inputs: readonly FeaturePlan[],
  labels: readonly string[] | undefined,
  features: number,
  skipped: readonly number[],
): string[] {
  const notes: string[] = [];
  const rows = raw.rows - skipped.length;
  notes.push(
    `${raw.file}: ${rows} rows, target "${options.target}", ${inputs.length} input column${inputs.length === 1 ? '' : 's'} -> ${features} feature${features === 1 ? '' : 's'}`,
  );
  const classes = labels ? ` with ${labels.length} classes (${listShort(labels)})` : '';
  if (target.inferred) {
    const other = target.task === 'regression' ? 'classification' : 'regression';
    // A text target can only be classified, so there is nothing to override then.
    const override = target.textTarget ? '' : `; pass --task ${other} to override`;
    notes.push(`task: ${target.task}${classes}, inferred because the ${target.inferred}${override}`);
  } else {
    notes.push(`task: ${target.task}${classes}`);
  }
  for (const input of inputs) {
    if (input.kind !== 'text') continue;
    const levels = input.levels!;
    notes.push(
      options.encoding === 'one-hot'
        ? `column "${input.column.name}" is text: one-hot encoded into ${levels.length} features (${listShort(levels)})`
        : `column "${input.column.name}" is text: index encoded as 0..${levels.length - 1} (${listShort(levels)})`,
    );
  }
  if (skipped.length > 0) {
    notes.push(
      `skipped ${skipped.length} of ${raw.rows} rows with missing or non-numeric values (${raw.unit}s ${listShort(skipped.map(String), 10)}) because of --on-bad-row skip`,
    );
  }
  return notes;
}
