/**
 * Locates a worker entry module for piscina. Built code runs its sibling .js file; TypeScript sources
 * (the tests) run the same module from dist/, because worker threads load plain JavaScript.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagePath } from '../config/paths.js';

/** `moduleUrl`: the worker's .js URL relative to its caller, e.g. new URL('./worker.js', import.meta.url). */
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
