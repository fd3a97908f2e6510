/**
 * The words every format uses for model quality: the budget behind each figure ("acc 0.481 after
 * 1 epoch, 4 steps"), the undertrained flag, the data set's ideal, time to a target, statistical
 * efficiency and learning curves. Plain text with names kept raw: each format escapes its own way.
 */
import type { Analysis, CellAnalysis, LearningCurve, TimeToTarget, TimeToTargetScaling, TrainingBudget } from '../analyse/schema.js';
import type { Estimate } from '../stats/types.js';
import type { SavedPlan } from '../results/schema.js';
import { finite, fmtFixed, fmtMs, fmtNumber, fmtPercent, NA } from './text.js';

const short = (metric: 'r2' | 'accuracy'): string => (metric === 'r2' ? 'R²' : 'acc');
const long = (metric: 'r2' | 'accuracy'): string => (metric === 'r2' ? 'R²' : 'accuracy');
const plural = (n: number, word: string): string => `${fmtNumber(n)} ${word}${n === 1 ? '' : 's'}`;

/** "after 1 epoch, 4 steps" / "at the end of training to accuracy 0.85 (median 3.5 epochs)". */
export function budgetText(budget: TrainingBudget | undefined): string {
  if (!budget) return '';
  if (budget.kind === 'fixed') return `after ${plural(budget.epochs, 'epoch')}${budget.steps === null ? '' : `, ${plural(budget.steps, 'step')}`}`;
  const goal = budget.target ? `to ${long(budget.target.metric)} ${budget.target.value}` : 'to convergence';
  const epochs = budget.epochs === null ? '' : `, median ${plural(budget.epochs, 'epoch')}`;
  return `at the end of training ${goal}${epochs}`;
}

/** The quality cell of a table: "acc 0.481 after 1 epoch, 4 steps, undertrained". */
export function qualityWithBudget(cell: CellAnalysis): string {
  if (!cell.quality) return NA;
  const budget = budgetText(cell.budget);
  return `${short(cell.quality.metric)} ${fmtFixed(cell.quality.value, 3)}${budget ? ` ${budget}` : ''}${cell.undertrained ? ', undertrained' : ''}`;
}

/** "accuracy 0.967 ± 0.001: Bayes classifier of …, simulated from 20,000 draws" / "R² 0.997: noise-free R² …, closed form". */
export function idealText(cell: CellAnalysis): string | null {
  const ideal = cell.idealQuality;
  if (!ideal) return null;
  // A standard error that rounds to 0 at 4 decimals (a closed-form bound of 1e-28) is left to the basis to state.
  const pm = ideal.standardError >= 5e-5 ? ` ± ${fmtFixed(ideal.standardError, ideal.standardError < 0.001 ? 4 : 3)}` : '';
  const how = ideal.method === 'simulation' ? `simulated from ${ideal.samples ? fmtNumber(ideal.samples, 21) : 'many'} draws` : 'closed form';
  return `${long(ideal.metric)} ${fmtFixed(ideal.value, 3)}${pm}: ${ideal.basis}, ${how}`;
}

/** One line per data set: the quality an ideal model reaches on it. */
export function idealLines(a: Analysis): string[] {
  const seen = new Map<string, string>();
  for (const c of a.cells) {
    const text = idealText(c);
    if (text && !seen.has(c.cell.dataset)) seen.set(c.cell.dataset, text);
  }
  return [...seen].map(([dataset, text]) => `ideal on ${dataset}: ${text}`);
}

function interval(e: Estimate | null, format: (x: number) => string): string {
  if (!e || !finite(e.low) || !finite(e.high)) return '';
  return ` [${format(e.low)}, ${format(e.high)}]`;
}

/** "1.2 s (MLPerf; median 1.1 s [0.9 s, 1.4 s]), 3.5 epochs, CV 12%, +0.3 s evaluating" or "not converged (2 of 5 missed)". */
export function timeToTargetText(t: TimeToTarget): string {
  if (t.status === 'not-converged') return `not converged (${t.runs - t.converged} of ${t.runs} runs missed ${long(t.metric)} ${t.target})`;
  const score = t.mlperfMs !== null ? `${fmtMs(t.mlperfMs)} MLPerf; ` : '';
  const med = t.medianMs ? `median ${fmtMs(t.medianMs.value)}${interval(t.medianMs, fmtMs)}` : `median ${NA}`;
  const epochs = t.epochs ? `, ${fmtNumber(t.epochs.value)} epochs${interval(t.epochs, (x) => fmtNumber(x))}` : '';
  const cv = t.epochsCv !== null ? `, CV ${fmtPercent(t.epochsCv)}` : '';
  const missed = t.converged < t.runs ? `, ${t.runs - t.converged} run missed (counted slowest)` : '';
  const evalMs = t.evalMs !== null ? `, +${fmtMs(t.evalMs)} evaluating` : '';
  return `${score}${med}${epochs}${cv}${missed}${evalMs}`;
}

