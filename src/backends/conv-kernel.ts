/**
 * The filter gradient of a 2-D convolution (NHWC) as WebAssembly SIMD, generated per output-channel
 * count:  dW[kh, kw, ci, co] = Σ over b, oh, ow of x[b, ih, iw, ci] · dz[b, oh, ow, co]
 * with ih = oh·sh − padTop + kh·dh (likewise iw); positions in the padding contribute nothing.
 *
 * Loop order: one filter tap (kh, kw, ci) and a block of up to 32 output channels at a time, so the
 * block's sums live in SIMD registers while the kernel streams over every output position whose
 * input is inside the image (the valid range is computed per tap, so the inner loop has no bounds
 * checks): per position one load of x, a broadcast, and one multiply-add per four channels. The
 * sums are float32 within an image and float64 across images. The channel count is fixed when the
 * module is generated (the registers are unrolled for it); modules are cached per count.
 */
import { f32, f32c, f32x4, f64, f64c, fn, forRange, get, i32, i32c, ifThen, set, T, v128, type Code, type WasmFunction } from './wasm-asm.js';

const I = T.i32;
const V = T.v128;
/** Channels per block: eight SIMD registers of sums. */
const BLOCK = 32;

const at4 = (base: Code, index: Code): Code => i32.add(base, i32.shl(index, i32c(2)));
const at8 = (base: Code, index: Code): Code => i32.add(base, i32.shl(index, i32c(3)));

