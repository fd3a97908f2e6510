/** Locate a worker entry module: beside this file when built, or in dist/ when running from TypeScript sources (tests). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function workerModule(name: 'worker' | 'worker-data-parallel' | 'worker-inference'): string {
  const beside = new URL(`./${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(beside))) return fileURLToPath(beside);
  const built = new URL(`../../dist/measure/${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(built))) return fileURLToPath(built);
  throw new Error(`${name}.js not found: run \`npm run build\` first`);
}
