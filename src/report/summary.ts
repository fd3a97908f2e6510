/**
 * The fitted scaling laws in full, for `--details`: per model how time and memory grow with data size,
 * how throughput grows with pool width at every size (speedup, efficiency, Karp-Flatt, Amdahl, USL),
 * achieved GFLOP/s and MFU, quality per cell; then time per sample against model size, and inference
 * under load. The Findings (./findings/) say the same in one table; missing values print "n/a".
 */
import { createColors } from 'picocolors';
import type { Analysis, CellAnalysis, ComplexityScaling, InferenceSweep, SizeScaling, WidthScaling } from '../analyse/schema.js';
import type { Estimate } from '../stats/types.js';
import { formatBytes, formatCount, formatFixed, formatMs, formatNumber, formatPercent, formatSig, MISSING, plainNumber } from '../config/format.js';
import { clean, compactTable } from './table.js';
import { SIZE_METRIC_LABEL } from './text.js';
import { budgetText, qualityFindings } from './quality-text.js';

type Colors = ReturnType<typeof createColors>;

const fixed = formatFixed;

function interval(estimate: Estimate, digits: number): string {
  if (estimate.low === null || estimate.high === null) return '[CI n/a]';
  return `[${fixed(estimate.low, digits)}, ${fixed(estimate.high, digits)}]`;
}

/** "time grows as n^1.02 [0.98, 1.06] (R² 0.999, best fit O(n))". */
export function describeSizeLaw(fit: SizeScaling, label: string): string {
  if (!fit.exponent) return `${label}: not enough sizes (${fit.points.length} < 2)`;
  const bigO = fit.bigO ? `, best fit ${fit.bigO.class}` : '';
  return `${label} grows as n^${fixed(fit.exponent.value, 2)} ${interval(fit.exponent, 2)} (R² ${formatNumber(fit.rSquared, 3)}${bigO})`;
}

/** "w=2: 1.88x, 94% efficient, Karp-Flatt 0.06". */
export function describeWidthPoint(point: WidthScaling['points'][number]): string {
  const speedup = point.speedup === null ? `${MISSING} speedup` : `${formatNumber(point.speedup, 2)}x`;
  const parts = [`w=${point.workers}: ${speedup}`, `${formatPercent(point.efficiency)} efficient`];
  if (point.karpFlatt !== null) parts.push(`Karp-Flatt ${formatNumber(point.karpFlatt, 2)}`);
  return parts.join(', ') + (point.oversubscribed ? ' (oversubscribed)' : '');
}

function describeUsl(sweep: WidthScaling): string {
  const amdahl = sweep.amdahlParallelFraction === null ? '' : `Amdahl ${formatPercent(sweep.amdahlParallelFraction)} parallel; `;
  const usl = sweep.usl;
  if ('unavailable' in usl) return `${amdahl}USL n/a: ${usl.unavailable}`;
  const params = `σ ${formatSig(usl.sigma, 3)}, κ ${formatSig(usl.kappa, 3)}, R² ${formatFixed(usl.rSquared, 3)}`;
  const limit = usl.limitedBy === 'none' ? 'near-linear' : `${usl.limitedBy}-limited`;
  if (usl.peakWorkers === null) return `${amdahl}USL: no peak (${limit}; ${params})`;
  return `${amdahl}USL: peak at w=${formatNumber(usl.peakWorkers, 1)}, ${formatCount(usl.peakThroughput)} samples/s (${limit}; ${params})`;
}

/** GFLOP/s with 3 significant digits, so small models do not print 0.00. */
function formatGflops(value: number | null): string {
  return formatSig(value, 3);
}

function range(values: readonly number[], format: (v: number) => string): string {
  if (values.length === 0) return MISSING;
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? format(low) : `${format(low)}–${format(high)}`;
}

function describeCompute(cells: readonly CellAnalysis[]): string {
  const rated = cells.filter((c) => c.gflops !== null);
  if (rated.length === 0) return `compute: ${MISSING}`;
  const gflops = range(rated.map((c) => c.gflops ?? 0), formatGflops);
  const mfus = rated.flatMap((c) => (c.mfu === null ? [] : [c.mfu]));
  const mfu = mfus.length === 0 ? `MFU ${MISSING} (no calibration)` : `MFU ${range(mfus, (v) => formatPercent(v, 1))}`;
  const best = rated.reduce((a, b) => ((b.gflops ?? 0) > (a.gflops ?? 0) ? b : a));
  return `compute: ${gflops} GFLOP/s, ${mfu} (best at n=${formatCount(best.cell.size)}, w=${best.cell.workers})`;
}

