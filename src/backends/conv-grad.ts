/**
 * Gradient of a 2-D convolution with respect to its filter, for NHWC data, as a direct loop.
 *
 * tfjs 4.22's wasm backend has no Conv2DBackpropFilter kernel, and the cpu backend's (usable through
 * a copy bridge) indexes through generic buffers: ~200 ms per cnn-small step at batch 256. This
 * loop walks the data in memory order and runs that step in a few milliseconds.
 */

/** The geometry of a convolution (a subset of tfjs's backend_util.Conv2DInfo). */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  filterHeight: number;
  filterWidth: number;
  padInfo: { top: number; left: number };
}

/**
 * dW[kh, kw, ci, co] = Σ over b, oh, ow of x[b, ih, iw, ci] · dy[b, oh, ow, co], where
 * ih = oh·strideH − padTop + kh·dilationH (and likewise for w); out-of-range positions are padding.
 * x: [batch, inH, inW, inC]; dy: [batch, outH, outW, outC]; returns [fh, fw, inC, outC].
 * Sums run in float64.
 */
export function conv2dFilterGradient(x: ArrayLike<number>, dy: ArrayLike<number>, g: ConvGeometry): Float64Array {
  const { inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = g;
  const { filterHeight: KH, filterWidth: KW } = g;
  const dW = new Float64Array(KH * KW * CI * CO);
  for (let b = 0; b < g.batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((b * OH + oh) * OW + ow) * CO;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * g.strideHeight - g.padInfo.top + kh * g.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * g.strideWidth - g.padInfo.left + kw * g.dilationWidth;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((b * H + ih) * W + iw) * CI;
            for (let ci = 0; ci < CI; ci++) {
              const xv = x[xBase + ci] as number;
              if (xv === 0) continue;
              const wBase = ((kh * KW + kw) * CI + ci) * CO;
              for (let co = 0; co < CO; co++) dW[wBase + co] = (dW[wBase + co] as number) + xv * (dy[dyBase + co] as number);
            }
          }
        }
      }
    }
  }
  return dW;
}
