/**
 * A dataset in shared memory: worker threads receive the same SharedArrayBuffer through
 * postMessage and read it without copying.
 */

const BYTES_PER_VALUE = Float32Array.BYTES_PER_ELEMENT;

export interface DataTable {
  /** Number of rows (samples). */
  n: number;
  /** Values per row (for images: height*width*channels, in HWC order). */
  features: number;
  /** Inputs, row-major n x features, a view on a SharedArrayBuffer. */
  x: Float32Array;
  /** Targets, one per row: the value for regression, the class index (0..classes-1) as a float for classification. */
  y: Float32Array;
}

function checkShape(n: number, features: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`dataset size must be a whole number >= 0, got ${String(n)}: check the --sizes values`);
  }
  if (!Number.isSafeInteger(features) || features < 1) {
    throw new RangeError(`features must be a whole number >= 1, got ${String(features)}: check the dataset's features`);
  }
}

/** Bytes a table of this shape occupies (x then y, in one buffer). */
export function tableBytes(n: number, features: number): number {
  checkShape(n, features);
  return n * (features + 1) * BYTES_PER_VALUE;
}

/**
 * Allocates a zero-filled table whose x and y share one SharedArrayBuffer (x first, then y), so a
 * single buffer is all a worker needs; see {@link viewTable}.
 */
export function allocateTable(n: number, features: number): DataTable {
  const bytes = tableBytes(n, features);
  let buffer: SharedArrayBuffer;
  try {
    buffer = new SharedArrayBuffer(bytes);
  } catch (error) {
    throw new RangeError(
      `cannot allocate ${n} x ${features} values (${(bytes / 2 ** 20).toFixed(1)} MiB) in shared memory: ` +
        `use smaller --sizes or fewer features (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return viewTable(buffer, n, features);
}

/** Rebuilds a table from the buffer of {@link allocateTable} (e.g. inside a worker). */
export function viewTable(buffer: SharedArrayBuffer, n: number, features: number): DataTable {
  const bytes = tableBytes(n, features);
  if (buffer.byteLength < bytes) {
    throw new RangeError(`shared buffer holds ${buffer.byteLength} bytes but a ${n} x ${features} table needs ${bytes}`);
  }
  return {
    n,
    features,
    x: new Float32Array(buffer, 0, n * features),
    y: new Float32Array(buffer, n * features * BYTES_PER_VALUE, n),
  };
}

/** Rows [start, end) as views on the same memory (no copy). */
export function sliceRows(table: DataTable, start: number, end: number): DataTable {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > table.n || start > end) {
    throw new RangeError(`row range [${start}, ${end}) is outside a table of ${table.n} rows`);
  }
  return {
    n: end - start,
    features: table.features,
    x: table.x.subarray(start * table.features, end * table.features),
    y: table.y.subarray(start, end),
  };
}

/**
 * Splits rows into a training head and a held-out tail (rows are already in random order).
 * The held-out part gets round(n * testFraction) rows, at least 1 and leaving at least 1 for training
 * whenever n >= 2.
 */
export function splitTrainTest(table: DataTable, testFraction: number): { train: DataTable; test: DataTable } {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`test fraction must be in (0, 1), got ${String(testFraction)}: check --test-fraction`);
  }
  const { n } = table;
  const testRows = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * testFraction)));
  return { train: sliceRows(table, 0, n - testRows), test: sliceRows(table, n - testRows, n) };
}

/** FNV-1a (32-bit) over the bytes of x then y: a cheap fingerprint to check two tables are identical. */
export function tableChecksum(table: DataTable): string {
  let h = 0x811c9dc5;
  for (const view of [table.x, table.y]) {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      h = Math.imul(h ^ bytes[i]!, 0x01000193);
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