function describeQuality(cells: readonly CellAnalysis[], flagged: ReadonlySet<string>): string {
  const rated = cells.filter((c) => c.quality !== null);
  if (rated.length === 0) return `quality: ${MISSING}`;
  const metric = `${rated[0]?.quality?.metric === 'r2' ? 'R²' : 'accuracy'}${budgetHeading(rated)}`;
  const value = (c: CellAnalysis): string => `${formatNumber(c.quality?.value, 3)}${c.undertrained ? ' undertrained' : ''}`;
  // Identical values are said once: a line per cell would bury the one that differs.
  const same = (group: readonly CellAnalysis[]): boolean => group.every((c) => value(c) === value(group[0]!) && !flagged.has(c.cellId));
  if (rated.length > 1 && same(rated)) return `quality (${metric}): ${value(rated[0]!)} in every cell`;
  const bySize = new Map<number, CellAnalysis[]>();
  for (const c of rated) bySize.set(c.cell.size, [...(bySize.get(c.cell.size) ?? []), c]);
  const parts = [...bySize].sort((a, b) => a[0] - b[0]).map(([size, group]) => {
    if (group.length > 1 && same(group)) return `n=${formatCount(size)}: ${value(group[0]!)}`;
    const entries = group.map((c) => {
      const mode = c.cell.mode === 'job-parallel' ? '' : ` ${c.cell.mode}`;
      const mark = flagged.has(c.cellId) ? ' (worse than slowest)' : '';
      return `w=${c.cell.workers}${mode} ${value(c)}${mark}`;
    });
    return `n=${formatCount(size)}: ${entries.join(', ')}`;
  });
  return `quality (${metric}): ${parts.join('; ')}`;
}

/** " after 1 epoch, 4-125 steps by size": the budget behind every quality figure of a model. */
function budgetHeading(cells: readonly CellAnalysis[]): string {
  const budgets = cells.flatMap((c) => (c.budget ? [c.budget] : []));
  const first = budgets[0];
  if (!first) return '';
  if (first.kind === 'to-target') return `, ${budgetText(first).replace(/, median .*$/, '')}`;
  const steps = budgets.flatMap((b) => (b.kind === 'fixed' && b.steps !== null ? [b.steps] : []));
  const range = steps.length === 0 ? '' : Math.min(...steps) === Math.max(...steps) ? `, ${Math.min(...steps)} steps` : `, ${Math.min(...steps)}-${Math.max(...steps)} steps by size`;
  return ` after ${first.epochs} epoch${first.epochs === 1 ? '' : 's'}${range}`;
}

function renderModel(analysis: Analysis, model: string, color: Colors, flagged: ReadonlySet<string>): string[] {
  const lines: string[] = [];
  const cells = analysis.cells.filter((c) => c.cell.model === model);
  const datasets = [...new Set(cells.map((c) => c.cell.dataset))];
  lines.push(color.bold(`${clean(model)} on ${datasets.map(clean).join(', ')}`));

  const fits = analysis.sizeScaling.filter((s) => s.model === model && s.points.length >= 2);
  const timeFits = fits.filter((s) => s.metric === 'wallMs').sort((a, b) => a.workers - b.workers);
  // Peak memory is a process-wide figure that barely depends on width: say it once, at the narrowest.
  const memoryShown = new Set<string>();
  for (const time of timeFits) {
    const memoryKey = `${time.dataset}|${time.mode}`;
    const memory = memoryShown.has(memoryKey)
      ? undefined
      : fits.find((s) => s.metric !== 'wallMs' && s.dataset === time.dataset && s.workers === time.workers && s.mode === time.mode);
    if (memory) memoryShown.add(memoryKey);
    const where = `w=${time.workers}${time.mode === 'job-parallel' ? '' : ` ${time.mode}${variantLabel(time.key, time.mode)}`}${datasets.length > 1 ? ` on ${clean(time.dataset)}` : ''}`;
    const memoryText = memory ? `; ${describeSizeLaw(memory, SIZE_METRIC_LABEL[memory.metric])}` : '';
    lines.push(`  size, ${where}: ${describeSizeLaw(time, 'time')}${memoryText}`);
  }

  for (const sweep of analysis.widthScaling.filter((w) => w.model === model && w.points.length >= 2).sort((a, b) => a.size - b.size)) {
    const where = `n=${formatCount(sweep.size)}${sweep.mode === 'job-parallel' ? '' : ` ${sweep.mode}${variantLabel(sweep.key, sweep.mode)}`}${datasets.length > 1 ? ` on ${clean(sweep.dataset)}` : ''}`;
    const points = sweep.points.filter((p) => p.workers !== 1).map(describeWidthPoint);
    lines.push(`  width, ${where}: ${points.join('; ')}`);
    lines.push(`    ${describeUsl(sweep)}`);
  }

  lines.push(`  ${describeCompute(cells)}`);
  lines.push(...describeDataParallel(cells), ...describeMemoryByWidth(cells));
  lines.push(`  ${describeQuality(cells, flagged)}`);
  return lines;
}

