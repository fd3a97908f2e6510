import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker-pool and browser tests spawn threads and processes; on a 2-core machine
    // running test files in parallel makes them fight for cores and time out.
    fileParallelism: false,
    testTimeout: 120_000,
    // The JSON copy lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest-results.json' },
    hookTimeout: 120_000,
  },
});
