/** Files shipped with scale-bench, found from the package root (the folder holding its package.json), so moving a module never breaks a path. */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  // src/config/ and dist/config/ are both two folders below the root; walking up keeps that fact in one place.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`scale-bench's package.json was not found above ${fileURLToPath(import.meta.url)}: the installation is incomplete`);
    dir = parent;
  }
}

/** The folder holding scale-bench's package.json, assets/, benchmarks/ and dist/. */
export const PACKAGE_ROOT = findPackageRoot();

export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

/**
 * Locates a worker thread's entry module. Built code runs its sibling .js file; TypeScript sources
 * (the tests) run the same module from dist/, because worker threads load plain JavaScript.
 * `moduleUrl`: the worker's .js URL relative to its caller, e.g. new URL('./worker.js', import.meta.url).
 */
export function workerModule(moduleUrl: URL): string {
  const path = fileURLToPath(moduleUrl);
  if (existsSync(path)) return path;
  const fromSources = relative(packagePath('src'), path);
  if (!fromSources.startsWith('..')) {
    const built = packagePath('dist', fromSources);
    if (existsSync(built)) return built;
  }
  throw new Error(`${path} not found: run \`npm run build\` first`);
}
