/** Pure statistics. Nothing here knows about benchmarks, cells or files. */
export * from './bootstrap.js';
export * from './complexity.js';
export * from './descriptive.js';
export * from './distributions.js';
export * from './mann-whitney.js';
export * from './parallel.js';
export * from './random.js';
export * from './regression.js';
export * from './usl.js';
export * from './types.js';
export * from './learning-curve.js';
export * from './convergence.js';
export * from './prediction.js';
export * from './law-bootstrap.js';
export * from './affine-law.js';
export * from './learning-curve-inverse.js';
