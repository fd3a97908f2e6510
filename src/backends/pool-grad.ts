/**
 * Gradient of 2-D max pooling for NHWC data: each window's gradient goes to the window's maximum.
 *
 * Why not tfjs 4.22's wasm MaxPoolGrad: it recomputes every window's argmax through a generic
 * pooling template and then, for every input position, scans every window that covers it: ~2.7 ms
 * per cnn-small step at batch 256, a third of the step. One pass that finds each window's argmax
 * and adds the window's gradient there does the same in a fraction of that.
 *
 * Semantics are those of the cpu backend (the reference): the first maximum of a window in row-major
 * window order wins ties, and a window with no element above -Infinity passes no gradient. The stock
 * wasm kernel agrees whenever the window's maximum is positive and unique; it differs on ties (it
 * takes the last maximum) and on windows whose maximum is <= 0, which get no gradient at all (its
 * running maximum starts at FLT_MIN, the smallest positive float, and its argmax at element 0 of the
 * whole tensor): a wrong gradient for inputs that can be negative. Below a relu that difference
 * does not reach the weights: a window whose maximum is 0 sits where the relu's gradient is 0.
 */

import type { WindowGeometry } from './conv-grad.js';

/** The geometry of a pooling window. */
export interface PoolGeometry extends WindowGeometry {
  effectiveFilterHeight: number;
  effectiveFilterWidth: number;
}

/**
 * dx (same shape as x, [batch, inH, inW, C]) from x and dy ([batch, outH, outW, C]). `dx` must be
 * zero-filled (a fresh wasm output is not: the caller passes a cleared view).
 */
export function maxPoolGradient(x: Float32Array, dy: Float32Array, g: PoolGeometry, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = g;
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  for (let b = 0; b < g.batchSize; b++) {
    const xBatch = b * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const rowCorner = oh * sh - g.padInfo.top;
      let rowMin = rowCorner;
      while (rowMin < 0) rowMin += dh;
      const rowMax = Math.min(H, g.effectiveFilterHeight + rowCorner);
      for (let ow = 0; ow < OW; ow++) {
        const colCorner = ow * sw - g.padInfo.left;
        let colMin = colCorner;
        while (colMin < 0) colMin += dw;
        const colMax = Math.min(W, g.effectiveFilterWidth + colCorner);
        // Plain loops, not fill(): a builtin call per window costs more than the window's work.
        for (let ch = 0; ch < C; ch++) {
          best[ch] = -Infinity;
          where[ch] = -1;
        }
        // All channels of a window position at once: NHWC keeps them contiguous.
        for (let r = rowMin; r < rowMax; r += dh) {
          for (let c = colMin; c < colMax; c += dw) {
            const base = xBatch + (r * W + c) * C;
            for (let ch = 0; ch < C; ch++) {
              const v = x[base + ch] as number;
              if (v > (best[ch] as number)) {
                best[ch] = v;
                where[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * OH + oh) * OW + ow) * C;
        for (let ch = 0; ch < C; ch++) {
          const at = where[ch] as number;
          if (at >= 0) dx[at] = (dx[at] as number) + (dy[dyBase + ch] as number);
        }
      }
    }
  }
}
