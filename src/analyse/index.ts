/**
 * RunResult -> Analysis: per-cell statistics and the fitted scaling laws, as pure data.
 * Only repetitions with state 'ok' feed the statistics. Anything that cannot be computed
 * (too few points, no width 1, no calibration) is null or says why, never NaN.
 */
import type { Analysis } from './schema.js';
import type { RunResult } from '../results/schema.js';
import { inferenceSweeps } from '../modes/inference/analysis.js';
import { ANALYSE_DEFAULTS, type AnalyseOptions } from './common.js';
import { analyseCell, calibrationWarnings, cellWarnings, coresOf, machineOf } from './cells.js';
import { sizeScaling } from './size-laws.js';
import { widthScaling } from './width-laws.js';
import { complexityScaling } from './complexity.js';
import { qualityFlags } from './quality.js';
import { cellQualityFields } from './training.js';
import { learningCurves } from './learning-curves.js';
import { timeToTargetScaling } from './time-to-target.js';
import { machineSpeed } from './canary.js';

export { CANARY_SLOW_BAND, machineSpeed } from './canary.js';
export { ANALYSE_DEFAULTS, complexityScalingKey, sizeScalingKey, widthScalingKey, type AnalyseOptions } from './common.js';

/** Analyses a run: per-cell statistics, the size, width and model-complexity laws, quality flags and warnings. */
export function analyse(result: RunResult, options: AnalyseOptions = {}): Analysis {
  const opts: Required<AnalyseOptions> = {
    qualityTolerance: options.qualityTolerance ?? ANALYSE_DEFAULTS.qualityTolerance,
    noisyThreshold: options.noisyThreshold ?? ANALYSE_DEFAULTS.noisyThreshold,
    minRepetitions: options.minRepetitions ?? ANALYSE_DEFAULTS.minRepetitions,
    confidenceLevel: options.confidenceLevel ?? ANALYSE_DEFAULTS.confidenceLevel,
  };
  const cells = result.cells.map((cellResult) => {
    const env = machineOf(result, cellResult.machineId);
    return analyseCell(cellResult, env, coresOf(result, env), opts.confidenceLevel);
  });
  const warnings = cellWarnings(cells, result.cells, opts);
  cells.forEach((c, i) => Object.assign(c.analysis, cellQualityFields(result.cells[i]!, result.plan, c.analysis.quality, opts.confidenceLevel, warnings)));
  const sizes = sizeScaling(cells, opts.confidenceLevel, warnings);
  const widths = widthScaling(cells, warnings);
  const complexity = complexityScaling(cells, opts.confidenceLevel);
  const flags = qualityFlags(cells, opts.qualityTolerance, warnings);
  const curves = learningCurves(result.cells, cells.map((c) => c.analysis), result.plan, opts.confidenceLevel, warnings);
  const timeToTarget = timeToTargetScaling(cells.map((c) => c.analysis));
  warnings.push(...calibrationWarnings(cells));
  return {
    runId: result.runId,
    backend: result.environment.backend,
    environment: result.environment,
    cells: cells.map((c) => c.analysis),
    sizeScaling: sizes,
    widthScaling: widths,
    complexityScaling: complexity,
    qualityFlags: flags,
    warnings,
    ...(cells.some((c) => c.analysis.cell.mode === 'inference') ? { inference: inferenceSweeps(cells.map((c) => c.analysis)) } : {}),
    ...(timeToTarget.length > 0 ? { timeToTargetScaling: timeToTarget } : {}),
    ...(result.plan.convergence ? { learningCurves: curves } : {}),
    ...withMachineSpeed(result),
  };
}

function withMachineSpeed(result: RunResult): Pick<Analysis, 'machineSpeed'> {
  const speed = machineSpeed(result);
  return speed ? { machineSpeed: speed } : {};
}
