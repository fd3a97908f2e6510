/**
 * A small seeded pseudo-random generator, so that resampling statistics are reproducible:
 * the same inputs and seed give the same interval on every machine and every run.
 */

/** Returns a generator of uniform numbers in [0, 1) (mulberry32: 32-bit state, period 2^32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n) drawn from `random`. */
export function randomIndex(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** A standard normal draw from `random` (Box-Muller; one of the pair is used, which keeps the stream simple). */
export function standardNormal(random: () => number): number {
  let u = random();
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
