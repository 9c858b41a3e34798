import { ByteReader, ByteWriter, StoreFormatError } from './binaryFormat';
import { DEFAULT_BM25_PARAMS } from './bm25';
import { SKIP_REASONS, type SkipReason } from './discovery';
import type { FileRecord } from './segmentedIndex';
import { StringList } from './stringList';

/** Bump when the manifest layout changes. */
export const MANIFEST_FORMAT_VERSION = 2; // 2: string tables hold UTF-8 byte offsets

/**
 * What the stored postings depend on besides the layout: a store built with another tokenizer or other field
 * weights would rank wrongly, so it counts as an old version and is rebuilt. Bump the tokenizer tag with any
 * tokenizer change.
 */
export const RANKING_SCHEMA = `tokenizer:v1 bm25f:${DEFAULT_BM25_PARAMS.titleBoost}/${DEFAULT_BM25_PARAMS.pathBoost}`;

/** The store's table of contents: which segments, which deletions, which files. */
export interface Manifest {
  folders: string[];
  segmentIds: number[];
  /** Deletion bits per segment (same order), undefined when none. */
  deletions: (Uint8Array | undefined)[];
  files: FileRecord[];
  nextSegmentId: number;
  /** Files skipped while walking (symlink loops, unreadable folders): not in `files`. */
  walkSkipped: Record<SkipReason, number>;
  builtAt: number;
}

const NONE = 0xffffffff;

export function encodeManifest(m: Manifest): Uint8Array {
  const w = new ByteWriter();
  w.string(RANKING_SCHEMA);
  w.strings(StringList.from(m.folders));
  w.u32(m.nextSegmentId);
  w.f64(m.builtAt);
  for (const reason of SKIP_REASONS) w.u32(m.walkSkipped[reason]);
  w.array(Uint32Array.from(m.segmentIds));
  for (const bits of m.deletions) w.array(bits ?? new Uint8Array(0));
  const f = m.files;
  w.strings(StringList.from(f.map(r => r.path)));
  w.strings(StringList.from(f.map(r => r.location)));
  w.strings(StringList.from(f.map(r => r.hash)));
  w.array(Uint8Array.from(f.map(r => (r.skip ? SKIP_REASONS.indexOf(r.skip) + 1 : 0))));
  w.array(Uint32Array.from(f.map(r => (r.segment < 0 ? NONE : r.segment))));
  w.array(Uint32Array.from(f.map(r => r.firstDoc)));
  w.array(Uint32Array.from(f.map(r => r.docCount)));
  const stamps = new Float64Array(2 * f.length);
  f.forEach((r, i) => {
    stamps[2 * i] = r.mtimeMs;
    stamps[2 * i + 1] = r.size;
  });
  w.f64s(stamps);
  return w.finish(MANIFEST_FORMAT_VERSION);
}

/**
 * Decodes a manifest. A large workspace has 30k+ file records, ~50 ms of work: `step` (see createYielder) is
 * awaited every few thousand records so that the host thread is never held that long.
 */
export async function decodeManifest(bytes: Uint8Array, what: string, step: () => Promise<void> = noStep): Promise<Manifest> {
  const r = await ByteReader.openInSteps(bytes, MANIFEST_FORMAT_VERSION, what, step);
  const schema = r.string();
  if (schema !== RANKING_SCHEMA) throw new StoreFormatError('old-version', `${what}: built for ranking "${schema}", this Grounded uses "${RANKING_SCHEMA}"`);
  const folders = r.strings().toArray();
  const nextSegmentId = r.u32();
  const builtAt = r.f64();
  const walkSkipped = Object.fromEntries(SKIP_REASONS.map(reason => [reason, r.u32()])) as Record<SkipReason, number>;
  const segmentIds = [...r.u32s()];
  const deletions = segmentIds.map(() => {
    const bits = r.u8s();
    return bits.length ? bits.slice() : undefined; // a copy: deletion bits change in memory
  });
  const pathList = r.strings();
  const locationList = r.strings();
  const hashList = r.strings();
  const skips = r.u8s();
  const segments = r.u32s();
  const firstDocs = r.u32s();
  const docCounts = r.u32s();
  const n = pathList.length;
  if ([locationList.length, hashList.length, skips.length, segments.length, firstDocs.length, docCounts.length].some(len => len !== n))
    throw new StoreFormatError('corrupt', `${what}: file table columns disagree`);
  const stamps = r.f64s(2 * n);
  if (!r.atEnd) throw new StoreFormatError('corrupt', `${what}: unexpected bytes after the file table`);
  const files: FileRecord[] = [];
  for (let from = 0; from < n; from += RECORDS_PER_STEP) {
    await step();
    const to = Math.min(n, from + RECORDS_PER_STEP);
    const paths = pathList.toArray(from, to);
    const locations = locationList.toArray(from, to);
    const hashes = hashList.toArray(from, to);
    for (let i = from; i < to; i++) {
      const record: FileRecord = {
        path: paths[i - from] ?? '',
        location: locations[i - from] ?? '',
        hash: hashes[i - from] ?? '',
        mtimeMs: stamps[2 * i] ?? 0,
        size: stamps[2 * i + 1] ?? 0,
        segment: segments[i] === NONE ? -1 : (segments[i] ?? -1),
        firstDoc: firstDocs[i] ?? 0,
        docCount: docCounts[i] ?? 0,
      };
      const skip = SKIP_REASONS[(skips[i] ?? 0) - 1];
      if (skip) record.skip = skip;
      files.push(record);
    }
  }
  return { folders, segmentIds, deletions, files, nextSegmentId, walkSkipped, builtAt };
}

const noStep = (): Promise<void> => Promise.resolve();
/** File records decoded between two steps: a few ms of the host's thread. */
const RECORDS_PER_STEP = 2048;
