/**
 * Training kernels as WebAssembly SIMD, running directly on the heap of tfjs's wasm backend.
 *
 * Why: the loops that the stock wasm backend lacks or runs slowly (a max-pool gradient, a conv
 * filter gradient, transposes, Adam) cost 2-5 ns per element as JavaScript here, mostly in
 * unpredictable branches and scalar float conversions; as wasm SIMD (4 floats per instruction,
 * branch-free selects) they cost a fraction of that. The module imports tfjs's own memory, so the
 * kernels read and write tensors in place: every pointer below is a byte offset into that heap.
 *
 * Numerics: element-wise kernels do tfjs's float32 operations in tfjs's order (Adam matches the
 * op-by-op update bit for bit); reductions accumulate in float32 within a block and in float64
 * across blocks.
 */
import { gemmFunction } from './gemm.js';
import { convFilterGradFunction } from './conv-kernel.js';
import { assemble, block, br, brIf, f32, f32c, f32x4, f64, f64c, fn, forRange, get, i32, i32c, i32x4, ifThen, loop, select, set, T, v128, type Code } from './wasm-asm.js';

const I = T.i32;
const F = T.f32;
const V = T.v128;

/** addr + 4·index, for float32 and int32 elements. */
const at4 = (base: Code, index: Code): Code => i32.add(base, i32.shl(index, i32c(2)));
const at8 = (base: Code, index: Code): Code => i32.add(base, i32.shl(index, i32c(3)));
const zero4 = (): Code => f32x4.splat(f32c(0));

/** dst[j·rows + i] = src[i·cols + j]: 4x4 tiles through shuffles, scalar edges. */
const transpose = fn('transpose', { src: I, dst: I, rows: I, cols: I }, { i: I, j: I, rows4: I, cols4: I, p: I, r0: V, r1: V, r2: V, r3: V, t0: V, t1: V, t2: V, t3: V }, [], (v) => {
  const row = (k: number): Code => v128.load(at4(get(v.src), i32.add(i32.mul(i32.add(get(v.i), i32c(k)), get(v.cols)), get(v.j))));
  const out = (k: number, value: Code): Code => v128.store(at4(get(v.dst), i32.add(i32.mul(i32.add(get(v.j), i32c(k)), get(v.rows)), get(v.i))), value);
  const scalar = (iFrom: Code, iTo: number, jFrom: Code, jTo: number): Code =>
    forRange(v.i, iFrom, get(iTo), 1,
      forRange(v.j, jFrom, get(jTo), 1,
        f32.store(at4(get(v.dst), i32.add(i32.mul(get(v.j), get(v.rows)), get(v.i))), f32.load(at4(get(v.src), i32.add(i32.mul(get(v.i), get(v.cols)), get(v.j)))))));
  return [
    ...set(v.rows4, i32.and(get(v.rows), i32c(-4))),
    ...set(v.cols4, i32.and(get(v.cols), i32c(-4))),
    ...forRange(v.i, i32c(0), get(v.rows4), 4,
      forRange(v.j, i32c(0), get(v.cols4), 4,
        set(v.r0, row(0)), set(v.r1, row(1)), set(v.r2, row(2)), set(v.r3, row(3)),
        set(v.t0, f32x4.shuffle(get(v.r0), get(v.r1), [0, 4, 1, 5])),
        set(v.t1, f32x4.shuffle(get(v.r0), get(v.r1), [2, 6, 3, 7])),
        set(v.t2, f32x4.shuffle(get(v.r2), get(v.r3), [0, 4, 1, 5])),
        set(v.t3, f32x4.shuffle(get(v.r2), get(v.r3), [2, 6, 3, 7])),
        out(0, f32x4.shuffle(get(v.t0), get(v.t2), [0, 1, 4, 5])),
        out(1, f32x4.shuffle(get(v.t0), get(v.t2), [2, 3, 6, 7])),
        out(2, f32x4.shuffle(get(v.t1), get(v.t3), [0, 1, 4, 5])),
        out(3, f32x4.shuffle(get(v.t1), get(v.t3), [2, 3, 6, 7])))),
    // Columns past the last full tile, then rows past it.
    ...scalar(i32c(0), v.rows, get(v.cols4), v.cols),
    ...scalar(get(v.rows4), v.rows, i32c(0), v.cols4),
  ];
});

