/** Data-parallel mode: w workers train ONE model with synchronous gradient averaging (strong or weak scaling). */
import { SCALINGS } from '../../config/names.js';
import { UsageError } from '../../config/errors.js';
import type { ModeDefinition } from '../types.js';
import { dataParallelCellAnalysis } from './analysis.js';
import { runDataParallelCell } from './host.js';

export const dataParallel: ModeDefinition = {
  name: 'data-parallel',
  flags: [{ key: 'scaling', flag: '--scaling' }],
  defaultSizes: (profileSizes) => [...profileSizes],
  checkOptions(options) {
    if (options.scaling !== undefined && !SCALINGS.includes(options.scaling)) {
      throw new UsageError(`--scaling: "${String(options.scaling)}" is not one of ${SCALINGS.join(', ')}`);
    }
  },
  cellVariants: (options) => [{ scaling: options.scaling ?? 'strong' }],
  planFields: () => ({}),
  variant: (cell) => (cell.scaling ? `|${cell.scaling}` : ''),
  // The ranks share one job; under weak scaling each rank trains a full batch per step.
  trialCostUs: (cell, _plan, usPerPass) => usPerPass * (cell.scaling === 'weak' ? cell.workers : 1),
  analyseCell: (okTrials) => ({ dataParallel: dataParallelCellAnalysis(okTrials) }),
  runCell: (ctx, job, onTrial) => runDataParallelCell(ctx, job, onTrial),
};
