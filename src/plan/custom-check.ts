/**
 * Builds every custom model of a plan once, while planning, so that a module that does not load,
 * exports no factory, builds the wrong shape, starts from NaN weights or computes a NaN loss fails
 * before any training starts (exit 2), naming the module and what happened.
 *
 * A user's module is code scale-bench runs: it may loop forever at import, call process.exit(), return
 * a promise that never settles, or exhaust memory. So it is built in a worker thread of its own, under
 * a deadline (--build-timeout): whatever it does ends that thread, never this process.
 */
import { Worker } from 'node:worker_threads';
import type { BenchmarkPlan } from '../results/schema.js';
import { InputError, UsageError, errorMessage } from '../config/errors.js';
import { workerModule } from '../config/paths.js';
import type { CheckReply, CheckRequest, CheckedCustomModel } from '../models/custom-check-worker.js';

export type { CheckedCustomModel };

/** --build-timeout's default, seconds: generous for a big model on a slow machine, short for a hang. */
export const DEFAULT_BUILD_TIMEOUT_S = 60;
/** Heap of the check's thread: a module allocating without end fails there, not in the whole process. */
const CHECK_HEAP_MB = 4096;

export interface CheckOptions {
  /** Deadline for loading and building one module, in seconds (default DEFAULT_BUILD_TIMEOUT_S). */
  buildTimeout?: number;
}

function checkInWorker(request: CheckRequest, timeoutS: number): Promise<CheckedCustomModel[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerModule(new URL('../models/custom-check-worker.js', import.meta.url)), {
      workerData: request,
      // Whatever the module prints must not reach stdout (where --json goes) or the terminal.
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: CHECK_HEAP_MB },
    });
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      void worker.terminate();
    };
    const fail = (what: string) => finish(() => reject(new InputError(request.display, what)));
    const timer = setTimeout(
      () =>
        fail(
          `did not finish loading and building its model within ${timeoutS} s (--build-timeout): does it loop forever at import or in the factory? ` +
            'If the model is just slow to build, raise --build-timeout.',
        ),
      timeoutS * 1000,
    );
    worker.on('message', (reply: CheckReply) => finish(() => (reply.ok ? resolve(reply.models) : reject(new UsageError(reply.message)))));
    worker.on('error', (error) => fail(`failed while loading or building its model: ${errorMessage(error)}`));
    worker.on('exit', (code) =>
      fail(
        code !== 0
          ? `ended the thread building its model with exit code ${code} before returning a model: does the module call process.exit()? A model module must return (or resolve to) a LayersModel.`
          : 'never returned a model: its factory returned a promise that never settled (or the module called process.exit(0)). Make the factory return the model, or a promise that resolves to it.',
      ),
    );
  });
}

/**
 * Builds every custom model of a plan once (cpu backend, in a worker thread per module) for each data
 * set it runs on, and returns their sizes. Throws UsageError (exit 2) naming the module on any failure.
 */
export async function checkCustomModels(
  plan: Pick<BenchmarkPlan, 'customModels' | 'cells' | 'datasets' | 'seed'>,
  display: (path: string) => string = (p) => p,
  options: CheckOptions = {},
): Promise<CheckedCustomModel[]> {
  const specs = new Map(plan.datasets.map((spec) => [spec.name, spec]));
  const checked: CheckedCustomModel[] = [];
  for (const [name, path] of Object.entries(plan.customModels ?? {})) {
    const datasets = [...new Set(plan.cells.filter((cell) => cell.model === name).map((cell) => cell.dataset))];
    const used = datasets.flatMap((dataset) => specs.get(dataset) ?? []);
    if (used.length === 0) continue;
    checked.push(...(await checkInWorker({ name, path, display: display(path), specs: used, seed: plan.seed }, options.buildTimeout ?? DEFAULT_BUILD_TIMEOUT_S)));
  }
  return checked;
}
