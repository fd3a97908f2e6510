import { bytesChecksum } from '../data/checksum.js';

/** Fingerprint of a model's weights. Reads every weight back (dataSync), so call it outside timed phases. */
export function weightsChecksum(model: { getWeights(): Array<{ dataSync(): ArrayLike<number> }> }): string {
  return bytesChecksum(model.getWeights().map((weight) => weight.dataSync() as Float32Array));
}
