/** Files shipped with scale-bench, found from the package root (the folder holding its package.json), so moving a module never breaks a path. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
