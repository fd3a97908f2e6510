/**
 * Confirm before failing: `run --baseline` re-runs the cells behind every gated regression once after the
 * sweep (src/measure/confirm.ts), and a regression stands only when the same comparison, made with the
 * re-run's measurements in place of the sweep's, regresses too. Both measurements stay in the comparison.
 */
import type { CellResult, RunResult } from '../results/schema.js';
import type { Comparison, MetricComparison } from './schema.js';
import { cellsBehind } from './sweep-cells.js';
import { describeChange, type CanaryShift } from './canary.js';

/**
 * Metrics a re-run after the sweep can confirm. Not peak memory: a cell's peakRssBytes is the whole process's,
 * which only grows during a run, so a re-run at its end reads higher whatever the code does.
 */
function confirmable(m: Pick<MetricComparison, 'metric'>): boolean {
  return m.metric !== 'peakRssBytes' && m.metric !== 'memoryExponent';
}

/** The cells the confirm step should re-run: those behind every gated regression of the comparison it can confirm. */
export function cellsToConfirm(comparison: Pick<Comparison, 'metrics'>, current: RunResult): string[] {
  const ids = new Set<string>();
  for (const m of comparison.metrics) if (m.gated && m.verdict === 'regressed' && confirmable(m)) for (const id of cellsBehind(m, current)) ids.add(id);
  return [...ids];
}

/** Geometric mean of the canary readings around a re-run: the machine's speed while it ran. */
function confirmCanaryMs(confirmation: NonNullable<CellResult['confirmation']>): number | undefined {
  const readings = [confirmation.canaryBeforeMs, confirmation.canaryAfterMs].filter((ms): ms is number => ms !== undefined && ms > 0);
  return readings.length > 0 ? Math.exp(readings.reduce((s, ms) => s + Math.log(ms), 0) / readings.length) : undefined;
}

/** The run as the confirm step saw it: re-run cells carry their re-run's repetitions and canary; null without re-runs. */
export function confirmedView(run: RunResult): { run: RunResult; confirmed: Set<string> } | null {
  const confirmed = new Set(run.cells.filter((c) => c.confirmation).map((c) => c.cell.id));
  if (confirmed.size === 0) return null;
  const cells = run.cells.map((cell): CellResult => {
    if (!cell.confirmation) return cell;
    const { confirmation, canaryMs: _sweepCanary, ...rest } = cell;
    const canaryMs = confirmCanaryMs(confirmation);
    return { ...rest, trials: confirmation.trials, ...(canaryMs !== undefined ? { canaryMs } : {}) };
  });
  return { run: { ...run, cells }, confirmed };
}

export interface ConfirmOutcome {
  metrics: MetricComparison[];
  /** Regressions whose cells were all re-run. */
  checked: number;
  confirmed: number;
}

/**
 * Keeps a regression only where the re-run regressed too, on a machine no slower than the baseline's: a re-run
 * whose canary read more than `band` slower than the baseline's (for any cell behind the metric) ran under load
 * and cannot confirm anything. Otherwise the regression becomes 'inconclusive', with both measurements.
 * Regressions whose cells were not all re-run (the confirm step was off) stay as they are.
 */
export function applyConfirmation(
  metrics: readonly MetricComparison[],
  rerun: readonly MetricComparison[],
  confirmed: ReadonlySet<string>,
  current: RunResult,
  rerunShift: CanaryShift | null,
  band: number,
): ConfirmOutcome {
  const again = new Map(rerun.map((m) => [`${m.metric}\u0000${m.subject}`, m]));
  let checked = 0;
  let kept = 0;
  const out = metrics.map((m) => {
    if (m.verdict !== 'regressed' || !confirmable(m)) return m;
    const behind = cellsBehind(m, current);
    const r = again.get(`${m.metric}\u0000${m.subject}`);
    if (behind.length === 0 || !behind.every((id) => confirmed.has(id)) || !r) return m;
    checked++;
    const confirmation = {
      current: r.current,
      change: r.change,
      changeCi: r.changeCi,
      verdict: r.verdict,
      ...(r.canaryChange !== undefined ? { canaryChange: r.canaryChange } : {}),
    };
    const reran = `the re-run after the sweep measured ${describeChange(r)} (${r.verdict}${r.note ? `: ${r.note}` : ''})`;
    const slowest = Math.max(-Infinity, ...behind.map((id) => rerunShift?.changes.get(id) ?? -Infinity));
    if (r.verdict === 'regressed' && slowest > band) {
      return {
        ...m,
        verdict: 'inconclusive' as const,
        rawVerdict: m.rawVerdict ?? 'regressed',
        confirmation: { ...confirmation, canaryChange: slowest },
        note: `not confirmed: the re-run ran on a machine ${Math.round(slowest * 100)}% slower than the baseline's (canary, or the cells' own CPU share), which cannot confirm a slowdown; ${reran}`,
      };
    }
    if (r.verdict === 'regressed') {
      kept++;
      return { ...m, confirmation, note: [m.note, `confirmed: ${reran}`].filter(Boolean).join('; ') };
    }
    return { ...m, verdict: 'inconclusive' as const, rawVerdict: m.rawVerdict ?? 'regressed', confirmation, note: `not confirmed: ${reran}` };
  });
  return { metrics: out, checked, confirmed: kept };
}
