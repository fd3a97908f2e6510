/**
 * What `scale-bench run` prints on stdout for the default sweep's shape (5 models × sizes 1k..32k × the
 * default widths), with the instant fake runner: the answer on the first screen, within 80 lines, on this
 * machine's widths and on a wide machine's; `--details` prints the rest. Shapes and counts only, never times.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { PROFILES } from '../src/config/defaults.js';

const LINE_BUDGET = 80;
const MODELS = PROFILES.default.models.length;
const SIZES = PROFILES.default.sizes.length;

function lines(stdout: string): string[] {
  return stdout.replace(/\n$/, '').split('\n');
}

async function run(extra: string[]): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'sb-terminal-'));
  const { code, stdout } = await runCli(['run', '--runner', 'fake', '--out', out, '--report', 'json', ...extra]);
  expect(code).toBe(0);
  return stdout;
}

describe('terminal output of the default sweep', () => {
  // No --workers: the default widths of this machine (1..cores, today plus one oversubscribed width).
  for (const [name, flags] of [
    ['default widths', []],
    ['widths 1,2', ['--workers', '1,2']],
    ['a wide machine (8 widths)', ['--workers', '1,2,4,8,16,32,64,65']],
  ] as Array<[string, string[]]>) {
    it(`fits in ${LINE_BUDGET} lines and leads with the Findings: ${name}`, async () => {
      const stdout = await run(flags);
      const out = lines(stdout);
      expect(out.length).toBeLessThanOrEqual(LINE_BUDGET);
      // The answer comes first: the Findings title within the first 2 lines, its table right under it.
      const title = out.findIndex((l) => l.startsWith('Findings: '));
      expect(title).toBeGreaterThanOrEqual(0);
      expect(title).toBeLessThan(2);
      const tableEnd = out.findIndex((l, i) => i > title && l.startsWith('└'));
      const rows = out.slice(title + 1, tableEnd).filter((l) => l.startsWith('│') && /│ (linear|logistic|mlp-small|mlp-deep|cnn-small) /.test(l));
      expect(rows).toHaveLength(MODELS);
      // Then at most five sentences.
      const sentences = out.slice(tableEnd + 1).findIndex((l) => !/^  [✗!·✓] /.test(l));
      expect(sentences).toBeGreaterThan(0);
      expect(sentences).toBeLessThanOrEqual(5);
      // Compact tables: the only rule inside a table is the one under its header.
      const rules = out.filter((l) => l.startsWith('├'));
      expect(rules.length).toBeLessThanOrEqual(2);
      // The pivot: one row per model × size.
      const pivot = out.slice(out.findIndex((l) => l.startsWith('Cells: ')));
      expect(pivot.filter((l) => /^│ \S+ +│ +\d+k │/.test(l))).toHaveLength(MODELS * SIZES);
      // Warnings grouped: one line per kind, never one per sweep.
      const warnings = out.findIndex((l) => l.startsWith('Warnings ('));
      if (warnings >= 0) {
        const kinds = Number(/(\d+) kinds?\)/.exec(out[warnings]!)?.[1]);
        expect(out.slice(warnings + 1, warnings + 1 + kinds).every((l) => /^  [a-z-]+ \(\d+\): /.test(l))).toBe(true);
      }
      expect(stdout).toContain('--details');
      expect(stdout).not.toMatch(/NaN|Infinity|undefined/);
    }, 60_000);
  }

  it('--details prints every cell, every law and every warning', async () => {
    const brief = await run(['--workers', '1,2,3']);
    const full = await run(['--workers', '1,2,3', '--details']);
    expect(lines(full).length).toBeGreaterThan(lines(brief).length + MODELS * SIZES * 3);
    // Every cell on its own row (size column, then width) in the per-model tables.
    expect(full.split('\n').filter((l) => /^│ +\d+k │ +[123] │/.test(l))).toHaveLength(MODELS * SIZES * 3);
    expect(full).toContain('width, n=32k:');
    expect(full).toContain('Model complexity');
    // The full warning list: every not-enough-widths warning, one line each.
    expect(full.split('\n').filter((l) => l.startsWith('  not-enough-widths: '))).toHaveLength(MODELS * SIZES);
    expect(full).not.toContain('More: --details');
  }, 60_000);
});