/** The arithmetic Adam needs, as four-lane (f32x4) or scalar (f32) instructions. */
interface Arith {
  add(a: Code, b: Code): Code;
  mul(a: Code, b: Code): Code;
  div(a: Code, b: Code): Code;
  sqrt(a: Code): Code;
}

/**
 * Adam, tf.train.adam's update in its order of float32 operations:
 *   m' = m·β1 + g·(1-β1);  v' = v·β2 + g²·(1-β2);  w' = ((m'/c1) / (sqrt(v'/c2) + ε))·(-lr) + w
 * four elements at a time, then the last n mod 4 one by one.
 */
const adam = fn('adam',
  { w: I, g: I, m: I, v: I, ow: I, om: I, ov: I, n: I, b1: F, a1: F, b2: F, a2: F, c1: F, c2: F, eps: F, negLr: F },
  { i: I, n4: I, gv: V, mv: V, vv: V, B1: V, A1: V, B2: V, A2: V, C1: V, C2: V, E: V, L: V, gs: F, ms: F, vs: F }, [], (v) => {
  /** One update of element i (or lanes i..i+3); `k`: the constants, `t`: the locals for g, m', v'. */
  const update = (o: Arith, load: (p: number) => Code, store: (p: number, value: Code) => Code, k: Record<'b1' | 'a1' | 'b2' | 'a2' | 'c1' | 'c2' | 'eps' | 'negLr', number>, t: { g: number; m: number; v: number }): Code[] => [
    set(t.g, load(v.g)),
    set(t.m, o.add(o.mul(load(v.m), get(k.b1)), o.mul(get(t.g), get(k.a1)))),
    set(t.v, o.add(o.mul(load(v.v), get(k.b2)), o.mul(o.mul(get(t.g), get(t.g)), get(k.a2)))),
    store(v.om, get(t.m)),
    store(v.ov, get(t.v)),
    store(v.ow, o.add(o.mul(o.div(o.div(get(t.m), get(k.c1)), o.add(o.sqrt(o.div(get(t.v), get(k.c2))), get(k.eps))), get(k.negLr)), load(v.w))),
  ];
  const element = (p: number): Code => at4(get(p), get(v.i));
  return [
    ...set(v.n4, i32.and(get(v.n), i32c(-4))),
    ...set(v.B1, f32x4.splat(get(v.b1))), ...set(v.A1, f32x4.splat(get(v.a1))),
    ...set(v.B2, f32x4.splat(get(v.b2))), ...set(v.A2, f32x4.splat(get(v.a2))),
    ...set(v.C1, f32x4.splat(get(v.c1))), ...set(v.C2, f32x4.splat(get(v.c2))),
    ...set(v.E, f32x4.splat(get(v.eps))), ...set(v.L, f32x4.splat(get(v.negLr))),
    ...forRange(v.i, i32c(0), get(v.n4), 4,
      ...update(f32x4, (p) => v128.load(element(p)), (p, value) => v128.store(element(p), value),
        { b1: v.B1, a1: v.A1, b2: v.B2, a2: v.A2, c1: v.C1, c2: v.C2, eps: v.E, negLr: v.L }, { g: v.gv, m: v.mv, v: v.vv })),
    ...forRange(v.i, get(v.n4), get(v.n), 1,
      ...update(f32, (p) => f32.load(element(p)), (p, value) => f32.store(element(p), value),
        { b1: v.b1, a1: v.a1, b2: v.b2, a2: v.a2, c1: v.c1, c2: v.c2, eps: v.eps, negLr: v.negLr }, { g: v.gs, m: v.ms, v: v.vs })),
  ];
});

/** Zero-fills n floats at p. */
const zeroFill = (p: number, n: number, i: number): Code => [
  ...forRange(i, i32c(0), i32.and(get(n), i32c(-4)), 4, v128.store(at4(get(p), get(i)), zero4())),
  ...forRange(i, i32.and(get(n), i32c(-4)), get(n), 1, f32.store(at4(get(p), get(i)), f32c(0))),
];

