/**
 * The gate's settings from the user: thresholds ("10%", "wallMs=5%,quality=0.01"), the --gate-config
 * file (the same keys as a run config file), budgets, alpha and the gate mode. Every error names its
 * source (the flag or the file) and shows a valid example.
 */
import { readFile } from 'node:fs/promises';
import { InputError, UsageError, errorMessage } from '../config/errors.js';
import { configSchema } from '../config/schema.js';
import type { z } from 'zod';
import { parseBudgets, type Budget } from './budgets.js';
import { DEFAULT_THRESHOLDS, type CompareOptions, type GateChoice, type Normalise, type ThresholdName, type Thresholds } from './thresholds.js';

/** Gate options as the flags deliver them (already parsed), or a config file's gate keys once parsed. */
export interface GateCliOptions {
  /** --baseline: a baseline name (under <out>/baselines/) or a results.json path. */
  baseline?: string;
  /** --save-baseline: name or path to store this run's results as a baseline. */
  saveBaseline?: string;
  assert?: Budget[];
  threshold?: Partial<Thresholds>;
  alpha?: number;
  gate?: GateChoice;
  /** --gate-config: JSON file with assert / threshold / alpha / gate. */
  gateConfig?: string;
  /** --normalise: judge times divided by the canary's change ('canary') or raw ('none', default). */
  normalise?: Normalise;
  /** --no-confirm (false): skip the confirm step's re-run of regressed cells in `run --baseline`. */
  confirm?: boolean;
}


const THRESHOLD_KEYS: Record<string, ThresholdName> = {
  wallMs: 'wallMs',
  time: 'wallMs',
  rss: 'peakRssBytes',
  memory: 'peakRssBytes',
  peakRssBytes: 'peakRssBytes',
  quality: 'quality',
  exponent: 'exponent',
  efficiency: 'efficiency',
  uslPeak: 'uslPeak',
  'usl.peak': 'uslPeak',
  canary: 'canary',
};

/** Metrics whose threshold is an absolute difference in their own unit, not a relative change. */
const ABSOLUTE: ReadonlySet<ThresholdName> = new Set(['quality', 'exponent']);

export const THRESHOLD_HELP = 'e.g. --threshold 5% (times and memory) or --threshold wallMs=5%,rss=20%,quality=0.01,exponent=0.1,efficiency=10%,uslPeak=25%,canary=25%';

function thresholdValue(text: string, key: ThresholdName, source: string): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const absolute = ABSOLUTE.has(key);
  if (percent && key === 'exponent') {
    throw new UsageError(`${source}: "${text}": the exponent band is an absolute difference of the exponent (0.1 means 1.0 -> 1.1), not a percentage; write e.g. exponent=0.1.`);
  }
  const value = Number(percent ? trimmed.slice(0, -1) : trimmed) / (percent ? 100 : 1);
  const max = key === 'quality' ? 1 : 10;
  if (trimmed === '' || !Number.isFinite(value) || value < 0 || value > max) {
    const range = absolute ? `a number from 0 to ${max}` : `a fraction or a percentage from 0 to ${max * 100}%`;
    throw new UsageError(`${source}: "${text}" is not a threshold for ${key}; give ${range} (${THRESHOLD_HELP}).`);
  }
  if (!percent && !absolute && value > 1) {
    throw new UsageError(`${source}: "${text}" would be a ${value * 100}% noise band; write ${text}% for ${text} percent, or a fraction such as 0.1.`);
  }
  return value;
}

/** "10%" (times and memory) or "wallMs=5%,quality=0.01"; merged into `previous` (the flag may repeat). */
export function parseThresholds(text: string, previous: Partial<Thresholds> = {}, source = '--threshold'): Partial<Thresholds> {
  const out: Partial<Thresholds> = { ...previous };
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      out.wallMs = thresholdValue(part, 'wallMs', source);
      out.peakRssBytes = out.wallMs;
      continue;
    }
    const name = part.slice(0, eq).trim();
    const key = THRESHOLD_KEYS[name];
    if (!key) throw new UsageError(`${source}: unknown metric "${name}"; choose from ${Object.keys(THRESHOLD_KEYS).join(', ')} (${THRESHOLD_HELP}).`);
    out[key] = thresholdValue(part.slice(eq + 1), key, source);
  }
  return out;
}

/** The gate's settings as JSON: the --gate-config file, or the same keys in a run config file. */
export const gateConfigSchema = configSchema.pick({ assert: true, threshold: true, alpha: true, gate: true, normalise: true, confirm: true });

export type GateConfig = z.infer<typeof gateConfigSchema>;

export interface GateSettings {
  budgets: Budget[];
  compareOptions: CompareOptions;
  /** Whether `run --baseline` re-runs regressed cells before failing (default true). */
  confirm: boolean;
}

/**
 * Validated gate JSON -> parsed options; `source` (a file name) prefixes every error so the user knows
 * where the bad budget or threshold is. Exported so a run config file can carry the same keys.
 */
export function gateOptionsFromConfig(config: GateConfig, source: string): Pick<GateCliOptions, 'assert' | 'threshold' | 'alpha' | 'gate' | 'normalise' | 'confirm'> {
  let threshold: Partial<Thresholds> = {};
  if (typeof config.threshold === 'string' || typeof config.threshold === 'number') threshold = parseThresholds(String(config.threshold), {}, `${source}: threshold`);
  else if (config.threshold) {
    for (const [key, value] of Object.entries(config.threshold)) threshold = parseThresholds(`${key}=${value}`, threshold, `${source}: threshold`);
  }
  return {
    assert: parseBudgets(config.assert ?? [], `${source}: assert`),
    threshold,
    ...(config.alpha !== undefined ? { alpha: config.alpha } : {}),
    ...(config.gate !== undefined ? { gate: config.gate } : {}),
    ...(config.normalise !== undefined ? { normalise: config.normalise } : {}),
    ...(config.confirm !== undefined ? { confirm: config.confirm } : {}),
  };
}

async function readGateConfig(file: string): Promise<Pick<GateCliOptions, 'assert' | 'threshold' | 'alpha' | 'gate' | 'normalise' | 'confirm'>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? 'no such file (given to --gate-config).' : `is not valid JSON: ${errorMessage(error)}`);
  }
  const parsed = gateConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      file,
      `is not a gate config: ${issue ? `${issue.path.join('.') || '(top level)'}: ${issue.message}` : 'unexpected shape'}. Expected e.g. {"assert": ["mlp-deep.exponent<=1.1"], "threshold": {"wallMs": "5%"}, "alpha": 0.05, "gate": "auto", "normalise": "none", "confirm": true}.`,
    );
  }
  return gateOptionsFromConfig(parsed.data, file);
}

export async function resolveGateSettings(options: GateCliOptions): Promise<GateSettings> {
  const file = options.gateConfig ? await readGateConfig(options.gateConfig) : {};
  return {
    budgets: [...(file.assert ?? []), ...(options.assert ?? [])],
    compareOptions: {
      thresholds: { ...DEFAULT_THRESHOLDS, ...file.threshold, ...options.threshold },
      alpha: options.alpha ?? file.alpha ?? 0.05,
      gate: options.gate ?? file.gate ?? 'auto',
      normalise: options.normalise ?? file.normalise ?? 'none',
    },
    confirm: options.confirm ?? file.confirm ?? true,
  };
}
