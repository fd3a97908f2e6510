/**
 * A small WebAssembly assembler: enough of the instruction set (MVP + 128-bit SIMD) to write the
 * training kernels of simd-kernels.ts as expression trees, and a module encoder that imports one
 * memory (tfjs's wasm heap) and exports the functions.
 *
 * Why write one: the kernels must run on the heap of tfjs's own wasm module (no copies in and out),
 * that module exports its memory but no way to add code, there is no wasm toolchain on the machines
 * this runs on, and a checked-in binary would be an unreviewable blob. An expression-tree assembler
 * keeps every kernel readable TypeScript, validated by the engine when the module compiles.
 *
 * Code is a flat byte array; helpers return the bytes of one instruction with its operands' code
 * in front, so `f32.add(get(a), get(b))` is the bytes of `local.get a; local.get b; f32.add`.
 */

export type Code = number[];

export const enum T {
  i32 = 0x7f,
  f32 = 0x7d,
  f64 = 0x7c,
  v128 = 0x7b,
}

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const cat = (...parts: Code[]): Code => parts.flat();
const SIMD = 0xfd;
const simd = (op: number, ...operands: Code[]): Code => [...cat(...operands), SIMD, ...uleb(op)];
/** memarg: alignment exponent, then a byte offset added to the address operand. */
const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];

// ---- locals, constants, control -------------------------------------------------------------

export const get = (local: number): Code => [0x20, ...uleb(local)];
export const set = (local: number, value: Code): Code => [...value, 0x21, ...uleb(local)];
export const tee = (local: number, value: Code): Code => [...value, 0x22, ...uleb(local)];
export const i32c = (value: number): Code => [0x41, ...sleb(value)];
export function f32c(value: number): Code {
  const bytes = new Uint8Array(new Float32Array([value]).buffer);
  return [0x43, ...bytes];
}
export function f64c(value: number): Code {
  const bytes = new Uint8Array(new Float64Array([value]).buffer);
  return [0x44, ...bytes];
}
export const drop = (value: Code): Code => [...value, 0x1a];
/** `cond ? a : b` without a branch (both sides are evaluated). */
export const select = (a: Code, b: Code, cond: Code): Code => [...a, ...b, ...cond, 0x1b];

const EMPTY_BLOCK = 0x40;
export const block = (...body: Code[]): Code => [0x02, EMPTY_BLOCK, ...cat(...body), 0x0b];
export const loop = (...body: Code[]): Code => [0x03, EMPTY_BLOCK, ...cat(...body), 0x0b];
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
export const brIf = (depth: number, cond: Code): Code => [...cond, 0x0d, ...uleb(depth)];
export const ifThen = (cond: Code, then: Code[], otherwise?: Code[]): Code => [
  ...cond,
  0x04,
  EMPTY_BLOCK,
  ...cat(...then),
  ...(otherwise ? [0x05, ...cat(...otherwise)] : []),
  0x0b,
];

/**
 * for (i = start; i < end; i += step) body. `end` is re-evaluated each time, so pass a local or a
 * constant. The body must not branch out of the loop (it sits two blocks deep).
 */
export function forRange(i: number, start: Code, end: Code, step: Code | number, ...body: Code[]): Code {
  const stepCode = typeof step === 'number' ? i32c(step) : step;
  return cat(
    set(i, start),
    block(loop(brIf(1, i32.ge_s(get(i), end)), ...body, set(i, i32.add(get(i), stepCode)), br(0))),
  );
}

// ---- typed instruction groups ----------------------------------------------------------------

const bin = (op: number) => (a: Code, b: Code): Code => [...a, ...b, op];
const un = (op: number) => (a: Code): Code => [...a, op];

