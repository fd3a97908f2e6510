/**
 * The options of `scale-bench run`, from three layers, each overriding the one before:
 *   the config file (./scale-bench.config.* or --config)  <  the suite (`run <suite>`)  <  flags.
 * Only flags the user typed count: commander's defaults must not hide a value from a file.
 */
import { resolve } from 'node:path';
import { UsageError } from '../config/errors.js';
import { looksLikeQualityTarget, parseQualityTargets } from '../config/parse.js';
import { findConfigFile, loadConfigFile, resolveSuite, type LoadedConfig } from '../config/file.js';
import { gateOptionsFromConfig } from '../gate/settings.js';
import type { DataFileOptions } from '../data/load.js';
import { isModulePath } from '../models/custom.js';
import { checkReportFormats, REPORTER_NAMES } from '../report/index.js';
import type { RunCommandOptions } from './run.js';

export interface RunArguments {
  /** The `run [suite]` argument: a suite file or a built-in suite name. */
  suite?: string;
  /** Options the user gave on the command line (see givenOptions), as commander named them. */
  flags: Record<string, unknown>;
  /** Folder relative paths on the command line resolve against, and where the config file is looked for. */
  cwd: string;
  /** Where deprecation warnings go (the CLI prints them on stderr). */
  warn?: (message: string) => void;
}

/**
 * `--batch-sizes` / `batchSizes` were the first names of the inference rows per request, one letter
 * from the training `--batch-size`: still read, under the new name, with a warning.
 */
function renamedRequestRows(oldValue: unknown, newValue: unknown, names: { old: string; new: string }, warn: (message: string) => void): { requestRows?: number[] } {
  if (oldValue === undefined) return {};
  if (newValue !== undefined) throw new UsageError(`${names.old} and ${names.new} are the same setting (rows per inference request): give ${names.new} only`);
  warn(`${names.old} is deprecated; use ${names.new} (rows per inference request; the training mini-batch is --batch-size)`);
  return { requestRows: oldValue as number[] };
}

/** The options commander parsed minus those that only hold their default value. */
export function givenOptions(options: Record<string, unknown>, source: (key: string) => string | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key, value]) => value !== undefined && source(key) !== 'default'));
}

type Layer = Partial<Omit<RunCommandOptions, 'data'>> & { data?: Partial<DataFileOptions> };

