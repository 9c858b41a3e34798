import type { SegmentData } from '../segments/segment';
import { POSTING_PADDING } from '../segments/postings';
import { ByteReader, ByteWriter, StoreFormatError } from './binaryFormat';

/** Bump when the segment layout changes: older files are then rebuilt, never misread. */
// 2: string tables hold UTF-8 byte offsets; 3: terms front-coded; 4: file paths and locations front-coded too;
// 5: postings compressed in blocks (segments/postings.ts).
export const SEGMENT_FORMAT_VERSION = 5;

export function encodeSegment(s: SegmentData): Uint8Array {
  const w = new ByteWriter();
  w.u32(s.id);
  w.frontCoded(s.terms);
  w.array(s.postingStarts);
  w.array(s.postings);
  w.array(s.docLengths);
  w.array(s.docFiles);
  w.array(s.docStartLines);
  w.array(s.docEndLines);
  w.strings(s.docTitles);
  w.frontCoded(s.filePaths);
  w.frontCoded(s.fileLocations);
  return w.finish(SEGMENT_FORMAT_VERSION);
}

/**
 * Checks and maps a segment file: every array and string table is a view of `bytes`, nothing is copied or decoded.
 * The checksum is the only pass over the bytes; `step` is awaited between its slices (see ByteReader.openInSteps).
 */
export async function decodeSegment(
  bytes: Uint8Array,
  what: string,
  step: () => Promise<void> = () => Promise.resolve(),
): Promise<SegmentData> {
  const r = await ByteReader.openInSteps(bytes, SEGMENT_FORMAT_VERSION, what, step);
  const s: SegmentData = {
    id: r.u32(),
    terms: r.frontCoded(),
    postingStarts: r.u32s(),
    postings: r.u8s(),
    docLengths: r.u32s(),
    docFiles: r.u32s(),
    docStartLines: r.u32s(),
    docEndLines: r.u32s(),
    docTitles: r.strings(),
    filePaths: r.frontCoded(),
    fileLocations: r.frontCoded(),
  };
  const docs = s.docLengths.length;
  const consistent =
    r.atEnd &&
    s.postingStarts.length === s.terms.length + 1 &&
    s.postingStarts[s.terms.length] === s.postings.length - POSTING_PADDING &&
    postingStartsAscend(s.postingStarts) &&
    s.docFiles.length === docs &&
    s.docStartLines.length === docs &&
    s.docEndLines.length === docs &&
    s.docTitles.length === docs &&
    s.filePaths.length === s.fileLocations.length;
  if (!consistent) throw new StoreFormatError('corrupt', `${what}: sections disagree`);
  return s;
}

/** Each term's list starts at or after the one before (so no list's bytes run past the postings' end). */
function postingStartsAscend(starts: Uint32Array): boolean {
  for (let t = 1; t < starts.length; t++) if ((starts[t] ?? 0) < (starts[t - 1] ?? 0)) return false;
  return true;
}
