/**
 * The config file (`scale-bench.config.{ts,js,json}` in the working directory, or --config) and the
 * suites in benchmarks/: both are the same shape, validated with zod; `defineConfig` types it for
 * editors. Paths inside a file (data, model modules) are relative to that file; `out` is relative to
 * the working directory, so a suite shipped with scale-bench never writes into node_modules.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packagePath } from './paths.js';
import type { z } from 'zod';
import { configSchema, type ScaleBenchConfig } from './schema.js';
import { InputError, UsageError, errorMessage } from './errors.js';
import { parseCount } from './parse.js';

/** Types a config file: `export default defineConfig({ ... })`. Returns its argument unchanged. */
export function defineConfig(config: ScaleBenchConfig): ScaleBenchConfig {
  return config;
}

/** A validated config with its sizes as numbers, and where it came from. */
export interface LoadedConfig {
  config: Omit<ScaleBenchConfig, 'sizes'> & { sizes?: number[] };
  /** The file, absolute. */
  path: string;
  /** Folder its relative paths resolve against. */
  dir: string;
}

export const CONFIG_FILE_NAMES = [
  'scale-bench.config.ts',
  'scale-bench.config.mts',
  'scale-bench.config.js',
  'scale-bench.config.mjs',
  'scale-bench.config.cjs',
  'scale-bench.config.json',
] as const;

/** The config file in `cwd`, if there is one; two of them is an error (which one would win is a guess). */
export function findConfigFile(cwd: string): string | undefined {
  const found = CONFIG_FILE_NAMES.filter((name) => existsSync(join(cwd, name)));
  if (found.length > 1) {
    throw new UsageError(`found ${found.join(' and ')} in ${cwd}: keep one config file, or choose one with --config <file>`);
  }
  return found[0] === undefined ? undefined : join(cwd, found[0]);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  return `${path}: ${issue.message}`;
}

/** Validates a config value read from `file`; every error names the file and the field. */
export function parseConfig(value: unknown, file: string): LoadedConfig['config'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(file, `must hold a config object such as {"sizes": ["1k", "4k"], "models": ["mlp-small"]}, not ${Array.isArray(value) ? 'an array' : String(value)}`);
  }
  const parsed = configSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map(describeIssue).join('; ');
    throw new InputError(file, `is not a valid scale-bench config: ${issues}. See docs/your-data.md ("Config files and suites") for the fields.`);
  }
  const { sizes, ...rest } = parsed.data;
  if (sizes === undefined) return rest;
  return {
    ...rest,
    sizes: sizes.map((size) => {
      try {
        return typeof size === 'number' ? size : parseCount(size, 'sizes');
      } catch (error) {
        throw new InputError(file, `${errorMessage(error)} (in "sizes")`);
      }
    }),
  };
}

async function importConfigModule(path: string, file: string): Promise<unknown> {
  const url = pathToFileURL(path).href;
  let module: Record<string, unknown>;
  try {
    if (/\.[mc]?ts$/i.test(path)) {
      let tsImport: (specifier: string, parent: string) => Promise<unknown>;
      try {
        ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
      } catch {
        throw new InputError(file, 'is TypeScript, which Node 20 cannot load by itself: install tsx (npm i -D tsx), or write scale-bench.config.js or scale-bench.config.json instead');
      }
      module = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      module = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new InputError(file, `failed to load: ${errorMessage(error)}`);
  }
  let value = module.default ?? module.config;
  // CommonJS through tsx or a transpiler can nest the default export one level deeper.
  if (typeof value === 'object' && value !== null && 'default' in value && Object.keys(value).length === 1) value = (value as { default: unknown }).default;
  if (value === undefined) {
    throw new InputError(file, 'has no default export: end it with `export default defineConfig({ ... })` (import { defineConfig } from "scale-bench")');
  }
  return typeof value === 'function' ? await (value as () => unknown)() : value;
}

/** Reads and validates a config file or suite (.json, .js/.mjs/.cjs, or .ts with tsx). */
export async function loadConfigFile(path: string, file: string = path): Promise<LoadedConfig> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new InputError(file, 'no such file. Check the path.');
  let value: unknown;
  if (extname(absolute).toLowerCase() === '.json') {
    const text = await readFile(absolute, 'utf8');
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InputError(file, `is not valid JSON (${errorMessage(error)}): fix the syntax`);
    }
  } else if (/\.(?:[mc]?js|[mc]?ts)$/i.test(absolute)) {
    value = await importConfigModule(absolute, file);
  } else {
    throw new InputError(file, 'is neither JSON (.json) nor a module (.js, .mjs, .cjs, .ts): name a config file or suite accordingly');
  }
  return { config: parseConfig(value, file), path: absolute, dir: dirname(absolute) };
}

/** The suites shipped with scale-bench: benchmarks/*.json beside src/ (or dist/). */
export function builtinSuiteDir(): string {
  return `${packagePath('benchmarks')}/`;
}

export interface SuiteInfo {
  name: string;
  path: string;
  description: string;
}

/** The suites in `dirs` (default: the built-in ones, then ./benchmarks when it is another folder). */
export function listSuites(dirs: readonly string[] = [builtinSuiteDir(), resolve('benchmarks')]): SuiteInfo[] {
  const seen = new Set<string>();
  const suites: SuiteInfo[] = [];
  for (const dir of dirs) {
    const folder = resolve(dir);
    if (seen.has(folder) || !existsSync(folder) || !statSync(folder).isDirectory()) continue;
    seen.add(folder);
    for (const entry of readdirSync(folder).filter((name) => name.endsWith('.json')).sort()) {
      const path = join(folder, entry);
      let description: string;
      let name = basename(entry, '.json');
      try {
        const config = parseConfig(JSON.parse(readFileSync(path, 'utf8')), path);
        description = config.description ?? '';
        name = config.name ?? name;
      } catch (error) {
        description = `invalid suite: ${errorMessage(error)}`;
      }
      suites.push({ name, path, description });
    }
  }
  return suites;
}

/**
 * The file of a `run [suite]` argument: an existing path, or the name of a built-in suite
 * ("quick" -> benchmarks/quick.json).
 */
export function resolveSuite(suite: string, cwd: string): string {
  const direct = resolve(cwd, suite);
  if (existsSync(direct) && statSync(direct).isFile()) return direct;
  const builtin = join(builtinSuiteDir(), `${suite.replace(/\.json$/i, '')}.json`);
  if (!suite.includes('/') && !suite.includes('\\') && existsSync(builtin)) return builtin;
  const names = listSuites([builtinSuiteDir()]).map((entry) => entry.name);
  throw new UsageError(`run: no suite "${suite}": it is neither a file nor a built-in suite (${names.join(', ') || 'none installed'}). See \`scale-bench list\`.`);
}
