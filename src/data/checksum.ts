import { createHash } from 'node:crypto';

/**
 * Bytes handed to the hash per call. Node's Hash.update refuses a single input of 2 GiB or more
 * ("RangeError: data is too long"), which a 20-million-row data set is; chunks of views copy nothing.
 */
export const CHECKSUM_CHUNK_BYTES = 256 * 2 ** 20;

/** A short fingerprint of raw bytes, to prove two datasets or two sets of initial weights are identical. */
export function bytesChecksum(views: readonly ArrayBufferView[], chunkBytes: number = CHECKSUM_CHUNK_BYTES): string {
  const hash = createHash('sha256');
  for (const view of views) {
    for (let offset = 0; offset < view.byteLength; offset += chunkBytes) {
      hash.update(new Uint8Array(view.buffer, view.byteOffset + offset, Math.min(chunkBytes, view.byteLength - offset)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}
