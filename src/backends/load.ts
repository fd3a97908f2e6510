/**
 * Loads tfjs through Node's CommonJS loader.
 *
 * Why require and not `import`: the tfjs packages have no "exports" map, so an ESM import resolves to
 * the same CommonJS bundles anyway, but goes through the CJS named-export analysis first. Measured on
 * this machine: `import('@tensorflow/tfjs')` ~250-330 ms, `require('@tensorflow/tfjs')` ~105-115 ms.
 * Every thread pays this once, so it shows up directly in each pool's cold start.
 *
 * Why the whole @tensorflow/tfjs and not just tfjs-core + tfjs-layers (~50 ms): only the umbrella
 * bundle registers the chained tensor methods (`t.mul(...)`), which tfjs-layers itself calls in places.
 *
 * Every tfjs package must come from this one loader (and other modules should use the `tf` that
 * initBackend returns, importing only types): a second load path could bring a second copy of the
 * bundles, whose Tensor class would fail the other's `instanceof` checks.
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';

/** The tfjs namespace (core ops, layers, and the rest of the umbrella package). */
export type Tf = typeof import('@tensorflow/tfjs');

const requireHere = createRequire(import.meta.url);

let cachedTf: Tf | undefined;

/** The tfjs namespace if this thread has loaded it, without loading it. */
export function loadedTf(): Tf | undefined {
  return cachedTf;
}

/** The tfjs namespace of this thread; loaded once. */
export function loadTf(): Tf {
  cachedTf ??= requireHere('@tensorflow/tfjs') as Tf;
  return cachedTf;
}

/** `require` resolved from scale-bench's own location, for optional and backend packages. */
export function requireFromHere(id: string): unknown {
  return requireHere(id);
}

/** Version string from a package's package.json, or 'unknown' when it cannot be read. */
export function packageVersion(name: string): string {
  try {
    const pkg = requireHere(`${name}/package.json`) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Folder (with a trailing separator) holding the .wasm binaries of the installed
 * @tensorflow/tfjs-backend-wasm, wherever npm put it (hoisted, nested, or global).
 */
export function wasmBinaryFolder(): string {
  const file = requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
  return dirname(file) + sep;
}
