import { ByteReader, ByteWriter, StoreFormatError } from './binaryFormat';
import type { SegmentData } from './segment';

/** Bump when the segment layout changes: older files are then rebuilt, never misread. */
export const SEGMENT_FORMAT_VERSION = 1;

export function encodeSegment(s: SegmentData): Uint8Array {
  const w = new ByteWriter();
  w.u32(s.id);
  w.strings(s.terms);
  w.array(s.postingStarts);
  w.array(s.postingDocs);
  w.array(s.postingTfs);
  w.array(s.docLengths);
  w.array(s.docFiles);
  w.array(s.docStartLines);
  w.array(s.docEndLines);
  w.strings(s.docTitles);
  w.strings(s.filePaths);
  w.strings(s.fileLocations);
  return w.finish(SEGMENT_FORMAT_VERSION);
}

/** Decodes and checks that the sections agree with each other (the checksum has already vouched for the bytes). */
export function decodeSegment(bytes: Uint8Array, what: string): SegmentData {
  const r = ByteReader.open(bytes, SEGMENT_FORMAT_VERSION, what);
  const s: SegmentData = {
    id: r.u32(),
    terms: r.strings(),
    postingStarts: r.u32s(),
    postingDocs: r.u32s(),
    postingTfs: r.u16s(),
    docLengths: r.u32s(),
    docFiles: r.u32s(),
    docStartLines: r.u32s(),
    docEndLines: r.u32s(),
    docTitles: r.strings(),
    filePaths: r.strings(),
    fileLocations: r.strings(),
  };
  const docs = s.docLengths.length;
  const consistent =
    r.atEnd &&
    s.postingStarts.length === s.terms.length + 1 &&
    s.postingStarts[s.terms.length] === s.postingDocs.length &&
    s.postingTfs.length === s.postingDocs.length &&
    s.docFiles.length === docs &&
    s.docStartLines.length === docs &&
    s.docEndLines.length === docs &&
    s.docTitles.length === docs &&
    s.filePaths.length === s.fileLocations.length;
  if (!consistent) throw new StoreFormatError('corrupt', `${what}: sections disagree`);
  return s;
}
