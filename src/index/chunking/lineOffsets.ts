import { grown } from '../base/growableArray';

const CR = 13;
const LF = 10;

/** Where each line starts and ends (the end excludes the line break), as offsets into a text or its UTF-8 bytes. */
export interface LineOffsets {
  starts: Uint32Array;
  ends: Uint32Array;
}

/**
 * The lines of UTF-8 bytes as `splitLines` finds them in the decoded text — BOM dropped, CRLF/CR/LF each end a line,
 * a final line break starts no extra line — as byte offsets, found with `Buffer.indexOf` (native, no loop here).
 * Line breaks are ASCII, which UTF-8 never uses inside a character: the lines of the bytes are the lines of the text.
 */
export function lineOffsets(bytes: Uint8Array): LineOffsets {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bom = buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return findLines(buffer.length, bom, (code, from) => buffer.indexOf(code, from));
}

/**
 * The lines of something `length` long from `from` on: each CR, LF or CRLF ends one, and a final break starts no
 * extra line. `indexOf(code, from)` finds the next CR (13) or LF (10) at or after `from` (-1 when none), natively.
 */
export function findLines(length: number, from: number, indexOf: (code: number, from: number) => number): LineOffsets {
  let starts = new Uint32Array(Math.max(16, length >>> 5));
  let ends = new Uint32Array(starts.length);
  let count = 0;
  let at = from;
  let cr = nextAt(indexOf, CR, at, length);
  let lf = nextAt(indexOf, LF, at, length);
  while (at < length) {
    const end = cr < lf ? cr : lf;
    if (count === starts.length) {
      starts = grown(starts, count + 1);
      ends = grown(ends, count + 1);
    }
    starts[count] = at;
    ends[count++] = end;
    // After a CR, the next LF is the one right after it exactly when the break is CRLF.
    at = end === cr && lf === end + 1 ? end + 2 : end + 1;
    if (cr < at) cr = nextAt(indexOf, CR, at, length);
    if (lf < at) lf = nextAt(indexOf, LF, at, length);
  }
  return { starts: starts.subarray(0, count), ends: ends.subarray(0, count) };
}

const nextAt = (
  indexOf: (code: number, from: number) => number,
  code: number,
  from: number,
  length: number,
): number => {
  const i = indexOf(code, from);
  return i < 0 ? length : i;
};
