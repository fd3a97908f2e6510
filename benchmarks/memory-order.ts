/**
 * Does a memory figure depend on the order the cells ran in? Runs one plan (real tfjs, one model, five
 * sizes, w = 1) in size order and then with its cells reversed, in one process, and prints per cell the
 * cell memory, the process's peak RSS and the RSS growth during the cell, with the power law of each.
 * The numbers in docs/measurement.md and src/measure/memory.ts come from it.
 * Needs the built workers (`npm run build`). Run: npx tsx benchmarks/memory-order.ts [model] [sizes]
 */
import { buildPlan } from '../src/plan/build.js';
import { runPlan } from '../src/measure/scheduler.js';
import { PoolRunner } from '../src/modes/pool-runner.js';
import { analyse } from '../src/analyse/index.js';
import { median, powerLawFit } from '../src/stats/index.js';
import type { Estimate } from '../src/stats/types.js';

const model = process.argv[2] ?? 'logistic';
const sizes = (process.argv[3] ?? '8000,16000,32000,64000,128000').split(',').map(Number);
const base = buildPlan({ models: [model], sizes, workers: [1], repeats: 3, warmup: 1, backend: 'wasm', out: '.tmp/memory-order' }, 2);
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const law = (e: Estimate | undefined): string => (e ? `n^${e.value.toFixed(2)} [${e.low?.toFixed(2)}, ${e.high?.toFixed(2)}]` : 'n/a');

for (const order of ['size order', 'reverse order'] as const) {
  const cells = order === 'reverse order' ? [...base.cells].reverse() : base.cells;
  const result = await runPlan({ ...base, runId: `memory-${order.replace(' ', '-')}`, cells }, new PoolRunner());
  const bySize = [...result.cells].sort((a, b) => a.cell.size - b.cell.size);
  const col = (pick: (t: (typeof bySize)[number]['trials'][number]) => number | undefined): number[] =>
    bySize.map((c) => median(c.trials.flatMap((t) => (pick(t) !== undefined ? [pick(t)!] : []))));
  const cell = col((t) => t.cellMemoryBytes);
  const peak = col((t) => t.peakRssBytes);
  const growth = col((t) => t.cellRssGrowthBytes);
  const fitted = analyse(result).sizeScaling.find((s) => s.metric === 'cellMemoryBytes');
  console.log(`${model}, ${order} (ran ${cells.map((c) => c.size).join(', ')}); per size ${sizes.join(', ')}, MB:`);
  console.log(`  cell memory       ${cell.map(mb).join(', ')}   ${law(fitted?.exponent ?? undefined)}`);
  console.log(`  process peak RSS  ${peak.map(mb).join(', ')}   ${law(powerLawFit(sizes, peak)?.exponent)}`);
  console.log(`  RSS growth        ${growth.map(mb).join(', ')}`);
}