/**
 * Max-pool gradient for NHWC (see pool-grad.ts for the semantics: the first maximum of each window
 * takes the window's gradient; none when nothing exceeds -Infinity). Four channels at a time, the
 * running maximum and its index kept with branch-free selects; dx is zero-filled here.
 */
const maxPoolGrad = fn('max_pool_grad',
  { x: I, dy: I, dx: I, batch: I, H: I, W: I, C: I, OH: I, OW: I, sh: I, sw: I, dh: I, dw: I, effH: I, effW: I, padT: I, padL: I },
  { b: I, oh: I, ow: I, r: I, c: I, ch: I, c4: I, rMin: I, rMax: I, cMin: I, cMax: I, rCorner: I, cCorner: I, idx: I, where: I, best: F, val: F, gt: I,
    dyIdx: I, n: I, k: I, rowBase: I, bestV: V, whereV: V, valV: V, gtV: V }, [], (v) => {
  const scatter = (whereCode: Code, dyIndex: Code): Code => [
    ...set(v.where, whereCode),
    ...ifThen(i32.ge_s(get(v.where), i32c(0)), [
      f32.store(at4(get(v.dx), get(v.where)), f32.add(f32.load(at4(get(v.dx), get(v.where))), f32.load(at4(get(v.dy), dyIndex)))),
    ]),
  ];
  /** The window's first and one-past-last input index along one axis (rows or columns), inside the input. */
  const windowRange = (corner: number, min: number, max: number, out: number, stride: number, pad: number, dilation: number, extent: number, size: number): Code[] => [
    set(corner, i32.sub(i32.mul(get(out), get(stride)), get(pad))),
    set(min, get(corner)),
    block(loop(brIf(1, i32.ge_s(get(min), i32c(0))), set(min, i32.add(get(min), get(dilation))), br(0))),
    set(max, i32.add(get(extent), get(corner))),
    ifThen(i32.gt_s(get(max), get(size)), [set(max, get(size))]),
  ];
  const windowLoops = (...body: Code[]): Code =>
    forRange(v.r, get(v.rMin), get(v.rMax), get(v.dh),
      set(v.rowBase, i32.mul(i32.add(i32.mul(get(v.b), get(v.H)), get(v.r)), get(v.W))),
      forRange(v.c, get(v.cMin), get(v.cMax), get(v.dw), set(v.idx, i32.add(i32.mul(i32.add(get(v.rowBase), get(v.c)), get(v.C)), get(v.ch))), ...body));
  return [
    ...set(v.n, i32.mul(i32.mul(i32.mul(get(v.batch), get(v.H)), get(v.W)), get(v.C))),
    ...zeroFill(v.dx, v.n, v.k),
    ...set(v.c4, i32.and(get(v.C), i32c(-4))),
    ...forRange(v.b, i32c(0), get(v.batch), 1,
      forRange(v.oh, i32c(0), get(v.OH), 1,
        ...windowRange(v.rCorner, v.rMin, v.rMax, v.oh, v.sh, v.padT, v.dh, v.effH, v.H),
        forRange(v.ow, i32c(0), get(v.OW), 1,
          ...windowRange(v.cCorner, v.cMin, v.cMax, v.ow, v.sw, v.padL, v.dw, v.effW, v.W),
          set(v.dyIdx, i32.mul(i32.add(i32.mul(i32.add(i32.mul(get(v.b), get(v.OH)), get(v.oh)), get(v.OW)), get(v.ow)), get(v.C))),
          forRange(v.ch, i32c(0), get(v.c4), 4,
            set(v.bestV, f32x4.splat(f32c(-Infinity))),
            set(v.whereV, i32x4.splat(i32c(-1))),
            windowLoops(
              set(v.valV, v128.load(at4(get(v.x), get(v.idx)))),
              set(v.gtV, f32x4.gt(get(v.valV), get(v.bestV))),
              set(v.bestV, v128.bitselect(get(v.valV), get(v.bestV), get(v.gtV))),
              set(v.whereV, v128.bitselect(i32x4.add(i32x4.splat(get(v.idx)), i32x4.of([0, 1, 2, 3])), get(v.whereV), get(v.gtV)))),
            ...[0, 1, 2, 3].map((lane) => scatter(i32x4.extract(get(v.whereV), lane), i32.add(get(v.dyIdx), i32.add(get(v.ch), i32c(lane)))))),
          forRange(v.ch, get(v.c4), get(v.C), 1,
            set(v.best, f32c(-Infinity)),
            set(v.where, i32c(-1)),
            windowLoops(
              set(v.val, f32.load(at4(get(v.x), get(v.idx)))),
              set(v.gt, f32.gt(get(v.val), get(v.best))),
              set(v.best, select(get(v.val), get(v.best), get(v.gt))),
              set(v.where, select(get(v.idx), get(v.where), get(v.gt)))),
            scatter(get(v.where), i32.add(get(v.dyIdx), get(v.ch))))))),
  ];
});

