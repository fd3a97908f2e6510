/**
 * Chooses and initialises the tfjs backend of this thread, and reports what actually ran.
 *
 * `auto` takes the fastest backend that loads: tfjs-node (native TensorFlow; an optional dependency
 * that often cannot install) then wasm then cpu. State is per thread: every piscina worker has its
 * own tfjs engine, and calling initBackend again in a thread only switches what differs (cheap).
 */
import { applyKernelPatches, activeKernelPatches, registerCpuFallbacks, removeKernelPatches, type CpuBackendLike } from './kernels.js';
import { registerAdamKernel, unregisterAdamKernel } from './adam-kernel.js';
import { registerConvGradKernel, unregisterConvGradKernel } from './train-kernels.js';
import { registerDenseStepKernel, unregisterDenseStepKernel } from './dense-step-kernel.js';
import { loadTf, loadedTf, packageVersion, requireFromHere, wasmBinaryFolder, type Tf } from './load.js';
import type { BackendChoice, BackendName } from '../results/schema.js';
import { UsageError } from '../config/errors.js';

export type { Tf } from './load.js';
export { applyKernelPatches, removeKernelPatches, activeKernelPatches } from './kernels.js';

export interface BackendInfo {
  name: BackendName;
  /** Version of @tensorflow/tfjs-core. */
  tfjsVersion: string;
  /** Version of the backend package (tfjs-node, tfjs-backend-wasm or tfjs-backend-cpu). */
  backendVersion: string;
  /** Whether the wasm backend runs its SIMD binary (wasm only). */
  wasmSimd?: boolean;
  /** Kernel variants in force, e.g. ["BatchMatMul:transpose-first"]; empty = stock tfjs. */
  kernelPatches: string[];
  /** Compute threads this backend uses in this worker thread. */
  threads: number;
}

/**
 * The requested backend cannot run here; the message names --backend and the fix. A usage error
 * (exit 2) by type, so the CLI never has to guess it from a message's words.
 */
export class BackendUnavailableError extends UsageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    if (options && 'cause' in options) this.cause = options.cause;
    this.name = 'BackendUnavailableError';
  }
}

export interface InitOptions {
  /**
   * Keep tfjs's stock wasm kernels: none of scale-bench's SIMD matmul, MaxPoolGrad, shared-buffer
   * Identity, fused Adam, conv-gradient or dense-step kernels. The stand-ins for kernels wasm lacks
   * (conv filter gradient, ...) stay registered.
   */
  stockKernels: boolean;
  /** Compute threads wanted per worker; wasm and cpu run one thread in Node whatever is asked. */
  threads: number;
}

/** tfjs's registry name for each backend. */
const TFJS_NAME: Record<BackendName, string> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };
const AUTO_ORDER: readonly BackendName[] = ['node', 'wasm', 'cpu'];

/** Backends whose package loaded and registered in this thread, with their package version. */
const registered = new Map<BackendName, string>();
/** Backends that failed to load or initialise in this thread: auto does not retry them. */
const failed = new Map<BackendName, BackendUnavailableError>();

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

function unavailable(name: BackendName, error: unknown): BackendUnavailableError {
  const why = reason(error);
  switch (name) {
    case 'node':
      return new BackendUnavailableError(
        `--backend node: @tensorflow/tfjs-node is not available (${why}); install it with \`npm i @tensorflow/tfjs-node@4.22.0\` ` +
          '(needs a prebuilt libtensorflow for this OS/CPU), or use --backend wasm',
        { cause: error },
      );
    case 'wasm':
      return new BackendUnavailableError(
        `--backend wasm: the WebAssembly backend failed to load (${why}); reinstall it with ` +
          '`npm i @tensorflow/tfjs-backend-wasm@4.22.0`, or use --backend cpu',
        { cause: error },
      );
    case 'cpu':
      return new BackendUnavailableError(
        `--backend cpu: the plain JavaScript backend failed to load (${why}); reinstall it with \`npm i @tensorflow/tfjs-backend-cpu@4.22.0\``,
        { cause: error },
      );
  }
}

