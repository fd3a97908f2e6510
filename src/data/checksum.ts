import { createHash } from 'node:crypto';

/** A short fingerprint of raw bytes, to prove two datasets or two sets of initial weights are identical. */
export function bytesChecksum(views: readonly ArrayBufferView[]): string {
  const hash = createHash('sha256');
  for (const view of views) hash.update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  return hash.digest('hex').slice(0, 16);
}