export const i32 = {
  add: bin(0x6a),
  sub: bin(0x6b),
  mul: bin(0x6c),
  div_s: bin(0x6d),
  and: bin(0x71),
  shl: bin(0x74),
  eq: bin(0x46),
  ne: bin(0x47),
  lt_s: bin(0x48),
  gt_s: bin(0x4a),
  le_s: bin(0x4c),
  ge_s: bin(0x4e),
  eqz: un(0x45),
  load: (addr: Code, offset = 0): Code => [...addr, 0x28, ...memarg(2, offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [...addr, ...value, 0x36, ...memarg(2, offset)],
};

export const f32 = {
  add: bin(0x92),
  sub: bin(0x93),
  mul: bin(0x94),
  div: bin(0x95),
  max: bin(0x97),
  sqrt: un(0x91),
  neg: un(0x8c),
  eq: bin(0x5b),
  ne: bin(0x5c),
  lt: bin(0x5d),
  gt: bin(0x5e),
  ge: bin(0x60),
  fromF64: un(0xb6),
  load: (addr: Code, offset = 0): Code => [...addr, 0x2a, ...memarg(2, offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [...addr, ...value, 0x38, ...memarg(2, offset)],
};

export const f64 = {
  add: bin(0xa0),
  sub: bin(0xa1),
  mul: bin(0xa2),
  div: bin(0xa3),
  fromF32: un(0xbb),
  fromI32: un(0xb7),
  load: (addr: Code, offset = 0): Code => [...addr, 0x2b, ...memarg(3, offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [...addr, ...value, 0x39, ...memarg(3, offset)],
};

export const v128 = {
  /** Unaligned-safe: the alignment hint is 1 byte, tfjs buffers are only 4-byte aligned. */
  load: (addr: Code, offset = 0): Code => [...addr, SIMD, ...uleb(0x00), ...memarg(0, offset)],
  store: (addr: Code, value: Code, offset = 0): Code => [...addr, ...value, SIMD, ...uleb(0x0b), ...memarg(0, offset)],
  /** One float from memory in all four lanes. */
  load32Splat: (addr: Code, offset = 0): Code => [...addr, SIMD, ...uleb(0x09), ...memarg(2, offset)],
  and: (a: Code, b: Code): Code => simd(0x4e, a, b),
  bitselect: (a: Code, b: Code, mask: Code): Code => simd(0x52, a, b, mask),
  anyTrue: (a: Code): Code => simd(0x53, a),
};

export const i32x4 = {
  splat: (a: Code): Code => simd(0x11, a),
  extract: (a: Code, lane: number): Code => [...simd(0x1b, a), lane],
  add: (a: Code, b: Code): Code => simd(0xae, a, b),
  /** A constant vector of four int32 lanes. */
  of: (lanes: [number, number, number, number]): Code => [SIMD, ...uleb(0x0c), ...new Uint8Array(new Int32Array(lanes).buffer)],
};

export const f32x4 = {
  splat: (a: Code): Code => simd(0x13, a),
  extract: (a: Code, lane: number): Code => [...simd(0x1f, a), lane],
  add: (a: Code, b: Code): Code => simd(0xe4, a, b),
  sub: (a: Code, b: Code): Code => simd(0xe5, a, b),
  mul: (a: Code, b: Code): Code => simd(0xe6, a, b),
  div: (a: Code, b: Code): Code => simd(0xe7, a, b),
  sqrt: (a: Code): Code => simd(0xe3, a),
  /** Lane-wise b < a ? a : b (pseudo-maximum: NaN in a is kept). */
  pmax: (a: Code, b: Code): Code => simd(0xeb, a, b),
  ne: (a: Code, b: Code): Code => simd(0x42, a, b),
  gt: (a: Code, b: Code): Code => simd(0x44, a, b),
  /** Lanes picked from a (indices 0-3) and b (4-7), as i8x16.shuffle byte lanes. */
  shuffle: (a: Code, b: Code, lanes: [number, number, number, number]): Code => [
    ...simd(0x0d, a, b),
    ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
  ],
};

// ---- functions and the module ----------------------------------------------------------------

export interface WasmFunction {
  name: string;
  params: T[];
  /** Result types: [] or one. */
  results: T[];
  /** Types of the locals after the parameters. */
  locals: T[];
  body: Code;
}

/**
 * Builds a function whose parameters and locals are named: `build` receives their indices.
 * Locals are declared in the order of `locals`' keys.
 */
export function fn<P extends Record<string, T>, L extends Record<string, T>>(
  name: string,
  params: P,
  locals: L,
  results: T[],
  build: (v: { [K in keyof P | keyof L]: number }) => Code,
): WasmFunction {
  const index = {} as Record<string, number>;
  let next = 0;
  for (const key of Object.keys(params)) index[key] = next++;
  for (const key of Object.keys(locals)) {
    // A local named like a parameter would silently shadow it.
    if (key in index) throw new Error(`wasm function ${name}: local "${key}" has the name of a parameter`);
    index[key] = next++;
  }
  return {
    name,
    params: Object.values(params),
    results,
    locals: Object.values(locals),
    body: build(index as { [K in keyof P | keyof L]: number }),
  };
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/** A module importing `env.memory` and exporting every function by its name. */
export function assemble(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(0)];
  const bodies = functions.map((f) => {
    // Runs of equal types, as the format declares locals.
    const runs: number[][] = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0] = (last[0] as number) + 1;
      else runs.push([1, t]);
    }
    const body = [...vector(runs.map(([count, t]) => [...uleb(count as number), t as number])), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(bodies)),
  ]);
}
