/** Rows held out for the quality metric, beside `size` training rows. */
export function heldOutRows(size: number, testFraction: number): number {
  return Math.max(1, Math.round(size * testFraction));
}
