/**
 * The plain-text wording every report shares, so Markdown, HTML and the terminal say the same: the
 * fitted laws ("time grows as n^1.02 ± 0.03"), machines, verdicts, and number formats.
 * Every formatter returns "n/a" for null, undefined, NaN and Infinity: no report prints those.
 */
import type { Analysis, MachineSpeed, SizeScaling, WidthPoint, WidthScaling } from '../analyse/schema.js';
import type { MetricComparison, Verdict } from '../gate/schema.js';
import { isAbsoluteChange } from '../gate/thresholds.js';
import type { Environment, RunResult } from '../results/schema.js';
import type { Estimate } from '../stats/types.js';
import { SIZE_METRIC_LABEL, memoryMetricOf, type MemoryMetric } from '../analyse/labels.js';
import { MISSING, formatBytes, formatCount, formatFixed, formatMs, formatPercent, formatSig, isFiniteNumber } from '../config/format.js';

export const NA = MISSING;

export const finite = isFiniteNumber;

/*
 * The report formats once had their own number formatters (decimal MB, separators); there is now one
 * family, in config/format.ts, shared with the terminal. These names stay as its aliases.
 */
/** 3 significant digits with thousands separators: 50,000 / 12.3 / 0.00123 / 1.04e-4. */
export const fmtNumber = formatSig;
/** Fixed decimals, never "-0.00" and never a non-zero value rounded to zero. */
export const fmtFixed = formatFixed;
/** 0.934 -> "93%". */
export const fmtPercent = formatPercent;
/** "850 µs", "12.3 ms", "1.66 s", "2.50 min". */
export const fmtMs = formatMs;
/** Binary units: "95.5 MiB", "1.20 GiB". */
export const fmtBytes = formatBytes;
/** Sizes and counts: "4k", "32k", "1.23M". */
export const fmtCount = formatCount;

/** Installed memory, quoted in binary units as operating systems do: "24.0 GiB". */
export function fmtGiB(bytes: number | null | undefined): string {
  return finite(bytes) ? `${formatFixed(bytes / 1024 ** 3, 1)} GiB` : NA;
}

/** Half the width of an interval, when it has both ends. */
export function halfWidth(e: Estimate): number | null {
  return finite(e.low) && finite(e.high) ? (e.high - e.low) / 2 : null;
}

/** "n^1.02 ± 0.03", or "n^1.02" when there is no interval. */
export function fmtPower(base: string, e: Estimate | null): string {
  if (!e || !finite(e.value)) return NA;
  const hw = halfWidth(e);
  return hw === null ? `${base}^${fmtFixed(e.value, 2)}` : `${base}^${fmtFixed(e.value, 2)} ± ${fmtFixed(hw, 2)}`;
}

/** "1 worker" / "3 workers". */
export function fmtWorkers(w: number): string {
  return `${w} worker${w === 1 ? '' : 's'}`;
}

/**
 * The memory metric of an analysis: the memory each cell holds (data + tensors), or the process peak RSS
 * for results that predate the per-cell figure.
 */
export function memoryMetric(analysis: Pick<Analysis, 'cells'>): MemoryMetric {
  return memoryMetricOf(analysis.cells);
}

/** What each size-law metric measured, in the words every report (and `predict`) uses. */
export { SIZE_METRIC_LABEL };

