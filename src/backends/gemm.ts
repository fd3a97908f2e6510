/**
 * Matrix products as WebAssembly SIMD on tfjs's heap, without packing: C = A·B (+ bias, relu), every
 * matrix row-major with its own row stride.
 *
 * Why not wasm's XNNPACK products (BatchMatMul): XNNPACK repacks its second operand into panels
 * whenever that operand is a new tensor, and in training it always is (new weights every step, a
 * new gradient every product): 12% of mlp-deep's step went to packing. This kernel reads B in place
 * (row k of an 8-column panel is 8 contiguous floats, and a 256x256 operand sits in L2). Measured
 * on this machine (CPU time, 256x256x256): 61 GFLOP/s, XNNPACK 45 with its packed operand cached
 * and 37 when it has to pack. Transposed operands are materialised first (a SIMD transpose costs
 * 3% of a product); reading Aᵀ in place measured slower (45 GFLOP/s: a new cache line per step),
 * and a dot-product kernel for A·Bᵀ (both operands read along k) no faster than transpose + product.
 *
 * The micro-kernel keeps a 4x8 tile of C in eight SIMD registers: per step of k, two loads of B,
 * four broadcast loads of A and eight multiply-adds (wasm SIMD has no fused multiply-add, so the
 * sums round like XNNPACK's). Edges use 4x4, 1x8 and 1x4 tiles and a scalar loop for the last
 * columns. With a bias, each tile starts from it, as XNNPACK's does. (Measured slower: unrolling k
 * twice, and 6x8 tiles, 31 GFLOP/s: V8 then spills the accumulators out of the 16 SIMD registers.)
 */
import { f32, f32c, f32x4, fn, forRange, get, i32, i32c, ifThen, set, T, v128, type Code, type WasmFunction } from './wasm-asm.js';

const I = T.i32;
const V = T.v128;

