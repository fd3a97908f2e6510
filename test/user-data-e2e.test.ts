/**
 * The user's own data and models through the built CLI (run `npm run build` first): a real tfjs sweep
 * on the iris fixture with the example model module, suites and config files, and every input error
 * exiting 2 with one line that names the file, the line or column, and the fix.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseRunResult } from '../src/results/file.js';
import type { RunResult } from '../src/results/schema.js';

const IRIS = resolve('fixtures/data/iris.csv');
const TINY = resolve('fixtures/models/tiny-mlp.js');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sb-user-'));
}

function csv(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A CSV with `rows` rows of x1, x2 and a two-class label. */
function table(rows: number): string {
  return `x1,x2,label\n${Array.from({ length: rows }, (_, i) => `${i},${(i * 7) % 5},${i % 2 === 0 ? 'even' : 'odd'}`).join('\n')}\n`;
}

describe('a real sweep on your own data and model', () => {
  it('trains the built-in and custom (.js and .ts) models on iris.csv at every size', async () => {
    const dir = tempDir();
    const tsModel = join(dir, 'linear-head.ts');
    writeFileSync(
      tsModel,
      `type Input = { tf: any; inputShape: [number]; outputUnits: number; seed: number };
       export default function createModel({ tf, inputShape, outputUnits, seed }: Input) {
         const model = tf.sequential();
         model.add(tf.layers.dense({ units: outputUnits, inputShape, kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
         return model;
       }`,
    );
    const out = join(dir, 'out');
    const { code, stdout, stderr } = await runCli([
      'run', '--data', IRIS, '--target', 'species', '--models', 'logistic', '--model', TINY, '--model', tsModel,
      '--sizes', '20,40,80', '--workers', '1', '--repeats', '2', '--warmup', '0', '--epochs', '5', '--batch-size', '16',
      '--out', out, '--report', 'json,csv,markdown,html', '--json',
    ]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/task: classification with 3 classes \(setosa, versicolor, virginica\), inferred/);
    expect(stderr).toMatch(/custom:tiny-mlp\.js on iris\.csv: 67 parameters/);
    const parsed = JSON.parse(stdout) as { result: unknown; reportDir: string };
    const result: RunResult = parseRunResult(parsed.result, 'stdout');
    expect(result.environment.runner).toBe('tfjs');
    expect(result.complete).toBe(true);
    expect(result.plan.datasets.map((spec) => [spec.name, spec.generator, spec.task, spec.features, spec.classes])).toEqual([['iris.csv', 'file', 'classification', 4, 3]]);
    expect(result.cells).toHaveLength(3 * 3);
    const byModel = (model: string) => result.cells.filter((cell) => cell.cell.model === model);
    for (const cell of result.cells) {
      expect(cell.cell.dataset).toBe('iris.csv');
      expect(cell.trials).toHaveLength(2);
      for (const trial of cell.trials) {
        expect(trial.state, trial.error).toBe('ok');
        expect(trial.quality.metric).toBe('accuracy');
        expect(trial.quality.value).toBeGreaterThanOrEqual(0);
        expect(trial.quality.value).toBeLessThanOrEqual(1);
        // 5 epochs over the training rows, one replica.
        expect(trial.samples).toBe(5 * cell.cell.size);
      }
    }
    // Sizes and FLOPs counted like the built-in models': 4*8+8 + 8*3+3 = 67 parameters, 131 forward FLOPs.
    expect(byModel('custom:tiny-mlp.js')[0]!.model).toEqual({ name: 'custom:tiny-mlp.js', params: 67, forwardFlopsPerSample: 131, trainFlopsPerSample: 393 });
    expect(byModel('custom:linear-head.ts')[0]!.model.params).toBe(15);
    expect(byModel('logistic')[0]!.model.params).toBe(15);
    // Every model sees the same rows at a size; each size is a different subsample.
    for (const size of [20, 40, 80]) {
      const checksums = new Set(result.cells.filter((cell) => cell.cell.size === size).map((cell) => cell.dataChecksum));
      expect(checksums.size).toBe(1);
    }
    expect(new Set(byModel('logistic').map((cell) => cell.dataChecksum)).size).toBe(3);
    // Same seed, same initial weights at every size.
    expect(new Set(byModel('custom:tiny-mlp.js').map((cell) => cell.initialWeightsChecksum)).size).toBe(1);
    const csvReport = readFileSync(join(parsed.reportDir, 'cells.csv'), 'utf8');
    expect(csvReport).toMatch(/custom:tiny-mlp\.js,iris\.csv,20,/);
    expect(readFileSync(join(parsed.reportDir, 'summary.md'), 'utf8')).toContain('iris.csv');
  });
});