/** conv_filter_grad(x, dz, dW, tot, batch, H, W, CI, OH, OW, sh, sw, dh, dw, KH, KW, padT, padL); tot: KH·KW·CI·CO float64 of scratch. */
export function convFilterGradFunction(channels: number): WasmFunction {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`conv filter gradient: output channels must be >= 1, got ${channels}`);
  const vecNames = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7'] as const;
  const tailNames = ['t0', 't1', 't2'] as const;
  const locals = {
    kh: I, kw: I, ci: I, b: I, oh: I, ow: I, k: I, i: I, offH: I, offW: I, ohMin: I, ohMax: I, owMin: I, owMax: I,
    xp: I, zp: I, stepX: I, stepZ: I, xv: T.f32, xs: V, base: I,
    q0: V, q1: V, q2: V, q3: V, q4: V, q5: V, q6: V, q7: V, t0: T.f32, t1: T.f32, t2: T.f32,
  };
  return fn('conv_filter_grad',
    { x: I, dz: I, dW: I, tot: I, batch: I, H: I, W: I, CI: I, OH: I, OW: I, sh: I, sw: I, dh: I, dw: I, KH: I, KW: I, padT: I, padL: I },
    locals, [], (v) => {
    /** First output index whose input index (o·stride + off) is >= 0, and one past the last that is < size. */
    const range = (lo: number, hi: number, off: number, stride: number, size: number, outSize: number): Code => [
      ...set(lo, i32c(0)),
      ...ifThen(i32.lt_s(get(off), i32c(0)), [set(lo, i32.div_s(i32.sub(i32.add(i32.sub(i32c(0), get(off)), get(stride)), i32c(1)), get(stride)))]),
      ...set(hi, i32c(0)),
      ...ifThen(i32.gt_s(i32.sub(get(size), get(off)), i32c(0)), [set(hi, i32.add(i32.div_s(i32.sub(i32.sub(get(size), i32c(1)), get(off)), get(stride)), i32c(1)))]),
      ...ifThen(i32.gt_s(get(hi), get(outSize)), [set(hi, get(outSize))]),
    ];
    /** The loops over images and positions for channels [first, first + count). */
    const block = (first: number, count: number): Code => {
      const vectors = Math.floor(count / 4);
      const tails = count % 4;
      const vec = (q: number): number => v[vecNames[q] as (typeof vecNames)[number]];
      const tail = (t: number): number => v[tailNames[t] as (typeof tailNames)[number]];
      const zero: Code = [];
      for (let q = 0; q < vectors; q++) zero.push(...set(vec(q), f32x4.splat(f32c(0))));
      for (let t = 0; t < tails; t++) zero.push(...set(tail(t), f32c(0)));
      const inner: Code[] = [set(v.xv, f32.load(get(v.xp))), set(v.xs, f32x4.splat(get(v.xv)))];
      for (let q = 0; q < vectors; q++) inner.push(set(vec(q), f32x4.add(get(vec(q)), f32x4.mul(get(v.xs), v128.load(get(v.zp), 16 * q)))));
      for (let t = 0; t < tails; t++) inner.push(set(tail(t), f32.add(get(tail(t)), f32.mul(get(v.xv), f32.load(get(v.zp), 4 * (4 * vectors + t))))));
      inner.push(set(v.xp, i32.add(get(v.xp), get(v.stepX))), set(v.zp, i32.add(get(v.zp), get(v.stepZ))));
      // Add one image's float32 sums into the float64 totals of row k.
      const flush: Code = [];
      const addTo = (channel: number, value: Code): Code => {
        const p = at8(get(v.tot), i32.add(get(v.base), i32c(channel)));
        return f64.store(p, f64.add(f64.load(at8(get(v.tot), i32.add(get(v.base), i32c(channel)))), f64.fromF32(value)));
      };
      for (let q = 0; q < vectors; q++) for (let lane = 0; lane < 4; lane++) flush.push(...addTo(first + 4 * q + lane, f32x4.extract(get(vec(q)), lane)));
      for (let t = 0; t < tails; t++) flush.push(...addTo(first + 4 * vectors + t, get(tail(t))));
      return forRange(v.b, i32c(0), get(v.batch), 1,
        zero,
        forRange(v.oh, get(v.ohMin), get(v.ohMax), 1,
          // x[b, oh·sh + offH, owMin·sw + offW, ci] and dz[b, oh, owMin, first]
          set(v.xp, at4(get(v.x), i32.add(i32.mul(i32.add(i32.mul(i32.add(i32.mul(get(v.b), get(v.H)), i32.add(i32.mul(get(v.oh), get(v.sh)), get(v.offH))), get(v.W)),
            i32.add(i32.mul(get(v.owMin), get(v.sw)), get(v.offW))), get(v.CI)), get(v.ci)))),
          set(v.zp, at4(get(v.dz), i32.add(i32.mul(i32.add(i32.mul(i32.add(i32.mul(get(v.b), get(v.OH)), get(v.oh)), get(v.OW)), get(v.owMin)), i32c(channels)), i32c(first)))),
          forRange(v.ow, get(v.owMin), get(v.owMax), 1, ...inner)),
        flush);
    };
    const blocks: Code = [];
    for (let first = 0; first < channels; first += BLOCK) blocks.push(...block(first, Math.min(BLOCK, channels - first)));
    return [
      ...forRange(v.i, i32c(0), i32.mul(i32.mul(i32.mul(get(v.KH), get(v.KW)), get(v.CI)), i32c(channels)), 1, f64.store(at8(get(v.tot), get(v.i)), f64c(0))),
      ...set(v.stepX, i32.shl(i32.mul(get(v.sw), get(v.CI)), i32c(2))),
      ...set(v.stepZ, i32c(4 * channels)),
      ...forRange(v.kh, i32c(0), get(v.KH), 1,
        set(v.offH, i32.sub(i32.mul(get(v.kh), get(v.dh)), get(v.padT))),
        range(v.ohMin, v.ohMax, v.offH, v.sh, v.H, v.OH),
        forRange(v.kw, i32c(0), get(v.KW), 1,
          set(v.offW, i32.sub(i32.mul(get(v.kw), get(v.dw)), get(v.padL))),
          range(v.owMin, v.owMax, v.offW, v.sw, v.W, v.OW),
          forRange(v.ci, i32c(0), get(v.CI), 1,
            // Row k = (kh, kw, ci) of dW starts at element k·CO.
            set(v.base, i32.mul(i32.add(i32.mul(i32.add(i32.mul(get(v.kh), get(v.KW)), get(v.kw)), get(v.CI)), get(v.ci)), i32c(channels))),
            blocks))),
      ...forRange(v.i, i32c(0), i32.mul(i32.mul(i32.mul(get(v.KH), get(v.KW)), get(v.CI)), i32c(channels)), 1,
        f32.store(at4(get(v.dW), get(v.i)), f32.fromF64(f64.load(at8(get(v.tot), get(v.i)))))),
    ];
  });
}
