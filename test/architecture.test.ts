/**
 * The house plan (ARCHITECTURE.md), checked: each stage imports only the stages before it, there is no
 * import cycle, stats/ imports nothing of the project, src/ holds only the public entry at its root,
 * and no source file grows past 400 lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');
/** Stages in pipeline order; a module may import its own stage and the ones before it. */
export const STAGES = ['stats', 'config', 'results', 'data', 'backends', 'models', 'measure', 'modes', 'plan', 'analyse', 'gate', 'predict', 'history', 'report', 'cli'] as const;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a module (static, re-exports and dynamic), as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.map((spec) => resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
}

function stageOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0]! : '(root)';
}

const files = sources(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('architecture', () => {
  it('every module lives in a stage folder; the root holds only the public entry', () => {
    const root = files.filter((file) => stageOf(file) === '(root)').map((file) => relative(SRC, file));
    expect(root).toEqual(['index.ts']);
    const unknown = files.filter((file) => stageOf(file) !== '(root)' && !(STAGES as readonly string[]).includes(stageOf(file)));
    expect(unknown.map((file) => relative(SRC, file))).toEqual([]);
  });

  it('each stage imports only itself and the stages before it', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const from = stageOf(file);
      if (from === '(root)') continue;
      for (const target of imports) {
        const to = stageOf(target);
        if (STAGES.indexOf(to as (typeof STAGES)[number]) > STAGES.indexOf(from as (typeof STAGES)[number])) {
          violations.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('planning does not call into measurement (plan/ imports nothing from measure/)', () => {
    const calls = [...graph].flatMap(([file, imports]) =>
      stageOf(file) === 'plan' ? imports.filter((target) => stageOf(target) === 'measure').map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`) : [],
    );
    expect(calls).toEqual([]);
  });

  it('stats/ imports nothing from the rest of the project', () => {
    const outside = [...graph].flatMap(([file, imports]) =>
      stageOf(file) === 'stats' ? imports.filter((target) => stageOf(target) !== 'stats').map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`) : [],
    );
    expect(outside).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'visiting');
      stack.push(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (state.get(target) === 'visiting') cycles.push([...stack.slice(stack.indexOf(target)), target].map((f) => relative(SRC, f)).join(' -> '));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('imports resolve to files that exist', () => {
    const missing = [...graph].flatMap(([file, imports]) => imports.filter((target) => !graph.has(target)).map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`));
    expect(missing).toEqual([]);
  });

  it('no source file is over 400 lines', () => {
    const long = files
      .map((file) => ({ file: relative(SRC, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter((entry) => entry.lines > 400)
      .map((entry) => `${entry.file}: ${entry.lines}`);
    expect(long).toEqual([]);
  });
});