describe('suites and config files', () => {
  it('runs a built-in suite by name, with flags overriding it', async () => {
    const out = tempDir();
    const { code, stdout, stderr } = await runCli(['run', 'iris', '--runner', 'fake', '--repeats', '1', '--workers', '1', '--out', out, '--json', '--report', 'json']);
    expect(code, stderr).toBe(0);
    const result = parseRunResult((JSON.parse(stdout) as { result: unknown }).result, 'stdout');
    expect(result.plan.repeats).toBe(1);
    expect(result.plan.training.epochs).toBe(20);
    expect(result.cells.map((cell) => cell.cell.id).slice(0, 3)).toEqual([
      'logistic|iris.csv|n=30|w=1|job-parallel',
      'logistic|iris.csv|n=60|w=1|job-parallel',
      'logistic|iris.csv|n=120|w=1|job-parallel',
    ]);
    expect(new Set(result.cells.map((cell) => cell.cell.model))).toEqual(new Set(['logistic', 'mlp-small', 'custom:tiny-mlp.js']));
  });

  it('picks up scale-bench.config.json in the working directory', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'scale-bench.config.json'), JSON.stringify({ data: { path: IRIS, target: 'petal_width', task: 'regression' }, sizes: [20, 40], workers: [1], repeats: 1, report: ['json'] }));
    const { code, stdout, stderr } = await runCli(['run', '--runner', 'fake', '--sizes', '50', '--json'], { cwd });
    expect(code, stderr).toBe(0);
    const raw = JSON.parse(stdout) as { result: RunResult };
    const result = parseRunResult(raw.result, 'stdout');
    expect(result.cells.map((cell) => cell.cell.id)).toEqual(['linear|iris.csv|n=50|w=1|job-parallel', 'mlp-small|iris.csv|n=50|w=1|job-parallel', 'mlp-deep|iris.csv|n=50|w=1|job-parallel']);
    expect(raw.result.plan.datasets[0]!.source?.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'species=setosa', 'species=versicolor', 'species=virginica']);
    expect(result.cells[0]!.trials[0]!.quality.metric).toBe('r2');
    expect((JSON.parse(stdout) as { reportDir: string }).reportDir.startsWith(join(cwd, 'reports'))).toBe(true);
  });

  it('lists the suites', async () => {
    const { code, stdout } = await runCli(['list']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/suite/);
    for (const name of ['quick', 'default', 'iris']) expect(stdout).toContain(`benchmarks/${name}.json`);
  });
});

describe('names from files', () => {
  it('names the data set by its file name in results and reports, escaped', async () => {
    const dir = tempDir();
    const name = 'we<ird> & "name".csv';
    const path = csv(dir, name, table(40));
    const { code, stdout, stderr } = await runCli(['run', '--runner', 'fake', '--data', path, '--target', 'label', '--models', 'logistic', '--sizes', '10,20', '--workers', '1', '--repeats', '1', '--out', join(dir, 'out'), '--report', 'html,markdown,csv,json', '--json']);
    expect(code, stderr).toBe(0);
    const { result, reportDir } = JSON.parse(stdout) as { result: RunResult; reportDir: string };
    expect(result.cells[0]!.cell.dataset).toBe(name);
    expect(result.plan.datasets[0]!.path).toBe(path);
    const html = readFileSync(join(reportDir, 'report.html'), 'utf8');
    expect(html).toContain('we&lt;ird&gt; &amp; &quot;name&quot;.csv');
    expect(html).not.toContain('we<ird>');
    const markdown = readFileSync(join(reportDir, 'summary.md'), 'utf8');
    expect(markdown).not.toContain('<ird>');
    const cells = readFileSync(join(reportDir, 'cells.csv'), 'utf8');
    expect(cells).toContain('"we<ird> & ""name"".csv"');
  });
});

