import { describe, expect, it } from 'vitest';
import { runDatagenBench } from '../benchmarks/datagen.js';

describe('runDatagenBench', () => {
  it('measures every requested generator and reports a plausible speed', async () => {
    const result = await runDatagenBench({ rows: 100_000, repeats: 1, generators: ['regression', 'moons'] });
    expect(result.rows).toBe(100_000);
    expect(result.generators.map((g) => g.generator)).toEqual(['regression', 'moons']);
    const regression = result.generators[0]!;
    expect(regression.features).toBe(32);
    expect(regression.valuesPerSec).toBeCloseTo((100_000 * 32) / (regression.bestMs / 1000), 0);
    // The headline is the 32-feature generator (regression), not the 2-feature moons.
    expect(result.valuesPerSec).toBe(regression.valuesPerSec);
    // Far below the 50 M/s target on purpose: only catches a generator gone absurdly slow on a busy machine.
    expect(result.valuesPerSec).toBeGreaterThan(5e6);
  });
});
