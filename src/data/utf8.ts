/**
 * Data files must be UTF-8. Decoding anything else "leniently" turns every byte it cannot read into
 * U+FFFD, so the Latin-1 labels "café" and "cafè" would both become "caf\uFFFD" and silently merge
 * into one class. Instead the bytes are checked as they stream in, and the first line that is not
 * UTF-8 is named with the fix.
 */
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { InputError } from '../config/errors.js';

const LINE_FEED = 0x0a;

/** Bytes a UTF-8 sequence starting with `lead` has in all; 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** How many bytes at the end of `bytes` start a sequence the next chunk will finish (0 to 3). */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const length = sequenceLength(byte);
    return length > back ? back : 0;
  }
  return 0;
}

/** The offset of the first byte that is not part of valid UTF-8 (isUtf8 said there is one). */
function firstInvalid(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes[i]!);
    if (length === 0 || i + length > bytes.length || !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return bytes.length;
}

function countLineFeeds(bytes: Buffer, end: number): number {
  let count = 0;
  for (let at = bytes.indexOf(LINE_FEED); at !== -1 && at < end; at = bytes.indexOf(LINE_FEED, at + 1)) count++;
  return count;
}

function notUtf8(file: string, line: number, byte: number | undefined): InputError {
  const shown = byte === undefined ? 'a sequence cut off at the end of the file' : `byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return new InputError(
    file,
    `line ${line} is not valid UTF-8 (${shown}). Read as UTF-8, distinct labels such as "café" and "cafè" would merge into one. ` +
      `Save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 in.csv > out.csv`,
  );
}

/**
 * A pass-through stream that fails with an InputError naming the file and line at the first byte
 * that is not UTF-8 (a byte-order mark is fine; the readers strip it).
 */
export function utf8Guard(file: string): Transform {
  let carry: Buffer = Buffer.alloc(0);
  let lineFeeds = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const complete = bytes.length - incompleteTail(bytes);
      const body = bytes.subarray(0, complete);
      if (!isUtf8(body)) {
        const bad = firstInvalid(body);
        return done(notUtf8(file, lineFeeds + countLineFeeds(body, bad) + 1, body[bad]));
      }
      lineFeeds += countLineFeeds(body, body.length);
      carry = Buffer.from(bytes.subarray(complete));
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      done(carry.length > 0 ? notUtf8(file, lineFeeds + 1, carry[0]) : null);
    },
  });
}

/** The same check for a file read whole (JSON arrays): throws naming the line. */
export function checkUtf8(bytes: Buffer, file: string): void {
  if (isUtf8(bytes)) return;
  const bad = firstInvalid(bytes);
  throw notUtf8(file, countLineFeeds(bytes, bad) + 1, bytes[bad]);
}