/** dst[j] = Σ_i src[i·cols + j] (float32 sums in 64-row blocks, float64 across blocks; tot: cols float64). */
const colSum = fn('col_sum', { src: I, dst: I, rows: I, cols: I, tot: I }, { i: I, j: I, i0: I, iEnd: I, cols4: I, acc: V, s: F }, [], (v) => [
  ...set(v.cols4, i32.and(get(v.cols), i32c(-4))),
  ...forRange(v.j, i32c(0), get(v.cols), 1, f64.store(at8(get(v.tot), get(v.j)), f64c(0))),
  ...forRange(v.i0, i32c(0), get(v.rows), 64,
    set(v.iEnd, i32.add(get(v.i0), i32c(64))),
    ifThen(i32.gt_s(get(v.iEnd), get(v.rows)), [set(v.iEnd, get(v.rows))]),
    forRange(v.j, i32c(0), get(v.cols4), 4,
      set(v.acc, zero4()),
      forRange(v.i, get(v.i0), get(v.iEnd), 1, set(v.acc, f32x4.add(get(v.acc), v128.load(at4(get(v.src), i32.add(i32.mul(get(v.i), get(v.cols)), get(v.j))))))),
      ...[0, 1, 2, 3].map((lane) => {
        const p = at8(get(v.tot), i32.add(get(v.j), i32c(lane)));
        return f64.store(p, f64.add(f64.load(at8(get(v.tot), i32.add(get(v.j), i32c(lane)))), f64.fromF32(f32x4.extract(get(v.acc), lane))));
      })),
    forRange(v.j, get(v.cols4), get(v.cols), 1,
      set(v.s, f32c(0)),
      forRange(v.i, get(v.i0), get(v.iEnd), 1, set(v.s, f32.add(get(v.s), f32.load(at4(get(v.src), i32.add(i32.mul(get(v.i), get(v.cols)), get(v.j))))))),
      f64.store(at8(get(v.tot), get(v.j)), f64.add(f64.load(at8(get(v.tot), get(v.j))), f64.fromF32(get(v.s)))))),
  ...forRange(v.j, i32c(0), get(v.cols), 1, f32.store(at4(get(v.dst), get(v.j)), f32.fromF64(f64.load(at8(get(v.tot), get(v.j)))))),
]);

/** out = h > 0 ? d : 0 (the relu gradient, given the relu's output h). */
const reluGrad = fn('relu_grad', { d: I, h: I, out: I, n: I }, { i: I, n4: I }, [], (v) => [
  ...set(v.n4, i32.and(get(v.n), i32c(-4))),
  ...forRange(v.i, i32c(0), get(v.n4), 4,
    v128.store(at4(get(v.out), get(v.i)), v128.and(v128.load(at4(get(v.d), get(v.i))), f32x4.gt(v128.load(at4(get(v.h), get(v.i))), zero4())))),
  ...forRange(v.i, get(v.n4), get(v.n), 1,
    f32.store(at4(get(v.out), get(v.i)), select(f32.load(at4(get(v.d), get(v.i))), f32c(0), f32.gt(f32.load(at4(get(v.h), get(v.i))), f32c(0))))),
]);