/** Per (dataset, mode): the sweep at the largest size and the narrowest width with 2 or more models. */
function complexitySweeps(analysis: Analysis): ComplexityScaling[] {
  const chosen = new Map<string, ComplexityScaling>();
  for (const sweep of analysis.complexityScaling) {
    if (sweep.points.length < 2) continue;
    const key = `${sweep.dataset ?? ''}|${sweep.mode}`;
    const current = chosen.get(key);
    if (!current || sweep.workers < current.workers || (sweep.workers === current.workers && sweep.size > current.size)) chosen.set(key, sweep);
  }
  return [...chosen.values()];
}

function renderComplexity(analysis: Analysis, sweep: ComplexityScaling, color: Colors): string[] {
  const params = sweep.exponentVsParams;
  const flops = sweep.exponentVsFlops ?? null;
  const law = params
    ? `time per sample grows as params^${formatNumber(params.value, 2)} ${interval(params, 2)}${flops ? `, FLOPs^${formatNumber(flops.value, 2)}` : ''}`
    : `time per sample vs params: ${MISSING}`;
  const where = `n=${formatCount(sweep.size)}, w=${sweep.workers}${sweep.mode === 'job-parallel' ? '' : `, ${sweep.mode}`}${sweep.dataset ? ` on ${clean(sweep.dataset)}` : ''}`;
  const table = compactTable(['model', 'params', 'train FLOPs/sample', 'µs/sample/worker', 'GFLOP/s', 'MFU'], ['left', 'right', 'right', 'right', 'right', 'right'], color.isColorSupported);
  const cellsByModel = new Map(
    analysis.cells.filter((c) => c.cell.size === sweep.size && c.cell.workers === sweep.workers && c.cell.mode === sweep.mode).map((c) => [c.cell.model, c]),
  );
  for (const point of sweep.points) {
    table.push([
      clean(point.model),
      formatCount(point.params),
      formatCount(point.trainFlopsPerSample),
      formatSig(point.usPerSample, 3),
      formatGflops(point.gflops),
      formatPercent(cellsByModel.get(point.model)?.mfu ?? null, 1),
    ]);
  }
  return [color.bold(`Model complexity (${where})`), `  ${law}`, table.toString()];
}

