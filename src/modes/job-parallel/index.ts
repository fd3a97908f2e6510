/** Job-parallel mode (the default): each of w workers trains its own replica on the shared dataset; aggregate samples/s. */
import type { ModeDefinition } from '../types.js';
import { runJobParallelCell } from './host.js';

export const jobParallel: ModeDefinition = {
  name: 'job-parallel',
  flags: [],
  defaultSizes: (profileSizes) => [...profileSizes],
  checkOptions: () => {},
  cellVariants: () => [{}],
  planFields: () => ({}),
  variant: () => '',
  // Every worker trains the whole set.
  trialCostUs: (cell, _plan, usPerPass) => usPerPass * cell.workers,
  analyseCell: () => ({}),
  runCell: (ctx, job, onTrial) => runJobParallelCell(ctx, job, onTrial),
};
