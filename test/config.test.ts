/** Config files and suites: validation, discovery, loading (.json/.js/.ts), and the flag > suite > file precedence. */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtinSuiteDir, defineConfig, findConfigFile, listSuites, loadConfigFile, parseConfig, resolveSuite } from '../src/config/file.js';
import { givenOptions, mergeLayers, resolveRunOptions } from '../src/cli/run-options.js';
import { PROFILES } from '../src/config/defaults.js';
import { REPORTER_NAMES } from '../src/report/index.js';
import * as publicApi from '../src/index.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sb-config-'));
}

const FIXTURES = resolve('fixtures');

describe('parseConfig', () => {
  it('accepts every documented field and reads counts like "4k"', () => {
    const config = parseConfig(
      {
        name: 'mine',
        sizes: ['1k', 4000, '1.5k'],
        models: ['mlp-small', './m.js'],
        workers: [1, 2],
        repeats: 3,
        holdout: 0.25,
        report: ['html'],
        data: { path: 'd.csv', target: 'y', onBadRow: 'skip', encoding: 'index', features: ['a'] },
      },
      'c.json',
    );
    expect(config.sizes).toEqual([1000, 4000, 1500]);
    expect(config.data).toEqual({ path: 'd.csv', target: 'y', onBadRow: 'skip', encoding: 'index', features: ['a'] });
  });

  it('names the file and the field on every error, typos included', () => {
    expect(() => parseConfig({ size: [1] }, 'c.json')).toThrow(/^c\.json: is not a valid scale-bench config: .*"size"/);
    expect(() => parseConfig({ repeats: 0 }, 'c.json')).toThrow(/c\.json: .*repeats: /);
    expect(() => parseConfig({ holdout: 1 }, 'c.json')).toThrow(/holdout/);
    expect(() => parseConfig({ data: { path: 'x.csv' } }, 'c.json')).toThrow(/data\.target/);
    expect(() => parseConfig({ sizes: ['ten'] }, 'c.json')).toThrow(/c\.json: sizes: "ten" is not a count.*\(in "sizes"\)/);
    expect(() => parseConfig([1], 'c.json')).toThrow(/c\.json: must hold a config object.*not an array/);
  });

  it('defineConfig is exported from the package entry and returns its argument', () => {
    const config = { sizes: [100] };
    expect(defineConfig(config)).toBe(config);
    expect(publicApi.defineConfig).toBe(defineConfig);
  });
});

