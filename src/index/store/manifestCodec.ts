import { StringList } from '../base/stringList';
import { SKIP_REASONS, type SkipReason } from '../discovery/skipReasons';
import { DEFAULT_BM25_PARAMS } from '../scoring/bm25';
import { HASH_BYTES, type FileColumns } from '../segments/fileTable';
import { ByteReader, ByteWriter, StoreFormatError } from './binaryFormat';

/** Bump when the manifest layout changes. */
export const MANIFEST_FORMAT_VERSION = 7; // 2: string tables hold UTF-8 byte offsets; 3: 'outside-link' and 'file-limit' walk skips; 4: a notebook's chunks are lines of its extracted cells; 5: PDFs read for their text layer, Word documents for their text; 6: file hashes as 20 raw bytes; 7: each segment file's checksum

/**
 * What the stored postings depend on besides the layout: a store built with another tokenizer or other field
 * weights would rank wrongly, so it counts as an old version and is rebuilt. Bump the tokenizer tag with any
 * tokenizer change (v2: identifiers read in NFKC, Greek letters in them spelled as their names; v3: British
 * spellings read as American; v4: CJK letters and their pairs).
 */
export const RANKING_SCHEMA = `tokenizer:v4 bm25f:${DEFAULT_BM25_PARAMS.titleBoost}/${DEFAULT_BM25_PARAMS.pathBoost}`;

/** The store's table of contents: which segments, which deletions, which files. */
export interface Manifest {
  folders: string[];
  segmentIds: number[];
  /**
   * The checksum in the header of each segment file (same order) as it was when the manifest was saved, so that a
   * file by that name with other content (another store's segment, one written after a crash) is never read as it.
   * The store fills them in when it saves.
   */
  segmentChecksums?: number[];
  /** Deletion bits per segment (same order), undefined when none. */
  deletions: (Uint8Array | undefined)[];
  files: FileColumns;
  nextSegmentId: number;
  /** Files skipped while walking (symlink loops, links leading outside, unreadable folders, files past the limit): not in `files`. */
  walkSkipped: Record<SkipReason, number>;
  builtAt: number;
}

export function encodeManifest(m: Manifest): Uint8Array {
  const w = new ByteWriter();
  w.string(RANKING_SCHEMA);
  w.strings(StringList.from(m.folders));
  w.u32(m.nextSegmentId);
  w.f64(m.builtAt);
  for (const reason of SKIP_REASONS) w.u32(m.walkSkipped[reason]);
  w.array(Uint32Array.from(m.segmentIds));
  if (m.segmentChecksums?.length !== m.segmentIds.length)
    throw new Error('A manifest is saved with the checksum of each of its segments.');
  w.array(Uint32Array.from(m.segmentChecksums));
  for (const bits of m.deletions) w.array(bits ?? new Uint8Array(0));
  const f = m.files;
  w.strings(f.paths);
  w.strings(f.locations);
  w.array(f.hashes);
  w.array(f.skips);
  w.array(new Uint32Array(f.segments.buffer, f.segments.byteOffset, f.segments.length)); // -1 is stored as 0xffffffff
  w.array(f.firstDocs);
  w.array(f.docCounts);
  w.f64s(f.stamps);
  return w.finish(MANIFEST_FORMAT_VERSION);
}

/**
 * Decodes a manifest. The file table stays in columns over `bytes` (30k+ files in a large workspace: no object per
 * file); only the checksum takes long enough that `step` (see createYielder) is awaited between slices of it.
 */
export async function decodeManifest(
  bytes: Uint8Array,
  what: string,
  step: () => Promise<void> = noStep,
): Promise<Manifest> {
  const r = await ByteReader.openInSteps(bytes, MANIFEST_FORMAT_VERSION, what, step);
  const schema = r.string();
  if (schema !== RANKING_SCHEMA)
    throw new StoreFormatError(
      'old-version',
      `${what}: built for ranking "${schema}", this Grounded uses "${RANKING_SCHEMA}"`,
    );
  const folders = r.strings().toArray();
  const nextSegmentId = r.u32();
  const builtAt = r.f64();
  const walkSkipped = Object.fromEntries(SKIP_REASONS.map(reason => [reason, r.u32()])) as Record<SkipReason, number>;
  const segmentIds = [...r.u32s()];
  const segmentChecksums = [...r.u32s()];
  if (segmentChecksums.length !== segmentIds.length)
    throw new StoreFormatError('corrupt', `${what}: segment checksums disagree with its segments`);
  const deletions = segmentIds.map(() => {
    const bits = r.u8s();
    return bits.length ? bits.slice() : undefined; // a copy: deletion bits change in memory
  });
  const paths = r.strings();
  const locations = r.strings();
  const hashes = r.u8s();
  const skips = r.u8s();
  const segments = r.u32s();
  const firstDocs = r.u32s();
  const docCounts = r.u32s();
  const n = paths.length;
  if (
    [
      locations.length,
      hashes.length / HASH_BYTES,
      skips.length,
      segments.length,
      firstDocs.length,
      docCounts.length,
    ].some(len => len !== n)
  )
    throw new StoreFormatError('corrupt', `${what}: file table columns disagree`);
  if (skips.some(s => s > SKIP_REASONS.length)) throw new StoreFormatError('corrupt', `${what}: unknown skip reason`);
  const stamps = r.f64s(2 * n);
  if (!r.atEnd) throw new StoreFormatError('corrupt', `${what}: unexpected bytes after the file table`);
  const files: FileColumns = {
    paths,
    locations,
    hashes,
    stamps,
    skips,
    segments: new Int32Array(segments.buffer, segments.byteOffset, segments.length),
    firstDocs,
    docCounts,
  };
  return { folders, segmentIds, segmentChecksums, deletions, files, nextSegmentId, walkSkipped, builtAt };
}

const noStep = (): Promise<void> => Promise.resolve();
