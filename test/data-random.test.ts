import { describe, expect, it } from 'vitest';
import { Random } from '../src/data/random.js';

const MASK_64 = (1n << 64n) - 1n;

/** splitmix64 straight from Vigna's reference C code. */
function splitmix64Outputs(seed: bigint, count: number): bigint[] {
  let x = seed & MASK_64;
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    x = (x + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    out.push(z ^ (z >> 31n));
  }
  return out;
}

/** xoshiro128** from the reference C code, on BigInt words masked to 32 bits. */
function referenceXoshiro(state: [bigint, bigint, bigint, bigint], count: number): number[] {
  const m32 = 0xffffffffn;
  const rotl = (v: bigint, k: bigint): bigint => ((v << k) | (v >> (32n - k))) & m32;
  const s = [...state];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const result = (rotl((s[1]! * 5n) & m32, 7n) * 9n) & m32;
    const t = (s[1]! << 9n) & m32;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11n);
    out.push(Number(result));
  }
  return out;
}

/** Standard normal CDF via erfc (Numerical Recipes erfcc, |error| < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

describe('Random: the xoshiro128** core', () => {
  it('matches hand-computed outputs for state [1, 2, 3, 4]', () => {
    // Worked by hand from the C code: rotl(2*5, 7)*9 = 11520; then s[1] = 0; then s[1] = 1029 -> 5927040.
    const r = Random.fromState([1, 2, 3, 4]);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([11520, 0, 5927040]);
  });

  it('matches a BigInt reference implementation over 2000 outputs, including words above 2^31', () => {
    const state: [number, number, number, number] = [0x9e3779b9, 0x7f4a7c15, 0xdeadbeef, 0x01234567];
    const r = Random.fromState(state);
    const expected = referenceXoshiro(state.map((v) => BigInt(v >>> 0)) as [bigint, bigint, bigint, bigint], 2000);
    const got = Array.from({ length: 2000 }, () => r.nextUint32());
    expect(got).toEqual(expected);
  });

  it('rejects the all-zero state', () => {
    expect(() => Random.fromState([0, 0, 0, 0])).toThrow(/all zero/);
  });
});

describe('Random: seeding', () => {
  it('the splitmix64 reference reproduces the published test vector', () => {
    expect(splitmix64Outputs(1234567n, 3)).toEqual([6457827717110365317n, 3203168211198807973n, 9817491932198370423n]);
  });

  it('seeds xoshiro with two splitmix64 outputs, low word first', () => {
    for (const seed of [0, 1, 42, -1, 2 ** 53 - 1, -(2 ** 40)]) {
      const [a, b] = splitmix64Outputs(BigInt.asUintN(64, BigInt(seed)), 2) as [bigint, bigint];
      const words: [number, number, number, number] = [
        Number(a & 0xffffffffn),
        Number(a >> 32n),
        Number(b & 0xffffffffn),
        Number(b >> 32n),
      ];
      const fromSeed = new Random(seed);
      const fromWords = Random.fromState(words);
      for (let i = 0; i < 50; i++) expect(fromSeed.nextUint32()).toBe(fromWords.nextUint32());
    }
  });

  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const draw = (seed: number): number[] => {
      const r = new Random(seed);
      return Array.from({ length: 100 }, () => r.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(0)).not.toEqual(draw(-1));
  });

  it('pins the first outputs of seed 42 (portable: integer arithmetic only)', () => {
    const r = new Random(42);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([1776835114, 4165204688, 17111135]);
  });

  it('rejects seeds that are not safe integers, naming the flag', () => {
    expect(() => new Random(1.5)).toThrow(/--seed/);
    expect(() => new Random(Number.NaN)).toThrow(/safe integer/);
    expect(() => new Random(2 ** 53)).toThrow(/safe integer/);
  });
});

describe('Random: distributions', () => {
  it('uniform() is in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Random(1);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      sum += u;
      sq += u * u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    const mean = sum / n;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sq / n - mean * mean).toBeCloseTo(1 / 12, 3);
  });

  it('uniformIn(low, high) stays in [low, high)', () => {
    const r = new Random(2);
    for (let i = 0; i < 10_000; i++) {
      const v = r.uniformIn(-10, 10);
      expect(v >= -10 && v < 10).toBe(true);
    }
  });

  it('int(n) covers 0..n-1 evenly (chi-square) and handles the edges', () => {
    const r = new Random(3);
    const k = 7;
    const n = 70_000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(k)]! += 1;
    const expected = n / k;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 6 degrees of freedom: P(chi2 > 22.46) = 0.001.
    expect(chi2).toBeLessThan(22.46);
    expect(r.int(1)).toBe(0);
    const big = r.int(2 ** 32);
    expect(big >= 0 && big < 2 ** 32 && Number.isInteger(big)).toBe(true);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(2.5)).toThrow(RangeError);
    expect(() => r.int(2 ** 32 + 1)).toThrow(RangeError);
  });

  it('int(n) for n near 2^32 has no modulo bias toward the low half', () => {
    // With n = 3 * 2^30, plain u % n puts 5/8 of the draws below n / 2 (the block [n, 2^32) folds onto [0, n/3)); unbiased gives 1/2.
    const r = new Random(4);
    const n = 3 * 2 ** 30;
    let low = 0;
    const draws = 40_000;
    for (let i = 0; i < draws; i++) if (r.int(n) < n / 2) low++;
    expect(low / draws).toBeGreaterThan(0.48);
    expect(low / draws).toBeLessThan(0.52);
  });

  it('normal() is N(0, 1): moments, tails and a Kolmogorov-Smirnov test', () => {
    const r = new Random(5);
    const n = 200_000;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = r.normal();
    let sum = 0;
    let sq = 0;
    let fourth = 0;
    let beyond2 = 0;
    let beyondTail = 0;
    for (const v of values) {
      sum += v;
      sq += v * v;
      fourth += v ** 4;
      if (Math.abs(v) > 2) beyond2++;
      if (Math.abs(v) > 3.442619855899) beyondTail++;
    }
    expect(sum / n).toBeCloseTo(0, 2);
    expect(sq / n).toBeCloseTo(1, 1);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.015);
    expect(Math.abs(fourth / n - 3)).toBeLessThan(0.1);
    // P(|x| > 2) = 0.04550; P(|x| > 3.4426) = 5.76e-4 (the ziggurat's tail path).
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.003);
    expect(beyondTail / n).toBeGreaterThan(3e-4);
    expect(beyondTail / n).toBeLessThan(9e-4);
    values.sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = normalCdf(values[i]!);
      d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
    }
    // KS critical value at alpha = 0.001: 1.95 / sqrt(n) = 0.00436.
    expect(d).toBeLessThan(0.00436);
  });

  it('fillNormal gives the values of the same number of normal() calls, rounded to float32', () => {
    const a = new Random(6);
    const b = new Random(6);
    const filled = new Float32Array(50_000);
    a.fillNormal(filled, 10, 49_990);
    let mismatches = 0;
    for (let i = 10; i < 49_990; i++) if (filled[i] !== Math.fround(b.normal())) mismatches++;
    expect(mismatches).toBe(0);
    expect(filled[0]).toBe(0);
    expect(filled[49_999]).toBe(0);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });
});

describe('Random: shuffle and permutation', () => {
  it('shuffle keeps the elements and returns the same array', () => {
    const r = new Random(8);
    const a = Array.from({ length: 100 }, (_, i) => i);
    const out = r.shuffle(a);
    expect(out).toBe(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(r.shuffle([])).toEqual([]);
    expect(r.shuffle(['only'])).toEqual(['only']);
  });

  it('shuffles typed arrays in place', () => {
    const r = new Random(9);
    const a = Float32Array.from({ length: 50 }, (_, i) => i);
    r.shuffle(a);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('every ordering of 3 elements is about equally likely', () => {
    const r = new Random(10);
    const counts = new Map<string, number>();
    const trials = 24_000;
    for (let i = 0; i < trials; i++) {
      const key = r.shuffle([0, 1, 2]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - trials / 6)).toBeLessThan(250);
  });

  it('permutation(n) is a permutation of 0..n-1', () => {
    const p = new Random(11).permutation(1000);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Random(11).permutation(0).length).toBe(0);
  });
});
