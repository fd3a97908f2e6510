/** Reading saved RunResult files: validated with zod so a bad or foreign file gets a clear message, never a crash later. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RESULT_SCHEMA_VERSION, type RunResult } from './types.js';
import { InputError, errorMessage } from './errors.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const mode = z.enum(['job-parallel', 'data-parallel', 'inference']);
const backend = z.enum(['node', 'wasm', 'cpu']);

const cell = z.object({
  id: z.string(),
  model: z.string(),
  dataset: z.string(),
  size: z.number().int().positive(),
  workers: z.number().int().positive(),
  mode,
  scaling: z.enum(['strong', 'weak']).optional(),
  batchSize: z.number().int().positive().optional(),
  concurrency: z.number().int().positive().optional(),
  rate: finite.optional(),
});

const latency = z.object({ p50: finite, p95: finite, p99: finite, max: finite, mean: finite });

/** The `plan.shard` block of one shard of a split sweep (`run --shard i/n`). */
export const shardInfoSchema = z.object({
  index: z.number().int().positive(),
  count: z.number().int().positive(),
  sweepRunId: z.string(),
  plannedCells: z.array(cell),
});

const quality = z.object({ metric: z.enum(['r2', 'accuracy']), value: finite });

const trial = z.object({
  repetition: z.number().int().nonnegative(),
  state: z.enum(['ok', 'errored', 'timeout']),
  error: z.string().optional(),
  wallMs: finite,
  samplesPerSec: finite,
  samples: finite,
  cpuMs: finite,
  peakRssBytes: finite,
  peakTensorBytes: finite,
  finalLoss: finite,
  quality,
  exchangeMs: finite.optional(),
  computeMs: finite.optional(),
  steps: z.number().int().nonnegative().optional(),
  replicaMaxDiff: finite.optional(),
  latency: latency.optional(),
  requests: z.number().int().nonnegative().optional(),
  errors: z.number().int().nonnegative().optional(),
});

const modelInfo = z.object({
  name: z.string(),
  params: finite,
  forwardFlopsPerSample: finite,
  trainFlopsPerSample: finite,
});

const environment = z.object({
  machineId: z.string(),
  cpuModel: z.string(),
  cores: z.number().int().positive(),
  totalMemoryBytes: finite,
  os: z.string(),
  arch: z.string(),
  node: z.string(),
  backend,
  tfjsVersion: z.string(),
  backendVersion: z.string(),
  wasmSimd: z.boolean().optional(),
  kernelPatches: z.array(z.string()),
  peakFlopsPerSec: finite.optional(),
  gitCommit: z.string().optional(),
  hostname: z.string().optional(),
  runner: z.enum(['tfjs', 'fake']),
});

const datasetSpec = z.object({
  name: z.string(),
  generator: z.enum(['regression', 'classification', 'blobs', 'moons', 'images', 'file']),
  task: z.enum(['regression', 'classification']),
  features: z.number().int().positive(),
  classes: z.number().int().positive(),
  imageShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]).optional(),
  path: z.string().optional(),
  labels: z.array(z.string()).optional(),
  source: z
    .object({
      target: z.string(),
      columns: z.array(z.string()),
      onBadRow: z.enum(['skip', 'fail']),
      encoding: z.enum(['one-hot', 'index']),
      rows: z.number().int().nonnegative(),
      featureNames: z.array(z.string()),
    })
    .optional(),
});

export const runResultSchema = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('scale-bench'), version: z.string() }),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  complete: z.boolean(),
  plan: z.object({
    runId: z.string(),
    cells: z.array(cell),
    datasets: z.array(datasetSpec),
    repeats: z.number().int().positive(),
    warmup: z.number().int().nonnegative(),
    seed: z.number().int(),
    backend: z.enum(['auto', 'node', 'wasm', 'cpu']),
    stockKernels: z.boolean(),
    training: z.object({ epochs: finite, batchSize: finite, learningRate: finite, testFraction: finite }),
    cellTimeoutMs: finite,
    cores: z.number().int().positive(),
    customModels: z.record(z.string(), z.string()).optional(),
    shard: shardInfoSchema.optional(),
    inference: z.object({ durationMs: finite }).optional(),
  }),
  environment,
  machines: z.record(z.string(), environment).optional(),
  cells: z.array(
    z.object({
      cell,
      model: modelInfo,
      coldStartMs: finite,
      trials: z.array(trial),
      threadsPerWorker: z.number().int().positive(),
      machineId: z.string(),
      dataChecksum: z.string().optional(),
      initialWeightsChecksum: z.string().optional(),
    }),
  ),
});

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'does not match the results format';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `field ${path}: ${issue.message}`;
}

/** Validate parsed JSON as a RunResult; `file` names the source in every message. */
export function parseRunResult(value: unknown, file: string): RunResult {
  if (typeof value !== 'object' || value === null) {
    throw new InputError(file, 'is not a scale-bench results file (expected a JSON object). Pass the results.json that `scale-bench run` wrote.');
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version !== RESULT_SCHEMA_VERSION) {
    const found = version === undefined ? 'no schemaVersion' : `schemaVersion ${JSON.stringify(version)}`;
    throw new InputError(
      file,
      `has ${found}, but this scale-bench (results format ${RESULT_SCHEMA_VERSION}) reads only version ${RESULT_SCHEMA_VERSION}. Re-run the benchmark with this version, or use the scale-bench version that wrote it.`,
    );
  }
  const parsed = runResultSchema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(file, `is not a valid scale-bench results file: ${describeIssue(parsed.error)}. Was it edited by hand or truncated? Re-run, or restore it from the run's folder.`);
  }
  return parsed.data as RunResult;
}

export async function readRunResult(file: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(file, code === 'ENOENT' ? 'no such file. Check the path (results live in reports/<run-id>/results.json).' : `cannot be read: ${errorMessage(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `is not valid JSON (${errorMessage(error)}). The file may be truncated; results are written atomically, so restore it or re-run.`);
  }
  return parseRunResult(json, file);
}
