/** Warnings grouped by kind: one line per kind with its count, what it says and the fix, for every format's first screen. */
import { describe, expect, it } from 'vitest';
import type { AnalysisWarning } from '../src/analyse/schema.js';
import { groupWarnings, warningGroupLine } from '../src/report/warnings.js';

const widths = (n: number): AnalysisWarning => ({ code: 'not-enough-widths', message: `sweep ${n}: 3 measured widths; the USL fit needs 4 including 1. Add widths with --workers.`, subject: `s${n}` });

describe('groupWarnings', () => {
  it('says a kind once, with its count and fix, however many sweeps it is about', () => {
    const groups = groupWarnings([widths(1), widths(2), widths(3), { code: 'oversubscribed', message: "w=3 exceeds the machine's 2 logical cores (30 cells); its speedup measures contention, not parallelism." }]);
    expect(groups.map(warningGroupLine)).toEqual([
      'not-enough-widths (3): 3 width sweeps without a USL fit (it needs 4 widths including 1); fix: add widths, e.g. --workers 1,2,3,4',
      "oversubscribed (1): w=3 exceeds the machine's 2 logical cores (30 cells); its speedup measures contention, not parallelism",
    ]);
    expect(groups[0]!.warnings).toHaveLength(3);
  });

  it('keeps the message of a kind it has no words for (a newer warning code)', () => {
    const odd = { code: 'something-new', message: 'a new kind of trouble; do this.' } as unknown as AnalysisWarning;
    expect(groupWarnings([odd, odd]).map(warningGroupLine)).toEqual(['something-new (2): a new kind of trouble; do this']);
  });
});