describe('input errors exit 2 with one line naming the file, the place and the fix', () => {
  const cases: Array<{ what: string; text: string; args?: string[]; expected: RegExp[] }> = [
    {
      what: 'a missing target column',
      text: table(30),
      args: ['--target', 'species'],
      expected: [/has no column "species" \(--target\)/, /Its columns are: "x1", "x2", "label"/, /--target <column>/],
    },
    { what: 'an empty file', text: '', expected: [/is empty: expected a header line with the column names/] },
    { what: 'a header-only file', text: 'x1,x2,label\n', expected: [/has a header line but no data rows: add one line per sample below the header/] },
    {
      what: 'a text value in a numeric column',
      text: table(30).replace('\n5,0,odd\n', '\n5,zero,odd\n'),
      expected: [/line 7: column "x2" holds "zero", which is not a number/, /leave the column out with --features, or pass --on-bad-row skip/],
    },
    {
      what: 'a 10-row file asked for sizes up to 1000',
      text: table(10),
      args: ['--target', 'label', '--sizes', '10,100,1000'],
      expected: [/has 10 usable rows, too few to benchmark: the smallest size \(10\) needs 12 rows \(10 training \+ 2 held-out\)\. Use a file with more rows/],
    },
    {
      what: 'a 100-row file asked for sizes up to 1000',
      text: table(100),
      args: ['--target', 'label', '--sizes', '10,100,1000'],
      expected: [/--sizes: .* has only 100 usable rows, but size 1000 needs 1200/, /The largest size this file allows is 83: use sizes up to 83, e\.g\. --sizes 20,41,83/],
    },
  ];

  for (const { what, text, args, expected } of cases) {
    it(what, async () => {
      const dir = tempDir();
      const path = csv(dir, 'data.csv', text);
      const { code, stdout, stderr } = await runCli(['run', '--runner', 'fake', '--data', path, ...(args ?? ['--target', 'label']), '--out', join(dir, 'out')]);
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(path);
      expect(stderr).not.toMatch(/\n\s+at /);
      // Lines before the error say what was read; the error itself is one line, the last.
      const lines = stderr.trim().split('\n');
      expect(lines.filter((line) => line.startsWith('scale-bench: '))).toHaveLength(1);
      expect(lines.at(-1)).toMatch(/^scale-bench: /);
      for (const pattern of expected) expect(stderr).toMatch(pattern);
    });
  }

  it('a custom model module without a factory, and --target without --data', async () => {
    const dir = tempDir();
    const module = join(dir, 'broken.mjs');
    writeFileSync(module, 'export const layers = 3;\n');
    const broken = await runCli(['run', '--runner', 'fake', '--data', IRIS, '--target', 'species', '--model', module, '--out', join(dir, 'out')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.mjs: exports no model factory \(its exports: layers\)\. Export a function that returns a tfjs LayersModel/);
    const noData = await runCli(['run', '--runner', 'fake', '--target', 'species']);
    expect(noData.code).toBe(2);
    expect(noData.stderr).toMatch(/--target "species": to train to a quality write metric=value, .*add --data <file\.csv>/);
  });

  it('--on-bad-row skip runs on the rest and says which lines it skipped', async () => {
    const dir = tempDir();
    const path = csv(dir, 'data.csv', table(30).replace('\n5,0,odd\n', '\n5,,odd\n'));
    const { code, stderr } = await runCli(['run', '--runner', 'fake', '--data', path, '--target', 'label', '--on-bad-row', 'skip', '--models', 'logistic', '--workers', '1', '--repeats', '1', '--out', join(dir, 'out'), '--report', 'json']);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/skipped 1 of 30 rows with missing or non-numeric values \(lines 7\)/);
  });
});