/** The compact time-to-target cell of a table: "1.2 s, 3.5 ep" / "not converged". */
export function timeToTargetCell(t: TimeToTarget | undefined): string {
  if (!t) return NA;
  if (t.status === 'not-converged') return `not converged (${t.converged}/${t.runs})`;
  const time = t.mlperfMs ?? t.medianMs?.value ?? null;
  return `${fmtMs(time)}, ${t.epochs ? fmtNumber(t.epochs.value) : NA} ep`;
}

/**
 * Data-parallel: "w=2: hardware 1.90x × statistical efficiency 0.71 = 1.35x time-to-accuracy speedup, 1.33x measured".
 * Job-parallel replicas of one seed need the same epochs, so only the hardware speaks: "w=2: each job at 0.52x the speed, time to target 0.50x".
 */
export function efficiencySentence(s: TimeToTargetScaling): string {
  const parts = s.points
    .filter((p) => p.workers !== 1)
    .map((p) => {
      if (p.statisticalEfficiency === null || p.hardwareSpeedup === null) return `w=${p.workers}: ${p.timeToTargetMs === null ? 'did not converge' : `${fmtMs(p.timeToTargetMs)} (no w=1 to compare)`}`;
      const measured = p.timeToTargetSpeedup === null ? '' : `, ${fmtFixed(p.timeToTargetSpeedup, 2)}x measured`;
      if (s.mode === 'job-parallel') return `w=${p.workers}: each of the ${p.workers} jobs trains at ${fmtFixed(p.hardwareSpeedup, 2)}x the speed of one alone; time-to-accuracy speedup${measured.replace(/^, /, ' ')}`;
      return `w=${p.workers}: hardware ${fmtFixed(p.hardwareSpeedup, 2)}x × statistical efficiency ${fmtFixed(p.statisticalEfficiency, 2)} = ${fmtFixed(p.predictedSpeedup, 2)}x time-to-accuracy speedup${measured}`;
    });
  return parts.length > 0 ? parts.join('; ') : `only ${s.points.length} width measured`;
}

/** "2.1·n^−0.31" with intervals: "error = 2.1·n^(−0.31 [0.25, 0.37]) + 0.070 [0.052, 0.081] (R² 0.99)". */
export function learningCurveLaw(curve: LearningCurve): string {
  const f = curve.fit;
  if (!f) return NA;
  const range = (e: Estimate, d: number): string => (finite(e.low) && finite(e.high) ? ` [${fmtFixed(e.low, d)}, ${fmtFixed(e.high, d)}]` : '');
  return `error = ${fmtNumber(f.a.value)}·n^(−${fmtFixed(f.alpha.value, 2)}${range(f.alpha, 2)}) + ${fmtFixed(f.c.value, 3)}${range(f.c, 3)} (R² ${fmtFixed(f.rSquared, 3)})`;
}

const sizeText = (n: number): string => (n >= 1e6 ? `${fmtNumber(n / 1e6, 2)}M` : n >= 1e3 ? `${fmtNumber(n / 1e3, 2)}k` : fmtNumber(n, 2));

/** The learning curve in words, its verdict first when it is not a power law. */
export function learningCurveSentence(curve: LearningCurve): string {
  const measured = `${curve.points.length} sizes`;
  if (curve.verdict === 'too-few-sizes' || curve.verdict === 'stopped-at-target') return `no learning curve: ${curve.reason ?? ''}`;
  if (curve.verdict === 'not-a-power-law') return `not a power law (${curve.reason ?? ''}); not extrapolated. Fit over ${measured}: ${learningCurveLaw(curve)}`;
  const floor =
    curve.idealError === null
      ? ''
      : `; the floor c is not fitted below ${fmtFixed(curve.minFloor, 3)}${curve.minFloor < curve.idealError ? `, the ideal model's error ${fmtFixed(curve.idealError, 3)} less 2 standard errors` : ", the ideal model's error"}`;
  let need = '';
  const s = curve.sizeForTarget;
  if (s) {
    const quality = `${long(curve.metric)} ${s.quality}`;
    if (!s.reachable || !s.size) need = `; ${quality} is beyond the fitted floor: more data alone will not reach it`;
    else {
      const hi = s.size.high === null ? 'unbounded' : sizeText(s.size.high);
      const lo = s.size.low === null ? NA : sizeText(s.size.low);
      need = `; ${quality} needs n ≈ ${sizeText(s.size.value)} [${lo}, ${hi}]${s.extrapolated ? ' (extrapolated beyond 4x the largest size measured)' : ''}`;
    }
  }
  return `${learningCurveLaw(curve)} over ${measured}${floor}${need}`;
}