/** "time grows as n^1.02 ± 0.03 (closest class O(n), R² 0.998)" for one size sweep. */
export function describeSizeScaling(s: SizeScaling): string {
  const what = SIZE_METRIC_LABEL[s.metric];
  if (!s.exponent) return `${what}: not enough sizes to fit a law (${s.points.length} measured, 2 needed)`;
  const extras: string[] = [];
  if (s.bigO) extras.push(`closest class ${s.bigO.class}`);
  if (finite(s.rSquared)) extras.push(`R² ${fmtFixed(s.rSquared, 3)}`);
  if (halfWidth(s.exponent) === null) extras.push(`no interval from ${s.points.length} sizes`);
  return `${what} grows as ${fmtPower('n', s.exponent)}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** "2 workers: 1.87x, 93% efficient". */
export function describeWidthPoint(p: WidthPoint): string {
  const over = p.oversubscribed ? ', oversubscribed' : '';
  if (!finite(p.speedup)) return `${fmtWorkers(p.workers)}: ${fmtNumber(p.throughput)} samples/s (no 1-worker baseline)${over}`;
  return `${fmtWorkers(p.workers)}: ${fmtFixed(p.speedup, 2)}x, ${fmtPercent(p.efficiency)} efficient${over}`;
}

/** The USL fit in words, or why there is none. */
export function describeUsl(w: WidthScaling): string {
  const usl = w.usl;
  if ('unavailable' in usl) return `USL: ${usl.unavailable}`;
  const params = `σ ${formatSig(usl.sigma, 3)}, κ ${formatSig(usl.kappa, 3)}`;
  if (!finite(usl.peakWorkers)) return `USL: no peak within reach (${params}, ${usl.limitedBy === 'none' ? 'no limit found' : `limited by ${usl.limitedBy}`})`;
  return `USL: throughput peaks at ${fmtFixed(usl.peakWorkers, 1)} workers, ${fmtNumber(usl.peakThroughput)} samples/s (${params}, limited by ${usl.limitedBy})`;
}

/** Every width above 1, then the USL verdict. */
export function describeWidthScaling(w: WidthScaling): string {
  const parts = w.points.filter((p) => p.workers !== 1).map(describeWidthPoint);
  if (parts.length === 0) parts.push(`only ${w.points.length} width${w.points.length === 1 ? '' : 's'} measured`);
  return `${parts.join('; ')}; ${describeUsl(w)}`;
}

/** A fitted law in words, with its subject kept apart so each format can escape names its own way. */
export interface LawSentence {
  kind: 'size' | 'width' | 'complexity';
  /** Model or sweep the law is about: raw, unescaped. */
  model: string | null;
  /** The rest of the subject, e.g. "classification, 1 worker": built from names, raw. */
  context: string;
  /** Wording with numbers only (no names). */
  text: string;
}

function datasetsAndModes(a: Analysis): { datasets: number; modes: number } {
  return {
    datasets: new Set(a.cells.map((c) => c.cell.dataset)).size,
    modes: new Set(a.cells.map((c) => c.cell.mode)).size,
  };
}

/** The laws worth reading first: time and memory against size, speedup against width, time against model size. */
export function lawSentences(a: Analysis): LawSentence[] {
  const { datasets, modes } = datasetsAndModes(a);
  const ctx = (dataset: string, mode: string, rest: string): string =>
    [datasets > 1 ? dataset : null, rest, modes > 1 ? mode : null].filter((s): s is string => s !== null).join(', ');
  const out: LawSentence[] = [];
  for (const s of a.sizeScaling) {
    out.push({ kind: 'size', model: s.model, context: ctx(s.dataset, s.mode, fmtWorkers(s.workers)), text: describeSizeScaling(s) });
  }
  for (const w of a.widthScaling) {
    out.push({ kind: 'width', model: w.model, context: ctx(w.dataset, w.mode, `n=${fmtCount(w.size)}`), text: describeWidthScaling(w) });
  }
  for (const c of a.complexityScaling) {
    if (!c.exponentVsParams) continue;
    const text = `time per sample grows as ${fmtPower('params', c.exponentVsParams)} across ${c.points.length} models`;
    out.push({ kind: 'complexity', model: null, context: `n=${fmtCount(c.size)}, ${fmtWorkers(c.workers)}${modes > 1 ? `, ${c.mode}` : ''}`, text });
  }
  return out;
}

/** "AMD EPYC 7B13, 2 cores, 24.0 GiB, linux x64". */
export function describeMachine(env: Environment): string {
  return `${env.cpuModel}, ${env.cores} cores, ${fmtGiB(env.totalMemoryBytes)}, ${env.os} ${env.arch}`;
}

/** "wasm (SIMD) 4.22.0, tfjs 4.22.0, Node v20.20.2". */
export function describeBackend(env: Environment): string {
  const simd = env.backend === 'wasm' && env.wasmSimd !== undefined ? (env.wasmSimd ? ' (SIMD)' : ' (no SIMD)') : '';
  const kernels = env.kernelPatches.length > 0 ? `, kernels: ${env.kernelPatches.join(', ')}` : ', stock kernels';
  return `${env.backend}${simd} ${env.backendVersion}, tfjs ${env.tfjsVersion}, Node ${env.node}${kernels}`;
}

/**
 * The machine's speed over a run, from the canary: "64 matmuls 128×128 per worker, 45 readings; w=1 5.1 / 5.3 / 6.2 ms
 * (fastest / median / slowest), ...; 3 of 45 cells (7%) ran more than 10% slower than the fastest reading at their width".
 */
export function describeMachineSpeed(speed: MachineSpeed): string {
  const widths = speed.byWidth.map((w) => `w=${w.workers} ${fmtFixed(w.minMs, 1)} / ${fmtFixed(w.medianMs, 1)} / ${fmtFixed(w.maxMs, 1)} ms`).join(', ');
  const share = speed.cells > 0 ? ` (${Math.round((100 * speed.slowedCells) / speed.cells)}%)` : '';
  return (
    `canary ${speed.workload.matmuls} matmuls ${speed.workload.size}×${speed.workload.size} per worker, ${speed.readings} readings; ` +
    // Literal: what the canary read before the cells. It is a few milliseconds of matmuls and noisy on its own
    // (a quiet run here read up to +118% once), so it does not claim the cell itself ran slower.
    `${widths} (fastest / median / slowest); ${speed.slowedCells} of ${speed.cells} cells${share} ran after a reading more than ` +
    `${Math.round(speed.slowBand * 100)}% above the fastest at their width (slowest reading +${Math.round(speed.maxSlowdown * 100)}%)`
  );
}

export const VERDICT_MARK: Record<Verdict, string> = {
  regressed: '🔴 regressed',
  improved: '🟢 improved',
  unchanged: '⚪ unchanged',
  inconclusive: '🟡 inconclusive',
};

/** Digits of a compared metric whose change is an absolute difference (quality, exponents); undefined for relative changes. */
export function absoluteChangeDigits(metric: string): number | undefined {
  if (!isAbsoluteChange(metric)) return undefined;
  return metric === 'quality' ? 4 : 3;
}

/** A relative change as a signed percentage: "+30.0%"; quality and exponent changes are absolute differences ("+0.012"). */
export function fmtChange(m: Pick<MetricComparison, 'metric' | 'change'>): string {
  if (!finite(m.change)) return NA;
  const digits = absoluteChangeDigits(m.metric);
  if (digits !== undefined) return `${m.change >= 0 ? '+' : ''}${fmtFixed(m.change, digits)}`;
  return `${m.change >= 0 ? '+' : ''}${fmtFixed(m.change * 100, 1)}%`;
}

export function fmtChangeCi(m: MetricComparison): string {
  const ci = m.changeCi;
  if (!ci || !finite(ci.low) || !finite(ci.high)) return NA;
  return `${fmtChange({ metric: m.metric, change: ci.low })} … ${fmtChange({ metric: m.metric, change: ci.high })}`;
}

/** Value of a compared metric in its unit. */
export function fmtMetricValue(metric: string, v: number): string {
  if (metric === 'wallMs') return fmtMs(v);
  if (metric === 'peakRssBytes') return fmtBytes(v);
  if (metric.startsWith('efficiency')) return fmtPercent(v, 1);
  return fmtNumber(v);
}

/** Said in every report of a fake-runner run (hidden flag `--runner fake`), so synthetic numbers never pass for a measurement. */
export const SYNTHETIC_NOTE = 'SYNTHETIC: these numbers come from the fake runner (--runner fake, a test stand-in that trains nothing), not from a measurement';

/** The same, short enough for a chart's subtitle line. */
export const SYNTHETIC_NOTE_SHORT = 'SYNTHETIC: fake runner (--runner fake), not a measurement';

/** Whether any machine of the run measured with the fake runner (merged shards can mix runners). */
export function isSynthetic(result: RunResult): boolean {
  return result.environment.runner === 'fake' || Object.values(result.machines ?? {}).some((machine) => machine.runner === 'fake');
}

/** Labels that tell several runs apart: the run id, or the machine when the runs ran on different machines. */
export function runLabels(runs: ReadonlyArray<{ result: RunResult; analysis: Analysis }>): string[] {
  const machines = new Set(runs.map((r) => r.analysis.environment.machineId));
  const raw = runs.map((r) =>
    machines.size === runs.length && machines.size > 1 ? r.analysis.environment.hostname ?? r.analysis.environment.machineId : r.analysis.runId,
  );
  // Identical labels (same hostname twice) get a suffix so series never merge.
  return raw.map((l, i) => (raw.indexOf(l) !== i || raw.lastIndexOf(l) !== i ? `${l} #${i + 1}` : l));
}

// ---------------------------------------------------------------------------
// Markdown rendering
// ---------------------------------------------------------------------------

/**
 * Text from data made inert in GitHub Markdown: HTML entities for & < >, a backslash before the
 * punctuation that can start emphasis, code, links, strikethrough or math mid-line (| keeps
 * tables intact), and no line breaks. Text never starts a line, so # - + need no escape.
 */
export function mdEscape(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~$]/g, (c) => `\\${c}`);
}
