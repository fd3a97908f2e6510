/**
 * The modes, registered by name (the `--mode` word): adding a mode is a folder beside these and one
 * line here (plus its word in the results schema's mode enum, src/config/names.ts).
 */
import { UsageError } from '../config/errors.js';
import type { Cell, Mode } from '../results/schema.js';
import type { CellVariant, ModeDefinition, ModeOptions } from './types.js';
import { jobParallel } from './job-parallel/index.js';
import { dataParallel } from './data-parallel/index.js';
import { inference } from './inference/index.js';

export type { CellVariant, ModeContext, ModeDefinition, ModeOptions } from './types.js';

export const modes = { 'job-parallel': jobParallel, 'data-parallel': dataParallel, inference } satisfies Record<Mode, ModeDefinition>;

export function modeOf(mode: Mode): ModeDefinition {
  return modes[mode];
}

/**
 * The part of a cell's id beyond model, data set, size, width and mode: the data-parallel scaling,
 * or the inference batch size and load level. Empty for job-parallel cells.
 */
export function modeVariant(cell: Pick<Cell, 'mode'> & CellVariant): string {
  return modes[cell.mode].variant(cell);
}

/** Sizes when --sizes is not given. */
export function modeDefaultSizes(mode: Mode, profileSizes: readonly number[]): number[] {
  return modes[mode].defaultSizes(profileSizes);
}

/** Rejects mode flags given to a mode they do not apply to, and values out of range; messages name the flag. */
export function checkModeOptions(mode: Mode, options: ModeOptions): void {
  for (const other of Object.values(modes) as ModeDefinition[]) {
    if (other.name === mode) continue;
    for (const { key, flag } of other.flags) {
      if (options[key] !== undefined) throw new UsageError(`${flag} applies to --mode ${other.name} only; add --mode ${other.name} or drop ${flag}`);
    }
  }
  modes[mode].checkOptions(options);
}

/** The mode fields each (model, size, width) point of the sweep expands into: one cell per entry. */
export function modeCellFields(mode: Mode, options: ModeOptions): CellVariant[] {
  return modes[mode].cellVariants(options);
}

/** Plan-wide settings of the mode. */
export function modePlanFields(mode: Mode, options: ModeOptions): ReturnType<ModeDefinition['planFields']> {
  return modes[mode].planFields(options);
}

/** What tells cells of one sweep apart beyond size and width: " data-parallel strong", " inference b=32 c=4". */
export function cellVariantLabel(cell: Cell): string {
  if (cell.mode === 'job-parallel') return '';
  return ` ${cell.mode}${modeVariant(cell).replace(/\|/g, ' ')}`;
}