/** C[M,N] = A·B (+ bias) (relu); with cT != 0 the result is also written transposed to cT ([N, M], row stride ldcT). */
export function gemmFunction(name: string): WasmFunction {
  const accNames = ['acc0', 'acc1', 'acc2', 'acc3', 'acc4', 'acc5', 'acc6', 'acc7'] as const;
  const locals = {
    i0: I, j0: I, k: I, i: I, j: I, M4: I, N4: I, N8: I, stepA: I, stepB: I, bp: I, a0: I, a1: I, a2: I, a3: I, av: V, b0: V, b1: V, s: T.f32,
    acc0: V, acc1: V, acc2: V, acc3: V, acc4: V, acc5: V, acc6: V, acc7: V, t0: V, t1: V, t2: V, t3: V,
  };
  return fn(name, { a: I, b: I, c: I, bias: I, M: I, N: I, K: I, lda: I, ldb: I, ldc: I, relu: I, cT: I, ldcT: I }, locals, [], (v) => {
    const L = v as Record<string, number>;
    const at = (local: string): Code => get(L[local] as number);
    const put = (local: string, value: Code): Code => set(L[local] as number, value);
    const aRow = ['a0', 'a1', 'a2', 'a3'];
    /** Address of A(i, 0). */
    const aStart = (i: Code): Code => i32.add(get(v.a), i32.shl(i32.mul(i, get(v.lda)), i32c(2)));
    /** A rows x (4·vectors) tile of C at (i0, j0). */
    const tile = (rows: number, vectors: number): Code => {
      const acc = (r: number, q: number): string => accNames[r * 2 + q] as string;
      const out: Code = [];
      for (let r = 0; r < rows; r++) out.push(...put(aRow[r] as string, aStart(i32.add(get(v.i0), i32c(r)))));
      for (let r = 0; r < rows; r++) {
        for (let q = 0; q < vectors; q++) {
          const biasVec = v128.load(i32.add(get(v.bias), i32.shl(i32.add(get(v.j0), i32c(4 * q)), i32c(2))));
          out.push(...ifThen(get(v.bias), [put(acc(r, q), biasVec)], [put(acc(r, q), f32x4.splat(f32c(0)))]));
        }
      }
      out.push(...set(v.bp, i32.add(get(v.b), i32.shl(get(v.j0), i32c(2)))));
      const body: Code[] = [];
      for (let q = 0; q < vectors; q++) body.push(set(q === 0 ? v.b0 : v.b1, v128.load(get(v.bp), 16 * q)));
      for (let r = 0; r < rows; r++) {
        body.push(set(v.av, v128.load32Splat(at(aRow[r] as string))));
        for (let q = 0; q < vectors; q++) body.push(put(acc(r, q), f32x4.add(at(acc(r, q)), f32x4.mul(get(v.av), get(q === 0 ? v.b0 : v.b1)))));
        body.push(put(aRow[r] as string, i32.add(at(aRow[r] as string), get(v.stepA))));
      }
      body.push(set(v.bp, i32.add(get(v.bp), get(v.stepB))));
      out.push(...forRange(v.k, i32c(0), get(v.K), 1, ...body));
      for (let r = 0; r < rows; r++) {
        for (let q = 0; q < vectors; q++) {
          const addr = i32.add(get(v.c), i32.shl(i32.add(i32.mul(i32.add(get(v.i0), i32c(r)), get(v.ldc)), i32.add(get(v.j0), i32c(4 * q))), i32c(2)));
          out.push(...ifThen(get(v.relu), [put(acc(r, q), f32x4.pmax(at(acc(r, q)), f32x4.splat(f32c(0))))]));
          out.push(...v128.store(addr, at(acc(r, q))));
        }
      }
      out.push(...ifThen(get(v.cT), transposedStore(rows, vectors, acc)));
      return out;
    };
    /** Address of Cᵀ(col, row) = element [col, row] of the [N, M] transposed copy. */
    const tAddr = (col: Code, row: Code): Code => i32.add(get(v.cT), i32.shl(i32.add(i32.mul(col, get(v.ldcT)), row), i32c(2)));
    /** The tile also written to Cᵀ: a 4x4 shuffle transpose per vector of columns, or lane by lane for one row. */
    const transposedStore = (rows: number, vectors: number, acc: (r: number, q: number) => string): Code[] => {
      const out: Code[] = [];
      for (let q = 0; q < vectors; q++) {
        const col = (c: number): Code => i32.add(get(v.j0), i32c(4 * q + c));
        if (rows === 4) {
          const r = (k: number): Code => at(acc(k, q));
          out.push(
            set(v.t0, f32x4.shuffle(r(0), r(1), [0, 4, 1, 5])),
            set(v.t1, f32x4.shuffle(r(0), r(1), [2, 6, 3, 7])),
            set(v.t2, f32x4.shuffle(r(2), r(3), [0, 4, 1, 5])),
            set(v.t3, f32x4.shuffle(r(2), r(3), [2, 6, 3, 7])),
            v128.store(tAddr(col(0), get(v.i0)), f32x4.shuffle(get(v.t0), get(v.t2), [0, 1, 4, 5])),
            v128.store(tAddr(col(1), get(v.i0)), f32x4.shuffle(get(v.t0), get(v.t2), [2, 3, 6, 7])),
            v128.store(tAddr(col(2), get(v.i0)), f32x4.shuffle(get(v.t1), get(v.t3), [0, 1, 4, 5])),
            v128.store(tAddr(col(3), get(v.i0)), f32x4.shuffle(get(v.t1), get(v.t3), [2, 3, 6, 7])),
          );
        } else {
          for (let lane = 0; lane < 4; lane++) out.push(f32.store(tAddr(col(lane), get(v.i0)), f32x4.extract(at(acc(0, q)), lane)));
        }
      }
      return out;
    };
    /** All column tiles of the row block at i0. */
    const rowBlock = (rows: number): Code[] => [
      forRange(v.j0, i32c(0), get(v.N8), 8, tile(rows, 2)),
      ifThen(i32.lt_s(get(v.N8), get(v.N4)), [set(v.j0, get(v.N8)), tile(rows, 1)]),
    ];
    return [
      ...set(v.M4, i32.and(get(v.M), i32c(-4))),
      ...set(v.N4, i32.and(get(v.N), i32c(-4))),
      ...set(v.N8, i32.and(get(v.N), i32c(-8))),
      // Per step of k: A moves one column, B one row.
      ...set(v.stepA, i32c(4)),
      ...set(v.stepB, i32.shl(get(v.ldb), i32c(2))),
      ...forRange(v.i0, i32c(0), get(v.M4), 4, ...rowBlock(4)),
      ...forRange(v.i0, get(v.M4), get(v.M), 1, ...rowBlock(1)),
      // The last N mod 4 columns, one element at a time.
      ...forRange(v.i, i32c(0), get(v.M), 1,
        forRange(v.j, get(v.N4), get(v.N), 1,
          set(v.s, f32c(0)),
          ifThen(get(v.bias), [set(v.s, f32.load(i32.add(get(v.bias), i32.shl(get(v.j), i32c(2)))))]),
          set(v.a0, aStart(get(v.i))),
          set(v.bp, i32.add(get(v.b), i32.shl(get(v.j), i32c(2)))),
          forRange(v.k, i32c(0), get(v.K), 1,
            set(v.s, f32.add(get(v.s), f32.mul(f32.load(get(v.a0)), f32.load(get(v.bp))))),
            set(v.a0, i32.add(get(v.a0), get(v.stepA))),
            set(v.bp, i32.add(get(v.bp), get(v.stepB)))),
          ifThen(get(v.relu), [set(v.s, f32.max(get(v.s), f32c(0)))]),
          f32.store(i32.add(get(v.c), i32.shl(i32.add(i32.mul(get(v.i), get(v.ldc)), get(v.j)), i32c(2))), get(v.s)),
          ifThen(get(v.cT), [f32.store(tAddr(get(v.j), get(v.i)), get(v.s))]))),
    ];
  });
}
