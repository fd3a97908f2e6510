/** `scale-bench list` and `scale-bench env`. */
import { createRequire } from 'node:module';
import Table from 'cli-table3';
import { BUILTIN_MODELS } from '../models/catalog.js';
import { GENERATORS } from '../data/generators/index.js';
import { REPORTER_NAMES, reporters } from '../report/index.js';
import { readMachineFacts, machineId, gitCommit } from '../measure/environment.js';
import { initBackend } from '../backends/index.js';
import { formatBytes } from '../config/format.js';
import type { OutputStreams } from './output.js';
import { EXIT_OK } from './run.js';
import { listSuites } from '../config/file.js';
import { displayPath } from '../data/load.js';

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

export async function listCommand(streams: OutputStreams): Promise<number> {
  const models = new Table({ head: ['model', 'task', 'data', 'description'] });
  for (const model of Object.values(BUILTIN_MODELS)) models.push([model.name, model.task, model.defaultGenerator, model.description]);
  const generators = new Table({ head: ['generator', 'task', 'features', 'classes', 'description'] });
  for (const [name, generator] of Object.entries(GENERATORS)) {
    generators.push([name, generator.defaultSpec.task, generator.defaultSpec.features, generator.defaultSpec.classes, generator.description]);
  }
  const formats = new Table({ head: ['report format', 'description'] });
  for (const name of REPORTER_NAMES) formats.push([name, reporters[name].description]);
  const backends = new Table({ head: ['backend', 'package', 'installed'] });
  backends.push(['node', '@tensorflow/tfjs-node (optional)', installed('@tensorflow/tfjs-node') ? 'yes' : 'no']);
  backends.push(['wasm', '@tensorflow/tfjs-backend-wasm', installed('@tensorflow/tfjs-backend-wasm') ? 'yes' : 'no']);
  backends.push(['cpu', '@tensorflow/tfjs-backend-cpu', installed('@tensorflow/tfjs-backend-cpu') ? 'yes' : 'no']);
  const suites = new Table({ head: ['suite', 'description', 'file'] });
  for (const suite of listSuites()) suites.push([suite.name, suite.description, displayPath(suite.path)]);
  streams.stdout.write([models, generators, suites, formats, backends].map((table) => table.toString()).join('\n\n') + '\n');
  return EXIT_OK;
}

export async function envCommand(options: { json?: boolean }, streams: OutputStreams): Promise<number> {
  const facts = readMachineFacts();
  const { info } = await initBackend('auto', { stockKernels: false, threads: 1 });
  const commit = gitCommit();
  const fingerprint = { machineId: machineId(facts), ...facts, backend: info, ...(commit ? { gitCommit: commit } : {}) };
  if (options.json) {
    streams.stdout.write(`${JSON.stringify(fingerprint, null, 2)}\n`);
    return EXIT_OK;
  }
  const table = new Table();
  table.push(
    { machine: fingerprint.machineId },
    { cpu: facts.cpuModel },
    { cores: String(facts.cores) },
    { memory: formatBytes(facts.totalMemoryBytes) },
    { os: `${facts.os} ${facts.arch}` },
    { node: facts.node },
    { backend: `${info.name} ${info.backendVersion} (tfjs ${info.tfjsVersion})${info.wasmSimd ? ', SIMD' : ''}` },
    { kernels: info.kernelPatches.length > 0 ? info.kernelPatches.join(', ') : 'stock' },
    { git: commit ?? 'n/a' },
  );
  streams.stdout.write(`${table.toString()}\n`);
  return EXIT_OK;
}