describe('config files', () => {
  it('finds scale-bench.config.* in a folder, and refuses two of them', () => {
    const dir = tempDir();
    expect(findConfigFile(dir)).toBeUndefined();
    writeFileSync(join(dir, 'scale-bench.config.json'), '{}');
    expect(findConfigFile(dir)).toBe(join(dir, 'scale-bench.config.json'));
    writeFileSync(join(dir, 'scale-bench.config.js'), 'export default {}');
    expect(() => findConfigFile(dir)).toThrow(/found scale-bench\.config\.js and scale-bench\.config\.json.*keep one config file, or choose one with --config/);
  });

  it('loads .json, .js (object or function) and .ts files', async () => {
    const dir = tempDir();
    const files = {
      'a.json': '{"repeats": 2}',
      'b.mjs': 'export default { repeats: 3 };',
      'c.js': 'export default () => ({ repeats: 4 });',
      'd.ts': 'const repeats: number = 5;\nexport default { repeats };\n',
      'e.cjs': 'module.exports = { repeats: 6 };',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
    const repeats = await Promise.all(Object.keys(files).map(async (name) => (await loadConfigFile(join(dir, name))).config.repeats));
    expect(repeats).toEqual([2, 3, 4, 5, 6]);
  });

  it('explains a file that is missing, broken, or has no default export', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.json'), '{"repeats": ');
    writeFileSync(join(dir, 'none.mjs'), 'export const x = 1;');
    writeFileSync(join(dir, 'c.yaml'), 'repeats: 1');
    await expect(loadConfigFile(join(dir, 'missing.json'), 'missing.json')).rejects.toThrow(/^missing\.json: no such file/);
    await expect(loadConfigFile(join(dir, 'bad.json'), 'bad.json')).rejects.toThrow(/^bad\.json: is not valid JSON/);
    await expect(loadConfigFile(join(dir, 'none.mjs'), 'none.mjs')).rejects.toThrow(/^none\.mjs: has no default export: end it with `export default defineConfig/);
    await expect(loadConfigFile(join(dir, 'c.yaml'), 'c.yaml')).rejects.toThrow(/^c\.yaml: is neither JSON/);
  });

  it('loads the example config, which imports defineConfig from "scale-bench" (needs npm run build)', async () => {
    const options = await resolveRunOptions({ flags: {}, cwd: join(FIXTURES, 'config') });
    expect(options.data).toEqual({ path: join(FIXTURES, 'data/iris.csv'), target: 'species' });
    expect(options.models).toEqual(['logistic']);
    expect(options.customModels).toEqual([join(FIXTURES, 'models/tiny-mlp.js')]);
    expect(options.sizes).toEqual([30, 60, 120]);
    expect(options.formats).toEqual(['html', 'json']);
  });
});

describe('flags over suite over config file', () => {
  it('keeps only the flags the user typed', () => {
    const sources: Record<string, string> = { backend: 'default', report: 'default', repeats: 'cli', runner: 'default', memoryCheck: 'default' };
    expect(givenOptions({ backend: 'auto', report: ['json'], repeats: 3, runner: 'tfjs', memoryCheck: true, quiet: undefined }, (key) => sources[key])).toEqual({ repeats: 3 });
  });

  it('layers the three, resolving each file\'s paths against its own folder', async () => {
    const project = tempDir();
    const suites = join(project, 'suites');
    mkdirSync(suites);
    writeFileSync(
      join(project, 'scale-bench.config.json'),
      JSON.stringify({ repeats: 2, seed: 7, out: 'my-reports', report: ['json'], data: { path: 'data/a.csv', target: 'y', onBadRow: 'skip' }, models: ['linear', 'models/m.js'] }),
    );
    writeFileSync(join(suites, 'small.json'), JSON.stringify({ repeats: 4, sizes: ['2k'], data: { path: '../other/b.csv', target: 'z' } }));
    const options = await resolveRunOptions({ suite: 'suites/small.json', flags: { repeats: 9, features: ['a', 'b'] }, cwd: project });
    expect(options.repeats).toBe(9);
    expect(options.seed).toBe(7);
    expect(options.sizes).toEqual([2000]);
    expect(options.out).toBe('my-reports');
    expect(options.formats).toEqual(['json']);
    expect(options.data).toEqual({ path: join(project, 'other/b.csv'), target: 'z', onBadRow: 'skip', features: ['a', 'b'] });
    expect(options.models).toEqual(['linear']);
    expect(options.customModels).toEqual([join(project, 'models/m.js')]);
  });

  it('reads inference rows per request as requestRows; the old batchSizes key and --batch-sizes still work, with a warning', async () => {
    const project = tempDir();
    writeFileSync(join(project, 'scale-bench.config.json'), JSON.stringify({ mode: 'inference', batchSizes: [1, 8] }));
    const warnings: string[] = [];
    const warn = (message: string): void => void warnings.push(message);
    const fromFile = await resolveRunOptions({ flags: {}, cwd: project, warn });
    expect(fromFile.requestRows).toEqual([1, 8]);
    expect(warnings).toEqual([expect.stringMatching(/"batchSizes" is deprecated; use "requestRows".*--batch-size/)]);
    const fromFlag = await resolveRunOptions({ flags: { batchSizes: [4] }, cwd: tempDir(), warn });
    expect(fromFlag.requestRows).toEqual([4]);
    expect(warnings[1]).toMatch(/--batch-sizes is deprecated; use --request-rows/);
    const renamed = await resolveRunOptions({ flags: { requestRows: [2] }, cwd: tempDir(), warn });
    expect(renamed.requestRows).toEqual([2]);
    expect(warnings).toHaveLength(2);
    await expect(resolveRunOptions({ flags: { batchSizes: [4], requestRows: [2] }, cwd: tempDir(), warn })).rejects.toThrow(/give --request-rows only/);
  });

  it('lets --models or --model replace the file\'s whole model choice', async () => {
    const project = tempDir();
    writeFileSync(join(project, 'scale-bench.config.json'), JSON.stringify({ models: ['linear', 'models/m.js'] }));
    const onlyBuiltin = await resolveRunOptions({ flags: { models: ['mlp-small'] }, cwd: project });
    expect(onlyBuiltin.models).toEqual(['mlp-small']);
    expect(onlyBuiltin.customModels).toBeUndefined();
    const onlyCustom = await resolveRunOptions({ flags: { model: ['x/n.js'] }, cwd: project });
    expect(onlyCustom.models).toBeUndefined();
    expect(onlyCustom.customModels).toEqual([join(project, 'x/n.js')]);
    const both = await resolveRunOptions({ flags: { models: ['linear', './k.js'], model: ['n.js'] }, cwd: project });
    expect(both.models).toEqual(['linear']);
    expect(both.customModels).toEqual([join(project, 'k.js'), join(project, 'n.js')]);
  });

  it('maps --holdout and --report, and defaults the formats', () => {
    expect(mergeLayers([{}]).formats).toEqual(REPORTER_NAMES);
    const options = mergeLayers([{ testFraction: 0.1 }, { testFraction: 0.3, formats: ['csv'] }]);
    expect(options.testFraction).toBe(0.3);
    expect(options.formats).toEqual(['csv']);
  });

  it('refuses data flags without --data, and --data without --target', async () => {
    const cwd = tempDir();
    // --target is also a quality to train to (metric=value): a bare name without --data says both readings.
    await expect(resolveRunOptions({ flags: { target: 'y' }, cwd })).rejects.toThrow(/^--target "y": to train to a quality write metric=value, e\.g\. --target accuracy=0\.85 .*; to predict a column of your own file add --data <file\.csv>/);
    await expect(resolveRunOptions({ flags: { target: 'y', task: 'regression' }, cwd })).rejects.toThrow(/^--target, --task: they apply to a data file/);
    await expect(resolveRunOptions({ flags: { task: 'regression', onBadRow: 'skip' }, cwd })).rejects.toThrow(/^--task, --on-bad-row: they apply to a data file/);
    await expect(resolveRunOptions({ flags: { data: 'a.csv' }, cwd })).rejects.toThrow(/--data: say which column of .*a\.csv to predict with --target <column>/);
    await expect(resolveRunOptions({ flags: { config: 'nope.json' }, cwd })).rejects.toThrow(/^nope\.json: no such file/);
  });

  it('refuses an unknown report format in a file', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'scale-bench.config.json'), JSON.stringify({ report: ['pdf'] }));
    await expect(resolveRunOptions({ flags: {}, cwd })).rejects.toThrow(/report: unknown report format "pdf"/);
  });
});

describe('suites', () => {
  it('ships quick, default, iris and quality, and lists them with their descriptions', () => {
    const suites = listSuites([builtinSuiteDir()]);
    expect(suites.map((suite) => suite.name)).toEqual(['default', 'iris', 'quality', 'quick']);
    for (const suite of suites) expect(suite.description).not.toMatch(/^invalid/);
  });

  it('quick.json and default.json are the --quick and default profiles', () => {
    for (const [file, profile] of [['quick.json', PROFILES.quick], ['default.json', PROFILES.default]] as const) {
      const suite = parseConfig(JSON.parse(readFileSync(join(builtinSuiteDir(), file), 'utf8')), file);
      expect(suite.sizes).toEqual(profile.sizes);
      expect(suite.models).toEqual([...profile.models]);
      expect([suite.repeats, suite.warmup]).toEqual([profile.repeats, profile.warmup]);
      expect({ epochs: suite.epochs, batchSize: suite.batchSize, learningRate: suite.learningRate, testFraction: suite.holdout }).toEqual(profile.training);
    }
  });

  it('resolves a suite by path or by name, and lists the names when neither', () => {
    const cwd = tempDir();
    expect(resolveSuite('iris', cwd)).toBe(join(builtinSuiteDir(), 'iris.json'));
    expect(resolveSuite('quick.json', cwd)).toBe(join(builtinSuiteDir(), 'quick.json'));
    writeFileSync(join(cwd, 'mine.json'), '{}');
    expect(resolveSuite('mine.json', cwd)).toBe(join(cwd, 'mine.json'));
    expect(() => resolveSuite('nope', cwd)).toThrow(/run: no suite "nope": it is neither a file nor a built-in suite \(default, iris, quality, quick\)/);
  });

  it('marks an invalid suite in the list instead of failing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'broken.json'), '{"sizes": "many"}');
    writeFileSync(join(dir, 'ok.json'), '{"description": "fine"}');
    const suites = listSuites([dir]);
    expect(suites.map((suite) => [suite.name, suite.description.slice(0, 14)])).toEqual([
      ['broken', 'invalid suite:'],
      ['ok', 'fine'],
    ]);
  });
});