/** "n=1k 122 ms (20.3 epochs), n=2k 145 ms (10 epochs); not reached at n=500": time to target across sizes, MLPerf scores. */
function timeToTargetBySize(cells: readonly CellAnalysis[]): string {
  const reached = cells.filter((c) => c.timeToTarget?.status === 'converged');
  const missed = cells.filter((c) => c.timeToTarget?.status === 'not-converged').map((c) => `n=${sizeText(c.cell.size)}`);
  const parts = reached.map((c) => {
    const t = c.timeToTarget!;
    const time = t.mlperfMs ?? t.medianMs?.value ?? null;
    return `n=${sizeText(c.cell.size)} ${fmtMs(time)} (${t.epochs ? fmtNumber(t.epochs.value) : NA} epochs)`;
  });
  const text = parts.join(', ');
  const not = missed.length > 0 ? `${text ? '; ' : ''}not reached at ${missed.join(', ')}` : '';
  return `${text}${not}`;
}

/** Every quality finding of a run as lines of plain text (names raw): ideals, time to target, efficiency, learning curves. */
export function qualityFindings(a: Analysis): Array<{ subject: string; text: string }> {
  const out: Array<{ subject: string; text: string }> = idealLines(a).map((text) => ({ subject: 'data', text }));
  // Time to target across sizes at each sweep's narrowest width (widths follow in the efficiency lines).
  const groups = new Map<string, CellAnalysis[]>();
  for (const c of a.cells) {
    if (!c.timeToTarget) continue;
    const key = `${c.cell.model}|${c.cell.dataset}|${c.cell.mode}|${c.cell.scaling ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const group of groups.values()) {
    const narrowest = Math.min(...group.map((c) => c.cell.workers));
    const cells = group.filter((c) => c.cell.workers === narrowest).sort((x, y) => x.cell.size - y.cell.size);
    const t = cells[0]!.timeToTarget!;
    const mode = cells[0]!.cell.mode === 'job-parallel' ? '' : ` ${cells[0]!.cell.mode}${cells[0]!.cell.scaling ? ` ${cells[0]!.cell.scaling}` : ''}`;
    out.push({ subject: `${cells[0]!.cell.model}${mode}`, text: `time to ${long(t.metric)} ${t.target} at w=${narrowest} (MLPerf score): ${timeToTargetBySize(cells)}` });
  }
  for (const s of a.timeToTargetScaling ?? []) {
    if (s.points.filter((p) => p.timeToTargetMs !== null).length < 2) continue;
    out.push({ subject: `${s.model} n=${sizeText(s.size)}${s.mode === 'job-parallel' ? '' : ` ${s.mode}${s.scaling ? ` ${s.scaling}` : ''}`}`, text: efficiencySentence(s) });
  }
  for (const curve of a.learningCurves ?? []) {
    out.push({ subject: `${curve.model} learning curve${curve.mode === 'job-parallel' ? '' : ` (${curve.mode}, w=${curve.workers})`}`, text: learningCurveSentence(curve) });
  }
  return out;
}

/** The quality cell of a narrow table: "acc 0.481 (1 epoch, 4 steps)" / "acc 0.812 (end, 3.5 epochs)". */
export function qualityCompact(cell: CellAnalysis): string {
  if (!cell.quality) return NA;
  const b = cell.budget;
  let budget = '';
  if (b?.kind === 'fixed') budget = ` (${plural(b.epochs, 'epoch')}${b.steps === null ? '' : `, ${plural(b.steps, 'step')}`})`;
  else if (b?.kind === 'to-target') budget = ` (end${b.epochs === null ? '' : `, ${plural(b.epochs, 'epoch')}`})`;
  return `${short(cell.quality.metric)} ${fmtFixed(cell.quality.value, 3)}${budget}`;
}

/** How every trial trained: "1 epoch" or "to accuracy 0.85 and R² 0.9 (evaluated every 0.25 epochs, at most 50 epochs)". */
export function trainingText(plan: Pick<SavedPlan, 'training' | 'convergence'>): string {
  const c = plan.convergence;
  if (!c) return plural(plan.training.epochs, 'epoch');
  const goal = c.targets.length > 0 ? `to ${c.targets.map((t) => `${long(t.metric)} ${t.value}`).join(' and ')}` : 'to convergence';
  const patience = c.patience === undefined ? '' : `, on until ${c.patience} evaluations without improvement`;
  return `${goal} (evaluated every ${fmtNumber(c.evalEvery)} epochs, at most ${plural(c.maxEpochs, 'epoch')}${patience})`;
}

/** "acc 0.481 (1 epoch, 4 steps)": every quality figure says the training budget behind it, and whether it is undertrained. */
export function qualityText(cell: CellAnalysis | undefined): string {
  if (!cell?.quality) return NA;
  return `${qualityCompact(cell)}${cell.undertrained ? ' undertrained' : ''}`;
}