/** " strong" or " b=32 c=4": the mode's variant that the analysis put in a sweep key after the mode (see modeVariant). */
function variantLabel(key: string, mode: string): string {
  const at = key.indexOf(`|${mode}|`);
  if (at < 0) return '';
  const parts = key.slice(at + mode.length + 2).split('|').filter((part) => /^(strong|weak|[bcr]=[\d.]+)$/.test(part));
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

/** Data-parallel: gradient exchange beside compute per step, per width, and whether the replicas agree. */
function describeDataParallel(cells: readonly CellAnalysis[]): string[] {
  const groups = new Map<string, CellAnalysis[]>();
  for (const c of cells) {
    if (c.cell.mode !== 'data-parallel' || !c.dataParallel) continue;
    const key = `n=${formatCount(c.cell.size)} ${c.cell.scaling ?? 'strong'} scaling`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups].map(([where, group]) => {
    const parts = group
      .sort((a, b) => a.cell.workers - b.cell.workers)
      .map((c) => {
        const dp = c.dataParallel!;
        return `w=${c.cell.workers} exchange ${formatMs(dp.exchangeMsPerStep)} vs compute ${formatMs(dp.computeMsPerStep)} (${formatPercent(dp.exchangeShare)})`;
      });
    const diffs = group.flatMap((c) => (c.dataParallel?.replicaMaxDiff != null ? [c.dataParallel.replicaMaxDiff] : []));
    const agree = diffs.length === 0 ? '' : `; replicas differ by at most ${plainNumber(Math.max(...diffs), (v) => String(Number(v.toPrecision(2))))}`;
    return `  data-parallel ${where}, per step: ${parts.join('; ')}${agree}`;
  });
}

/** Peak RSS against width for the modes that promise it stays flat (the dataset is shared, not copied), and the backend threads. */
function describeMemoryByWidth(cells: readonly CellAnalysis[]): string[] {
  const metric = cells.some((c) => c.cellMemoryBytes) ? 'cellMemoryBytes' : 'peakRssBytes';
  const modes = cells.filter((c) => c.cell.mode !== 'job-parallel' && c[metric]);
  if (modes.length === 0) return [];
  const byWidth = new Map<number, number>();
  for (const c of modes) byWidth.set(c.cell.workers, Math.max(byWidth.get(c.cell.workers) ?? 0, c[metric]!.median));
  const widths = [...byWidth].sort((a, b) => a[0] - b[0]).map(([w, bytes]) => `w=${w} ${formatBytes(bytes)}`);
  const threads = [...new Set(modes.flatMap((c) => (c.threadsPerWorker !== undefined ? [c.threadsPerWorker] : [])))];
  const threadText = threads.length > 0 ? `; backend threads per worker: ${threads.join(', ')}` : '';
  return [`  ${SIZE_METRIC_LABEL[metric]} by width: ${widths.join(', ')}${threadText}`];
}

/** Inference: throughput and latency per load level, and where latency starts to climb. */
function renderInference(sweeps: readonly InferenceSweep[], color: Colors): string[] {
  const table = compactTable(
    ['model', 'n', 'w', 'rows/req', 'load', 'predictions/s', 'p50', 'p95', 'p99', 'max', 'errors'],
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    color.isColorSupported,
  );
  const knees: string[] = [];
  let flat = 0;
  for (const sweep of sweeps) {
    for (const point of sweep.points) {
      table.push([
        clean(sweep.model),
        formatCount(sweep.size),
        String(sweep.workers),
        String(sweep.batchSize),
        sweep.loop === 'closed' ? `c=${point.level}` : `${formatCount(point.level)}/s`,
        formatCount(point.throughput),
        formatMs(point.latency?.p50),
        formatMs(point.latency?.p95),
        formatMs(point.latency?.p99),
        formatMs(point.latency?.max),
        point.errors > 0 ? `${point.errors}/${point.requests}` : '0',
      ]);
    }
    if (sweep.points.length < 2) continue;
    if (sweep.knee === null) {
      flat++;
      continue;
    }
    const level = sweep.loop === 'closed' ? `concurrency ${sweep.knee}` : `${formatCount(sweep.knee)} requests/s`;
    knees.push(`  ${clean(sweep.model)} w=${sweep.workers}, ${sweep.batchSize} rows/req, ${sweep.loop} loop: knee at ${level}`);
  }
  const rule = sweeps[0]?.kneeRule;
  const swept = knees.length + flat;
  return [
    color.bold('Inference under load (latency from send to answer)'),
    table.toString(),
    ...knees,
    ...(flat > 0 ? [`  no knee among the levels run in ${flat} of ${swept} load sweep${swept === 1 ? '' : 's'}`] : []),
    ...(swept > 0 && rule ? [color.dim(`  knee = ${rule}`)] : []),
  ];
}

/** Renders the analysis as a compact terminal text; colour only when opts.color. */
export function renderScalingSummary(analysis: Analysis, opts: { color: boolean }): string {
  const color = createColors(opts.color);
  const env = analysis.environment;
  const lines: string[] = [color.bold(`Scaling summary: ${clean(analysis.runId)} (${analysis.backend}, ${env.cores} cores)`)];
  const flagged = new Set(analysis.qualityFlags.map((f) => f.cellId));
  const models = [...new Set(analysis.cells.map((c) => c.cell.model))];
  if (models.length === 0) lines.push('  no cells were analysed');
  for (const model of models) {
    lines.push('', ...renderModel(analysis, model, color, flagged));
  }
  const quality = qualityFindings(analysis);
  if (quality.length > 0) lines.push('', color.bold('Quality'), ...quality.map((q) => `  ${clean(q.subject)}: ${clean(q.text)}`));
  for (const sweep of complexitySweeps(analysis)) lines.push('', ...renderComplexity(analysis, sweep, color));
  if (analysis.inference && analysis.inference.length > 0) lines.push('', ...renderInference(analysis.inference, color));
  return lines.join('\n');
}
