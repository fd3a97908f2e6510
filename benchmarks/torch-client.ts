/**
 * The PyTorch side of `npm run bench -- --reference torch`: finds a Python that imports torch,
 * talks to benchmarks/reference_torch.py (one JSON request and reply per line), and describes a
 * built-in model's layers in the form that script builds.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LayersModel } from '@tensorflow/tfjs-layers';

const SCRIPT = fileURLToPath(new URL('./reference_torch.py', import.meta.url));

export type TorchLayer =
  | { type: 'dense'; units: number; activation: 'linear' | 'relu' }
  | { type: 'conv2d'; filters: number; kernel: [number, number]; padding: 'same' | 'valid'; activation: 'linear' | 'relu' }
  | { type: 'maxpool'; pool: [number, number]; strides: [number, number] }
  | { type: 'flatten' };

export interface TorchProbe {
  torch: string;
  python: string;
  threads: number;
  interopThreads: number;
  /** library: the BLAS torch's matmuls run on (by the library mapped as libblas); provider: its path. */
  blas: { library: string; provider: string | null; paths: string[]; reference: boolean };
  /** A 1024 x 1024 float32 matmul on one thread, best of 3. */
  matmulGflops: number;
}

export interface TorchTrial {
  seconds: number;
  cpuSeconds: number;
  samples: number;
  loss: number;
}

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)]);

function activationOf(config: Record<string, unknown>, layer: string): 'linear' | 'relu' {
  const a = config['activation'] ?? 'linear';
  if (a !== 'linear' && a !== 'relu') throw new Error(`reference torch: layer ${layer} has activation ${String(a)}; only linear and relu are mapped`);
  return a;
}

/**
 * The layers of a Sequential model as reference_torch.py builds them. The leading Reshape of
 * cnn-small is the data's image shape there (rows arrive flat, as here).
 */
export function torchLayers(model: LayersModel): TorchLayer[] {
  const out: TorchLayer[] = [];
  for (const layer of model.layers) {
    const config = layer.getConfig();
    switch (layer.getClassName()) {
      case 'Reshape':
      case 'InputLayer':
        break;
      case 'Dense':
        out.push({ type: 'dense', units: Number(config['units']), activation: activationOf(config, layer.name) });
        break;
      case 'Conv2D': {
        const strides = pair(config['strides'] ?? 1);
        const dilation = pair(config['dilationRate'] ?? 1);
        if (strides.some((s) => s !== 1) || dilation.some((d) => d !== 1)) throw new Error(`reference torch: ${layer.name} has strides or dilation; not mapped`);
        out.push({
          type: 'conv2d',
          filters: Number(config['filters']),
          kernel: pair(config['kernelSize']),
          padding: config['padding'] === 'same' ? 'same' : 'valid',
          activation: activationOf(config, layer.name),
        });
        break;
      }
      case 'MaxPooling2D': {
        const pool = pair(config['poolSize']);
        out.push({ type: 'maxpool', pool, strides: pair(config['strides'] ?? pool) });
        break;
      }
      case 'Flatten':
        out.push({ type: 'flatten' });
        break;
      default:
        throw new Error(`reference torch: layer ${layer.name} (${layer.getClassName()}) has no PyTorch mapping`);
    }
  }
  return out;
}

/** The first of these interpreters that imports torch, or why none does. */
export function findTorchPython(candidates: readonly string[]): { python: string } | { reason: string } {
  const reasons: string[] = [];
  for (const python of candidates) {
    const run = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 120_000 });
    if (!run.error && run.status === 0) return { python };
    const why = run.error ? run.error.message : (run.stderr.trim().split('\n').pop() ?? `exit ${String(run.status)}`);
    reasons.push(`${python}: ${why}`);
  }
  return {
    reason:
      `no Python here imports torch (${reasons.join('; ')}); on Debian: apt-get install python3-torch libopenblas0-pthread, ` +
      'or name an interpreter with SCALE_BENCH_PYTHON',
  };
}

/** A running reference_torch.py; requests are answered in order. */
export class TorchServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private stderr = '';
  private readonly waiting: Array<{ resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  private exited: Error | undefined;

  constructor(python: string) {
    this.child = spawn(python, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        const next = this.waiting.shift();
        if (!next) continue;
        try {
          next.resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          next.reject(new Error(`reference_torch.py replied with something that is not JSON: ${line.slice(0, 200)}`));
        }
      }
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)));
    const fail = (error: Error): void => {
      this.exited = error;
      for (const w of this.waiting.splice(0)) w.reject(error);
    };
    this.child.on('error', fail);
    this.child.on('exit', (code) => fail(new Error(`reference_torch.py exited (code ${String(code)}): ${this.stderr.trim().split('\n').pop() ?? ''}`)));
  }

  private request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.waiting.push({
        resolve: (reply) => (typeof reply['error'] === 'string' ? reject(new Error(`reference_torch.py: ${reply['error']}`)) : resolve(reply)),
        reject,
      });
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  async probe(): Promise<TorchProbe> {
    return (await this.request({ cmd: 'probe' })) as unknown as TorchProbe;
  }

  async load(id: string, layers: TorchLayer[], data: Record<string, unknown>): Promise<void> {
    await this.request({ cmd: 'load', id, layers, data });
  }

  async train(id: string, order: number[], lr: number, seed: number): Promise<TorchTrial> {
    return (await this.request({ cmd: 'train', id, order, lr, seed })) as unknown as TorchTrial;
  }

  close(): void {
    if (this.exited) return;
    this.child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
  }
}