/** Loads a backend's package (which registers it with tfjs-core); returns its version. */
function register(name: BackendName, threads: number): string {
  const known = registered.get(name);
  if (known !== undefined) return known;
  let version: string;
  switch (name) {
    case 'node': {
      // libtensorflow reads these when it sizes its thread pools; values the user set win.
      process.env['TF_NUM_INTRAOP_THREADS'] ??= String(threads);
      process.env['TF_NUM_INTEROP_THREADS'] ??= '1';
      process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
      requireFromHere('@tensorflow/tfjs-node');
      version = packageVersion('@tensorflow/tfjs-node');
      break;
    }
    case 'wasm': {
      const wasm = requireFromHere('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
      // The default lookup is relative to the bundle that runs; naming the folder works however npm laid it out.
      wasm.setWasmPaths(wasmBinaryFolder());
      version = wasm.version_wasm;
      break;
    }
    case 'cpu': {
      const cpu = requireFromHere('@tensorflow/tfjs-backend-cpu') as typeof import('@tensorflow/tfjs-backend-cpu');
      version = cpu.version_cpu;
      break;
    }
  }
  registered.set(name, version);
  return version;
}

/** A private cpu backend instance for the wasm fallback kernels (not registered with the engine). */
function makeCpuBackend(): CpuBackendLike {
  const cpu = requireFromHere('@tensorflow/tfjs-backend-cpu') as typeof import('@tensorflow/tfjs-backend-cpu');
  const backend = new cpu.MathBackendCPU();
  (backend as unknown as { firstUse: boolean }).firstUse = false;
  return backend as unknown as CpuBackendLike;
}

/**
 * The cpu backend prints an "install tfjs-node" banner on its first tensor; the CLI reports the
 * backend itself, so the banner is noise in worker output.
 */
function quietCpuBanner(tf: Tf): void {
  const backend = tf.backend() as { firstUse?: boolean };
  if (backend.firstUse === true) backend.firstUse = false;
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `f` and removes the process-wide 'uncaughtException'/'unhandledRejection' listeners it
 * added. The wasm backend's Emscripten runtime installs listeners that rethrow everything, which
 * turns any later error in the thread into a crash that prints the whole minified runtime.
 */
async function withoutNewProcessListeners<T>(f: () => Promise<T>): Promise<T> {
  type Listener = (...args: unknown[]) => void;
  const listeners = (event: (typeof PROCESS_EVENTS)[number]): Listener[] =>
    (process.listeners as (e: string) => Listener[])(event);
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(listeners(e))]));
  try {
    return await f();
  } finally {
    for (const event of PROCESS_EVENTS) {
      for (const listener of listeners(event)) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
  }
}

async function activate(tf: Tf, name: BackendName, opts: InitOptions): Promise<BackendInfo> {
  const earlier = failed.get(name);
  if (earlier) throw earlier;
  let backendVersion = '';
  try {
    await withoutNewProcessListeners(async () => {
      backendVersion = register(name, opts.threads);
      if (tf.getBackend() !== TFJS_NAME[name]) {
        // setBackend resolves false (after a console warning) when the backend's init fails.
        if (!(await tf.setBackend(TFJS_NAME[name]))) throw new Error(`tf.setBackend('${TFJS_NAME[name]}') failed`);
      }
    });
  } catch (error) {
    const err = error instanceof BackendUnavailableError ? error : unavailable(name, error);
    failed.set(name, err);
    throw err;
  }
  if (name === 'cpu') quietCpuBanner(tf);
  const patched = name === 'wasm' && !opts.stockKernels;
  if (patched) applyKernelPatches(tf);
  else removeKernelPatches(tf);
  const ownKernels: string[] = [];
  if (patched) ownKernels.push(registerAdamKernel(tf), ...registerConvGradKernel(tf), ...registerDenseStepKernel(tf));
  else {
    unregisterAdamKernel(tf);
    unregisterConvGradKernel(tf);
    unregisterDenseStepKernel(tf);
  }
  const fallbacks = name === 'wasm' ? registerCpuFallbacks(tf, makeCpuBackend) : [];

  const info: BackendInfo = {
    name,
    tfjsVersion: tf.version_core,
    backendVersion,
    kernelPatches: [...activeKernelPatches(tf), ...ownKernels, ...fallbacks],
    // Wasm threads need SharedArrayBuffer-backed workers that tfjs 4.22 disables in Node; cpu is single-threaded.
    threads: name === 'node' ? Number(process.env['TF_NUM_INTRAOP_THREADS']) || opts.threads : 1,
  };
  if (name === 'wasm') info.wasmSimd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  return info;
}

/**
 * Size of this thread's tfjs wasm heap (the backend's WebAssembly.Memory) in bytes, the tensors'
 * home on wasm: it grows on demand and never shrinks. 0 when the thread never started wasm.
 */
export function wasmHeapBytes(): number {
  const tf = loadedTf();
  if (!tf || !registered.has('wasm')) return 0;
  const backend = tf.findBackend('wasm') as { wasm?: { HEAPU8?: Uint8Array } } | null;
  return backend?.wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

/** Resolved 'auto' of this thread, so later calls skip the probing. */
let autoChoice: BackendName | undefined;
/** Calls in one thread run one after another: switching backends or kernels is not reentrant. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Loads tfjs and makes `choice` the active backend of this thread, applying or removing the wasm
 * kernel patch as asked. Throws BackendUnavailableError when an explicit choice cannot run;
 * 'auto' falls back node -> wasm -> cpu. A repeated call with the same arguments costs microseconds.
 */
export function initBackend(choice: BackendChoice, opts: InitOptions): Promise<{ tf: Tf; info: BackendInfo }> {
  const run = queue.then(() => initNow(choice, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function initNow(choice: BackendChoice, opts: InitOptions): Promise<{ tf: Tf; info: BackendInfo }> {
  if (!Number.isInteger(opts.threads) || opts.threads < 1) {
    throw new RangeError(`threads per worker must be a whole number >= 1, got ${String(opts.threads)}`);
  }
  const tf = loadTf();
  if (choice !== 'auto') return { tf, info: await activate(tf, choice, opts) };
  if (autoChoice) return { tf, info: await activate(tf, autoChoice, opts) };
  const errors: string[] = [];
  for (const name of AUTO_ORDER) {
    try {
      const info = await activate(tf, name, opts);
      autoChoice = name;
      return { tf, info };
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      errors.push(error.message);
    }
  }
  throw new BackendUnavailableError(`--backend auto: no tfjs backend could start: ${errors.join('; ')}`);
}
