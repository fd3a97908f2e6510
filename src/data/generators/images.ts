/** Small images for the CNN: one pattern per class on a noisy background. Seeded; see ./index.ts for what every generator shares. */
import { Random } from '../random.js';
import type { Generator } from './types.js';
import type { DatasetSpec } from '../../results/schema.js';
import { allocateTable, type DataTable } from '../table.js';
import type { IdealQuality } from '../../results/schema.js';
import { assignShuffledGroups, evenCounts, IDEAL_SIMULATION_SAMPLES, logSumExp, requireInt, requireNonNegative, simulatedAccuracy } from './shared.js';

/** Class k draws IMAGE_PATTERNS[k]. */
export const IMAGE_PATTERNS = ['horizontal-bar', 'vertical-bar', 'diagonal', 'anti-diagonal', 'square', 'plus'] as const;
export type ImagePattern = (typeof IMAGE_PATTERNS)[number];

export interface ImagesOptions {
  /** Standard deviation of the gaussian noise on every pixel, in intensity units. */
  noise: number;
  /** Value added to the pattern's pixels (background is 0). */
  intensity: number;
}

export const IMAGES_DEFAULTS: Readonly<ImagesOptions> = { noise: 0.3, intensity: 1 };

/** Pixel offsets (row, col) of a pattern and the box they span. */
interface Stencil {
  rows: Int32Array;
  cols: Int32Array;
  height: number;
  width: number;
}

/** Bars and diagonals span ~5/8 of the image, so they fit at many positions and differ from a full-width line. */
export function patternStencil(pattern: ImagePattern, height: number, width: number): Stencil {
  const span = (size: number): number => Math.max(2, Math.ceil(size * 0.625));
  const cells: Array<[number, number]> = [];
  switch (pattern) {
    case 'horizontal-bar':
      for (let c = 0; c < span(width); c++) cells.push([0, c]);
      break;
    case 'vertical-bar':
      for (let r = 0; r < span(height); r++) cells.push([r, 0]);
      break;
    case 'diagonal':
      for (let k = 0; k < span(Math.min(height, width)); k++) cells.push([k, k]);
      break;
    case 'anti-diagonal': {
      const d = span(Math.min(height, width));
      for (let k = 0; k < d; k++) cells.push([k, d - 1 - k]);
      break;
    }
    case 'square': {
      const s = Math.max(2, Math.floor(Math.min(height, width) / 4));
      for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) cells.push([r, c]);
      break;
    }
    case 'plus':
      cells.push([0, 1], [1, 0], [1, 1], [1, 2], [2, 1]);
      break;
  }
  return {
    rows: Int32Array.from(cells, ([r]) => r),
    cols: Int32Array.from(cells, ([, c]) => c),
    height: 1 + Math.max(...cells.map(([r]) => r)),
    width: 1 + Math.max(...cells.map(([, c]) => c)),
  };
}

/**
 * Images in HWC order (features = height * width * channels): gaussian noise everywhere, plus the
 * class's pattern at a uniformly random position (the same in every channel). Position varies,
 * so a CNN's translation invariance helps; the pattern's shape is the only signal.
 */
export function makeImages(
  n: number,
  shape: readonly [number, number, number],
  classes: number,
  options: Readonly<ImagesOptions>,
  rng: Random,
): { table: DataTable } {
  const [height, width, channels] = shape;
  requireInt(height, 3, 'image height');
  requireInt(width, 3, 'image width');
  requireInt(channels, 1, 'image channels');
  requireInt(classes, 1, 'image classes');
  if (classes > IMAGE_PATTERNS.length) {
    throw new RangeError(`images support at most ${IMAGE_PATTERNS.length} classes (one per pattern), got ${classes}`);
  }
  requireNonNegative(options.noise, 'image noise');
  if (!Number.isFinite(options.intensity)) throw new RangeError(`image intensity must be finite, got ${options.intensity}`);
  const stencils = IMAGE_PATTERNS.slice(0, classes).map((p) => patternStencil(p, height, width));
  const features = height * width * channels;

  const table = allocateTable(n, features);
  const { x, y } = table;
  assignShuffledGroups(y, evenCounts(n, classes), rng);
  const { noise, intensity } = options;
  rng.fillNormal(x);
  for (let r = 0, base = 0; r < n; r++, base += features) {
    for (let j = 0; j < features; j++) x[base + j] = noise * x[base + j]!;
    const s = stencils[y[r]! | 0]!;
    const top = rng.int(height - s.height + 1);
    const left = rng.int(width - s.width + 1);
    for (let p = 0; p < s.rows.length; p++) {
      const pixel = base + ((top + s.rows[p]!) * width + left + s.cols[p]!) * channels;
      for (let ch = 0; ch < channels; ch++) x[pixel + ch]! += intensity;
    }
  }
  return { table };
}

