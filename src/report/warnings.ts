/**
 * Analysis warnings grouped by kind: one line per kind with its count, what it means and the fix,
 * for every format's first screen. The full list stays in --details and the report files.
 */
import type { AnalysisWarning, WarningCode } from '../analyse/schema.js';

export interface WarningGroup {
  code: string;
  count: number;
  /** One plain sentence on what the warnings of this kind say; the first message when the kind has no summary. */
  summary: string;
  /** What to do about it, or null. */
  fix: string | null;
  warnings: AnalysisWarning[];
}

/** What each kind means and how to fix it. A kind missing here (a newer one) shows its first message. */
const KINDS: Partial<Record<WarningCode, { summary: (n: number) => string; fix: string | null }>> = {
  'failed-cell': { summary: (n) => `${n} cell${n === 1 ? '' : 's'} failed every repetition`, fix: 'see the errors in results.json; raise --cell-timeout or use smaller --sizes' },
  'few-repetitions': { summary: () => 'too few ok repetitions for reliable intervals', fix: 'add --repeats (6 or more)' },
  'noisy-cell': { summary: (n) => `${n} cell${n === 1 ? '' : 's'} vary a lot between repetitions`, fix: 'close other programs or add --repeats' },
  oversubscribed: { summary: () => 'widths above the core count measure contention, not parallelism', fix: null },
  'not-enough-sizes': { summary: (n) => `${n} size sweep${n === 1 ? '' : 's'} had too few sizes for a law`, fix: 'give 2 or more --sizes that finish' },
  'not-enough-widths': { summary: (n) => `${n} width sweep${n === 1 ? '' : 's'} without a USL fit (it needs 4 widths including 1)`, fix: 'add widths, e.g. --workers 1,2,3,4' },
  'missing-width-1': { summary: (n) => `${n} width sweep${n === 1 ? '' : 's'} without a width-1 baseline, so no speedup`, fix: 'include 1 in --workers' },
  'quality-tradeoff': { summary: (n) => `${n} faster configuration${n === 1 ? '' : 's'} reached worse quality than the slowest`, fix: null },
  'no-calibration': { summary: () => 'no peak FLOP/s was measured, so MFU is n/a', fix: null },
};

export function groupWarnings(warnings: readonly AnalysisWarning[]): WarningGroup[] {
  const byCode = new Map<string, AnalysisWarning[]>();
  for (const w of warnings) byCode.set(w.code, [...(byCode.get(w.code) ?? []), w]);
  return [...byCode].map(([code, group]) => {
    const kind = KINDS[code as WarningCode];
    // A kind with one warning keeps its own, more specific message, which already says what to do.
    const single = !kind || group.length === 1;
    const summary = single ? group[0]!.message.replace(/\.$/, '') : kind.summary(group.length);
    return { code, count: group.length, summary, fix: single ? null : kind.fix, warnings: group };
  });
}

/** "not-enough-widths (30): 30 width sweeps without a USL fit (...); fix: add widths, e.g. --workers 1,2,3,4". */
export function warningGroupLine(group: WarningGroup): string {
  return `${group.code} (${group.count}): ${group.summary}${group.fix ? `; fix: ${group.fix}` : ''}`;
}