/** out = (a - b)·scale. */
const subScale = fn('sub_scale', { a: I, b: I, out: I, n: I, scale: F }, { i: I, n4: I, s: V }, [], (v) => [
  ...set(v.n4, i32.and(get(v.n), i32c(-4))),
  ...set(v.s, f32x4.splat(get(v.scale))),
  ...forRange(v.i, i32c(0), get(v.n4), 4,
    v128.store(at4(get(v.out), get(v.i)), f32x4.mul(f32x4.sub(v128.load(at4(get(v.a), get(v.i))), v128.load(at4(get(v.b), get(v.i)))), get(v.s)))),
  ...forRange(v.i, get(v.n4), get(v.n), 1,
    f32.store(at4(get(v.out), get(v.i)), f32.mul(f32.sub(f32.load(at4(get(v.a), get(v.i))), f32.load(at4(get(v.b), get(v.i)))), get(v.scale)))),
]);

export const SIMD_FUNCTIONS = [transpose, adam, maxPoolGrad, colSum, reluGrad, subScale, gemmFunction('gemm')];

/** The compiled kernels; pointers are byte offsets into tfjs's wasm heap. */
export interface SimdExports {
  transpose(src: number, dst: number, rows: number, cols: number): void;
  adam(w: number, g: number, m: number, v: number, ow: number, om: number, ov: number, n: number,
    b1: number, a1: number, b2: number, a2: number, c1: number, c2: number, eps: number, negLr: number): void;
  max_pool_grad(x: number, dy: number, dx: number, batch: number, H: number, W: number, C: number, OH: number, OW: number,
    sh: number, sw: number, dh: number, dw: number, effH: number, effW: number, padT: number, padL: number): void;
  /** See conv-kernel.ts; the output-channel count is that of the module (convFilterGrad(channels)). */
  conv_filter_grad(x: number, dz: number, dW: number, tot: number, batch: number, H: number, W: number, CI: number, OH: number, OW: number,
    sh: number, sw: number, dh: number, dw: number, KH: number, KW: number, padT: number, padL: number): void;
  col_sum(src: number, dst: number, rows: number, cols: number, tot: number): void;
  relu_grad(d: number, h: number, out: number, n: number): void;
  sub_scale(a: number, b: number, out: number, n: number, scale: number): void;
  /**
   * C[M,N] = A[M,K]·B[K,N] (+ bias[N] when bias != 0) (relu when relu != 0); ld*: row strides in
   * elements; with cT != 0 also Cᵀ into cT ([N, M], row stride ldcT).
   */
  gemm(a: number, b: number, c: number, bias: number, M: number, N: number, K: number, lda: number, ldb: number, ldc: number, relu: number, cT: number, ldcT: number): void;
}

type ConvFilterGrad = SimdExports['conv_filter_grad'];

/** The kernels on one memory; the conv kernel is compiled per output-channel count on first use. */
export interface SimdKernels extends Omit<SimdExports, 'conv_filter_grad'> {
  convFilterGrad(channels: number): ConvFilterGrad;
}

/** The WebAssembly JS API, typed here: the project's TypeScript lib (ES2022, no DOM) does not declare it. */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}
export const WebAssemblyJs = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let compiled: object | undefined;
const convModules = new Map<number, object>();

function instantiate<E>(module: object, memory: object): E {
  return new WebAssemblyJs.Instance(module, { env: { memory } }).exports as E;
}

/** Instantiates the kernels on `memory` (tfjs's heap, a WebAssembly.Memory); each module is compiled once per thread. */
export function instantiateSimdKernels(memory: object): SimdKernels {
  compiled ??= new WebAssemblyJs.Module(assemble(SIMD_FUNCTIONS));
  const base = instantiate<Omit<SimdExports, 'conv_filter_grad'>>(compiled, memory);
  const convs = new Map<number, ConvFilterGrad>();
  return {
    ...base,
    convFilterGrad(channels: number): ConvFilterGrad {
      let kernel = convs.get(channels);
      if (!kernel) {
        let module = convModules.get(channels);
        if (!module) {
          module = new WebAssemblyJs.Module(assemble([convFilterGradFunction(channels)]));
          convModules.set(channels, module);
        }
        kernel = instantiate<Pick<SimdExports, 'conv_filter_grad'>>(module, memory).conv_filter_grad;
        convs.set(channels, kernel);
      }
      return kernel;
    },
  };
}