/**
 * Bayes accuracy of the images: class k is its pattern at a uniformly random position plus gaussian
 * noise on every pixel, so its likelihood averages a gaussian over the positions. With t the pattern
 * placed at one position, log N(x; t, σ²) = (x·t − |t|²/2)/σ² plus terms equal for every class, so the
 * ideal classifier compares logsumexp over positions of that, minus log(positions). No closed form for
 * the overlap: simulated. Without noise the patterns (distinct shapes) are never confused.
 */
export function imagesIdealQuality(shape: readonly [number, number, number], classes: number, options: Readonly<ImagesOptions>, rng: Random): IdealQuality {
  const [height, width, channels] = shape;
  const { noise, intensity } = options;
  if (noise === 0 || intensity === 0) {
    return { metric: 'accuracy', value: intensity === 0 ? 1 / classes : 1, standardError: 0, method: 'closed-form', basis: intensity === 0 ? 'no pattern: chance' : 'noise-free patterns are never confused' };
  }
  const stencils = IMAGE_PATTERNS.slice(0, classes).map((p) => patternStencil(p, height, width));
  const pixels = height * width * channels;
  const x = new Float32Array(pixels);
  const terms = new Float64Array(height * width);
  const variance = noise * noise;
  let hits = 0;
  for (let s = 0; s < IDEAL_SIMULATION_SAMPLES; s++) {
    const cls = rng.int(classes);
    const drawn = stencils[cls]!;
    rng.fillNormal(x);
    for (let j = 0; j < pixels; j++) x[j] = noise * x[j]!;
    const top = rng.int(height - drawn.height + 1);
    const left = rng.int(width - drawn.width + 1);
    for (let p = 0; p < drawn.rows.length; p++) {
      const pixel = ((top + drawn.rows[p]!) * width + left + drawn.cols[p]!) * channels;
      for (let ch = 0; ch < channels; ch++) x[pixel + ch]! += intensity;
    }
    let best = -1;
    let bestScore = -Infinity;
    stencils.forEach((st, k) => {
      const half = (st.rows.length * channels * intensity * intensity) / 2;
      let count = 0;
      for (let r0 = 0; r0 <= height - st.height; r0++) {
        for (let c0 = 0; c0 <= width - st.width; c0++) {
          let dot = 0;
          for (let p = 0; p < st.rows.length; p++) {
            const pixel = ((r0 + st.rows[p]!) * width + c0 + st.cols[p]!) * channels;
            for (let ch = 0; ch < channels; ch++) dot += x[pixel + ch]!;
          }
          terms[count++] = (intensity * dot - half) / variance;
        }
      }
      const score = logSumExp(terms, count) - Math.log(count);
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    });
    if (best === cls) hits++;
  }
  return simulatedAccuracy(hits, IDEAL_SIMULATION_SAMPLES, `Bayes classifier of the ${classes} patterns at random positions with noise sd ${noise}`);
}

export const imagesGenerator: Generator = {
  description: '8x8x1 images, 3 classes: a horizontal bar, vertical bar or diagonal at a random position, noise sd 0.3',
  defaultSpec: {
    name: 'images',
    generator: 'images',
    task: 'classification',
    features: 64,
    classes: 3,
    imageShape: [8, 8, 1],
  },
  check(spec, where) {
    const [h, w, c] = imageShapeOf(spec);
    if (h * w * c !== spec.features) {
      throw new Error(`${where}: image shape ${h}x${w}x${c} has ${h * w * c} values but features is ${spec.features}; make them agree`);
    }
  },
  make: (spec, n, rng) => makeImages(n, imageShapeOf(spec), spec.classes, IMAGES_DEFAULTS, rng).table,
  idealQuality: (spec, rng) => imagesIdealQuality(imageShapeOf(spec), spec.classes, IMAGES_DEFAULTS, rng),
};

/** The spec's image shape, or a square single-channel one inferred from the feature count. */
export function imageShapeOf(spec: DatasetSpec): [number, number, number] {
  if (spec.imageShape) return spec.imageShape;
  const side = Math.round(Math.sqrt(spec.features));
  if (side * side !== spec.features) {
    throw new Error(
      `dataset "${spec.name}": images need an imageShape [height, width, channels] when features (${spec.features}) is not a perfect square`,
    );
  }
  return [side, side, 1];
}
