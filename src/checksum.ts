import { createHash } from 'node:crypto';

/** A short fingerprint of raw bytes, to prove two datasets or two sets of initial weights are identical. */
export function bytesChecksum(views: readonly ArrayBufferView[]): string {
  const hash = createHash('sha256');
  for (const view of views) hash.update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return hash.digest('hex').slice(0, 16);
}

/** Fingerprint of a model's weights. Reads every weight back (dataSync), so call it outside timed phases. */
export function weightsChecksum(model: { getWeights(): Array<{ dataSync(): ArrayLike<number> }> }): string {
  return bytesChecksum(model.getWeights().map((weight) => weight.dataSync() as Float32Array));
}
