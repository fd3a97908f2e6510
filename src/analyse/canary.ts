/**
 * The machine's speed over a run, from its canary readings (a fixed workload timed before cells, see
 * RunResult.canary): per width the fastest, median and slowest reading, and how many cells ran on a machine
 * noticeably slower than the fastest it showed at the same width. Pure.
 */
import { z } from 'zod';
import { canaryWorkloadSchema, type RunResult } from '../results/schema.js';
import { median } from '../stats/index.js';

/** A cell whose canary reading is more than this much slower than the fastest at its width ran on a slowed machine. */
export const CANARY_SLOW_BAND = 0.1;

export const machineSpeedSchema = z.object({
  workload: canaryWorkloadSchema,
  /** Readings taken (sweep and confirm step). */
  readings: z.number(),
  /** Canary wall time per width (workers reading together), in ms. */
  byWidth: z.array(z.object({ workers: z.number(), readings: z.number(), minMs: z.number(), medianMs: z.number(), maxMs: z.number() })),
  /** Cells of the sweep that have a canary reading. */
  cells: z.number(),
  /** Of those, cells whose reading was more than `slowBand` slower than the fastest reading at their width. */
  slowedCells: z.number(),
  slowBand: z.number(),
  /** The slowest reading over the fastest at the same width, minus 1 (0 = the machine's speed never moved). */
  maxSlowdown: z.number(),
});
export type MachineSpeed = z.infer<typeof machineSpeedSchema>;

/** The run's canary summary; null for runs without canary readings (older files, or the canary off). */
export function machineSpeed(result: RunResult): MachineSpeed | null {
  const canary = result.canary;
  if (!canary || canary.readings.length === 0) return null;
  const widths = [...new Set(canary.readings.map((r) => r.workers))].sort((a, b) => a - b);
  const byWidth = widths.map((workers) => {
    const ms = canary.readings.filter((r) => r.workers === workers).map((r) => r.ms);
    return { workers, readings: ms.length, minMs: Math.min(...ms), medianMs: median(ms), maxMs: Math.max(...ms) };
  });
  const fastest = new Map(byWidth.map((w) => [w.workers, w.minMs]));
  const read = result.cells.filter((c) => c.canaryMs !== undefined);
  const slowed = read.filter((c) => {
    const min = fastest.get(c.cell.workers);
    return min !== undefined && min > 0 && (c.canaryMs ?? 0) > min * (1 + CANARY_SLOW_BAND);
  });
  const maxSlowdown = Math.max(0, ...byWidth.map((w) => (w.minMs > 0 ? w.maxMs / w.minMs - 1 : 0)));
  return { workload: canary.workload, readings: canary.readings.length, byWidth, cells: read.length, slowedCells: slowed.length, slowBand: CANARY_SLOW_BAND, maxSlowdown };
}
