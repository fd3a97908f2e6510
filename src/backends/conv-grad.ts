/**
 * Gradient of a 2-D convolution with respect to its filter, for NHWC data.
 *
 * tfjs 4.22's wasm backend has no Conv2DBackpropFilter kernel, and the cpu backend's (usable through
 * a copy bridge) indexes through generic buffers: ~200 ms per cnn-small step at batch 256.
 *
 * This is an im2col product done row by row: for each output position the receptive field of x (the
 * im2col row, K = kh·kw·inC values) is gathered once, and every non-zero gradient of that position
 * adds (gradient × row) to its column of dW. Skipping zeros is what makes it fast where it matters:
 * below a max-pool only one position per window gets a gradient and below a relu fewer still, so in
 * cnn-small ~80% of dy is zero and the product does a fifth of the dense work. (A dense im2col matrix
 * through wasm's XNNPACK matmul measured slower here: building and packing the [N, K] and [N, outC]
 * operands costs more than the sparse product itself.)
 */

/** Where a sliding window (a filter or a pooling window) reads: a subset of tfjs's backend_util.Conv2DInfo. */
export interface WindowGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padInfo: { top: number; left: number };
}

/** The geometry of a convolution. */
export interface ConvGeometry extends WindowGeometry {
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
}

type Floats = { readonly length: number; readonly [i: number]: number };

/**
 * dW[kh, kw, ci, co] = Σ over b, oh, ow of x[b, ih, iw, ci] · dy[b, oh, ow, co], where
 * ih = oh·strideH − padTop + kh·dilationH (and likewise for w); out-of-range positions are padding.
 * x: [batch, inH, inW, inC]; dy: [batch, outH, outW, outC]; returns [fh, fw, inC, outC].
 * Sums run in float64.
 */
export function conv2dFilterGradient(x: Floats, dy: Floats, g: ConvGeometry): Float64Array {
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = g;
  const { filterHeight: KH, filterWidth: KW } = g;
  const K = KH * KW * CI;
  // dW is accumulated transposed, [outC, K], so the inner loop walks both operands contiguously.
  const dWt = new Float64Array(CO * K);
  const patch = new Float64Array(K);
  for (let b = 0; b < g.batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const ihCorner = oh * g.strideHeight - g.padInfo.top;
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((b * OH + oh) * OW + ow) * CO;
        let any = false;
        for (let co = 0; co < CO; co++) {
          if (dy[dyBase + co] !== 0) {
            any = true;
            break;
          }
        }
        if (!any) continue;
        // The im2col row of this output position; padding contributes zeros.
        const iwCorner = ow * g.strideWidth - g.padInfo.left;
        let k = 0;
        for (let kh = 0; kh < KH; kh++) {
          const ih = ihCorner + kh * g.dilationHeight;
          const rowInside = ih >= 0 && ih < H;
          for (let kw = 0; kw < KW; kw++) {
            const iw = iwCorner + kw * g.dilationWidth;
            if (rowInside && iw >= 0 && iw < W) {
              const xBase = ((b * H + ih) * W + iw) * CI;
              for (let ci = 0; ci < CI; ci++) patch[k++] = x[xBase + ci] as number;
            } else {
              for (let ci = 0; ci < CI; ci++) patch[k++] = 0;
            }
          }
        }
        for (let co = 0; co < CO; co++) {
          const d = dy[dyBase + co] as number;
          if (d === 0) continue;
          const base = co * K;
          for (let j = 0; j < K; j++) dWt[base + j] = (dWt[base + j] as number) + (patch[j] as number) * d;
        }
      }
    }
  }
  const dW = new Float64Array(K * CO);
  for (let co = 0; co < CO; co++) for (let j = 0; j < K; j++) dW[j * CO + co] = dWt[co * K + j] as number;
  return dW;
}