/** Built-in model names stay in `models`; paths become custom model modules, resolved against `dir`. */
function splitModels(entries: readonly string[], dir: string): { models: string[]; customModels: string[] } {
  return {
    models: entries.filter((entry) => !isModulePath(entry)),
    customModels: entries.filter(isModulePath).map((entry) => resolve(dir, entry)),
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function fromFile(loaded: LoadedConfig, warn: (message: string) => void): Layer {
  const { name: _name, description: _description, $schema: _schema, holdout, report, data, models, assert, threshold, alpha, gate, batchSizes, targets, ...rest } =
    loaded.config;
  const renamed = renamedRequestRows(batchSizes, rest.requestRows, { old: `${loaded.path}: "batchSizes"`, new: '"requestRows"' }, warn);
  const gateSettings =
    assert || threshold !== undefined || alpha !== undefined || gate
      ? gateOptionsFromConfig(withoutUndefined({ assert, threshold, alpha, gate }), loaded.path)
      : {};
  return withoutUndefined({
    ...rest,
    ...renamed,
    ...gateSettings,
    testFraction: holdout,
    targets: targets ? parseQualityTargets(targets, `${loaded.path}: targets`) : undefined,
    formats: report ? checkReportFormats(report, `${loaded.path}: report`) : undefined,
    data: data ? { ...data, path: resolve(loaded.dir, data.path) } : undefined,
    ...(models ? splitModels(models, loaded.dir) : {}),
  });
}

function fromFlags(flags: Record<string, unknown>, cwd: string, warn: (message: string) => void): Layer {
  const { holdout, report, data, target, task, features, onBadRow, model, models, config: _config, batchSizes, ...rest } = flags;
  const renamed = renamedRequestRows(batchSizes, rest.requestRows, { old: '--batch-sizes', new: '--request-rows' }, warn);
  // --target is two things told apart by their shape: "accuracy=0.85" is a quality to train to, a bare name a data file's column.
  const targetValues = typeof target === 'string' ? [target] : ((target as string[] | undefined) ?? []);
  const columns = targetValues.filter((text) => !looksLikeQualityTarget(text));
  if (columns.length > 1) {
    throw new UsageError(`--target: ${columns.map((c) => `"${c}"`).join(', ')} are all column names; name the column to predict once (a quality to train to is written metric=value, e.g. accuracy=0.85)`);
  }
  const qualityTexts = targetValues.filter(looksLikeQualityTarget);
  const dataFlags = withoutUndefined({
    path: typeof data === 'string' ? resolve(cwd, data) : undefined,
    target: columns[0],
    task: task as DataFileOptions['task'],
    features: features as string[] | undefined,
    onBadRow: onBadRow as DataFileOptions['onBadRow'],
  });
  const fromModels = models ? splitModels(models as string[], cwd) : undefined;
  const custom = (model as string[] | undefined)?.map((path) => resolve(cwd, path));
  const modelChoice =
    fromModels || custom
      ? { models: fromModels?.models ?? [], customModels: [...(fromModels?.customModels ?? []), ...(custom ?? [])] }
      : {};
  return withoutUndefined({
    ...(rest as Layer),
    ...renamed,
    testFraction: holdout as number | undefined,
    targets: qualityTexts.length > 0 ? parseQualityTargets(qualityTexts, '--target') : undefined,
    formats: report as RunCommandOptions['formats'] | undefined,
    data: Object.keys(dataFlags).length > 0 ? dataFlags : undefined,
    ...modelChoice,
  });
}

/** Later layers win field by field; the data file's fields merge one by one; the model choice is taken whole. */
export function mergeLayers(layers: readonly Layer[]): RunCommandOptions {
  const merged: Omit<Layer, 'data'> = {};
  let data: Partial<DataFileOptions> | undefined;
  for (const layer of layers) {
    const { data: layerData, models, customModels, ...rest } = layer;
    Object.assign(merged, rest);
    if (layerData) data = { ...data, ...layerData };
    if (models !== undefined || customModels !== undefined) {
      // "--models linear" on the command line replaces the file's whole model list, custom modules included.
      delete merged.models;
      delete merged.customModels;
      if (models !== undefined && models.length > 0) merged.models = models;
      if (customModels !== undefined && customModels.length > 0) merged.customModels = customModels;
      if (merged.models === undefined && merged.customModels === undefined) merged.models = [];
    }
  }
  const options: RunCommandOptions = { ...merged, formats: merged.formats ?? REPORTER_NAMES };
  if (data) {
    if (data.path === undefined && data.target !== undefined && Object.keys(data).length === 1) {
      throw new UsageError(
        `--target "${data.target}": to train to a quality write metric=value, e.g. --target accuracy=0.85 or --target r2=0.9; to predict a column of your own file add --data <file.csv>`,
      );
    }
    if (data.path === undefined) {
      const given = (['target', 'task', 'features', 'onBadRow'] as const).filter((key) => data?.[key] !== undefined);
      const flags = given.map((key) => (key === 'onBadRow' ? '--on-bad-row' : `--${key}`)).join(', ');
      throw new UsageError(`${flags}: ${given.length === 1 ? 'it applies' : 'they apply'} to a data file; add --data <file.csv>`);
    }
    if (data.target === undefined) {
      throw new UsageError(`--data: say which column of ${data.path} to predict with --target <column>`);
    }
    options.data = data as DataFileOptions;
  }
  return options;
}

/** The run options from the config file, the suite and the flags (in that order of precedence, lowest first). */
export async function resolveRunOptions(args: RunArguments): Promise<RunCommandOptions> {
  const { flags, cwd } = args;
  const warn = args.warn ?? (() => undefined);
  const layers: Layer[] = [];
  const configPath = typeof flags.config === 'string' ? resolve(cwd, flags.config) : findConfigFile(cwd);
  if (configPath) layers.push(fromFile(await loadConfigFile(configPath, typeof flags.config === 'string' ? flags.config : configPath), warn));
  if (args.suite !== undefined) layers.push(fromFile(await loadConfigFile(resolveSuite(args.suite, cwd), args.suite), warn));
  layers.push(fromFlags(flags, cwd, warn));
  return mergeLayers(layers);
}
