const CR = 13;
const LF = 10;

/** Where each line of a file's UTF-8 bytes starts and ends (the end excludes the line break). */
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
  const n = buffer.length;
  let at = n >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  const starts: number[] = [];
  const ends: number[] = [];
  let cr = nextAt(buffer, CR, at);
  let lf = nextAt(buffer, LF, at);
  while (at < n) {
    const end = cr < lf ? cr : lf;
    starts.push(at);
    ends.push(end);
    at = end === cr && buffer[end + 1] === LF ? end + 2 : end + 1;
    if (cr < at) cr = nextAt(buffer, CR, at);
    if (lf < at) lf = nextAt(buffer, LF, at);
  }
  return { starts: Uint32Array.from(starts), ends: Uint32Array.from(ends) };
}

const nextAt = (buffer: Buffer, byte: number, from: number): number => {
  const i = buffer.indexOf(byte, from);
  return i < 0 ? buffer.length : i;
};
