/**
 * How fast the dataset generators fill shared memory: values (x entries) generated per second.
 * Run: npx tsx benchmarks/datagen.ts [rows]
 */
import { pathToFileURL } from 'node:url';
import { GENERATORS, generate } from '../src/data/generators/index.js';
import type { GeneratorName } from '../src/results/schema.js';

export interface GeneratorSpeed {
  generator: GeneratorName;
  rows: number;
  features: number;
  /** Best (shortest) of the timed repetitions, in milliseconds. */
  bestMs: number;
  /** x values generated per second in the best repetition (wall clock). */
  valuesPerSec: number;
  /**
   * x values per second of process CPU time in the best repetition. Generation is single-threaded,
   * so on an idle machine this matches valuesPerSec; on a busy one it shows what the code itself does.
   */
  cpuValuesPerSec: number;
}

export interface DatagenBenchResult {
  /** x values per second of the slowest 32-feature generator (regression, classification): the headline number. */
  valuesPerSec: number;
  /** Rows per dataset. */
  rows: number;
  generators: GeneratorSpeed[];
}

export interface DatagenBenchOptions {
  /** Rows per dataset (default 1,000,000). */
  rows?: number;
  /** Timed repetitions per generator; the best is kept (default 3). */
  repeats?: number;
  /** Generators to time (default all). */
  generators?: GeneratorName[];
}

function timeGenerator(name: GeneratorName, rows: number, repeats: number): GeneratorSpeed {
  const spec = GENERATORS[name].defaultSpec;
  // One untimed small run lets V8 optimise the row loop before the clock starts.
  generate(spec, Math.min(rows, 20_000), 1);
  let bestMs = Infinity;
  let bestCpuMs = Infinity;
  for (let rep = 0; rep < repeats; rep++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    const table = generate(spec, rows, rep + 1);
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    if (table.x.length !== rows * spec.features) throw new Error(`${name}: wrong table size`);
    bestMs = Math.min(bestMs, ms);
    bestCpuMs = Math.min(bestCpuMs, (cpu.user + cpu.system) / 1000);
  }
  const values = rows * spec.features;
  return {
    generator: name,
    rows,
    features: spec.features,
    bestMs,
    valuesPerSec: values / (bestMs / 1000),
    cpuValuesPerSec: values / (Math.max(bestCpuMs, 1e-3) / 1000),
  };
}

export async function runDatagenBench(options: DatagenBenchOptions = {}): Promise<DatagenBenchResult> {
  const rows = options.rows ?? 1_000_000;
  const repeats = options.repeats ?? 3;
  const names = options.generators ?? (Object.keys(GENERATORS) as GeneratorName[]);
  const generators = names.map((name) => timeGenerator(name, rows, repeats));
  const headline = generators.filter((g) => g.features === 32);
  const pool = headline.length > 0 ? headline : generators;
  return { valuesPerSec: Math.min(...pool.map((g) => g.valuesPerSec)), rows, generators };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = process.argv[2] !== undefined ? Number(process.argv[2]) : undefined;
  const result = await runDatagenBench(rows !== undefined ? { rows } : {});
  for (const g of result.generators) {
    console.log(
      `${g.generator.padEnd(15)} ${g.rows} x ${String(g.features).padEnd(3)} ${g.bestMs.toFixed(0).padStart(6)} ms  ` +
        `${(g.valuesPerSec / 1e6).toFixed(1).padStart(6)} M values/s  (${(g.cpuValuesPerSec / 1e6).toFixed(1)} M per CPU-second)`,
    );
  }
  console.log(`headline (slowest 32-feature generator): ${(result.valuesPerSec / 1e6).toFixed(1)} M values/s (target >= 50)`);
}
