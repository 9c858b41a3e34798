import { FrontCodedList } from '../base/frontCodedList';
import { StringList } from '../base/stringList';
import type { DocumentSettings } from '../documents/documents';
import type { FileColumns, FileRecord } from '../segments/fileTable';
import type { SegmentData } from '../segments/segment';
import type { IndexSnapshot } from '../segments/segmentedIndex';
import type { IndexThreadOptions } from './indexThreadMessages';
import type { FilesToRead } from './segmentReader';
import type { SyncProgress, SyncRequest, SyncResult } from './syncRequest';

/**
 * What an index worker is started to do: hold the index and answer the host (the index thread, see indexThread),
 * a whole sync, or (a helper of a sync) read the blocks of files it is sent.
 */
export type WorkerTask =
  | { kind: 'index'; options: IndexThreadOptions }
  | { kind: 'sync'; request: SyncRequest }
  | { kind: 'reader'; segmentId: number; maxFileBytes?: number; documents?: DocumentSettings; storeDir?: string };

/** What a sync sends its helper: a block of files to read into its segment, or the end (build the segment). */
export type HelperCommand = { type: 'files'; files: FilesToRead } | { type: 'end' };

/**
 * What the index worker posts back. The result's typed arrays — the segments' and the file table's columns, string
 * tables included (UTF-8 bytes) — are transferred, so the host copies and decodes nothing when the message
 * arrives (records as objects would be one object per file to deserialize in one go).
 */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number; growing?: true }
  | { type: 'done'; result: SyncResult }
  | ErrorMessage;

/**
 * What a helper posts back: a request for the next block when it has read one (with the files it read so far),
 * and at the end its segment (buffers transferred; `written`: its file's checksum, when it was written to the store)
 * with its records (columns, transferred).
 */
export type PartMessage =
  | { type: 'next'; done: number }
  | { type: 'part-done'; segment?: SegmentData; written?: number; changed: FileColumns; restamped: FileRecord[] }
  | ErrorMessage;

export type ErrorMessage = { type: 'error'; message: string; stack?: string };

/** The progress a 'progress' message reports. */
export const progressOf = ({ done, total, growing }: Extract<WorkerMessage, { type: 'progress' }>): SyncProgress => ({
  done,
  total,
  ...(growing ? { growing: true as const } : {}),
});

/** The error an 'error' message reports, with the stack it had where it was thrown. */
export const errorOf = ({ message, stack }: ErrorMessage): Error => Object.assign(new Error(message), { stack });

/** The 'error' message for what was thrown, with the stack of an Error (the inverse of errorOf). */
export const errorMessage = (e: unknown): ErrorMessage => ({
  type: 'error',
  message: e instanceof Error ? e.message : String(e),
  stack: e instanceof Error ? e.stack : undefined,
});

/** The 'done' message for a result, with the list of buffers to transfer. */
export function doneMessage(result: SyncResult): { message: WorkerMessage; transfer: ArrayBuffer[] } {
  return { message: { type: 'done', result }, transfer: transferList(result.snapshot) };
}

/** The result a 'done' message carries, its string tables given their methods back (structured clone keeps data, not classes). */
export function resultOf(message: Extract<WorkerMessage, { type: 'done' }>): SyncResult {
  const { snapshot } = message.result;
  snapshot.segments = snapshot.segments.map(reviveSegmentData);
  snapshot.files = reviveFileColumns(snapshot.files);
  return message.result;
}

/** Structured clone keeps data, not classes: gives file columns' string tables their methods back. */
export const reviveFileColumns = (f: FileColumns): FileColumns => ({
  ...f,
  paths: revive(f.paths),
  locations: revive(f.locations),
});

/** The buffers of a helper's part: its segment's and its records' columns. */
export function partBuffers(segment: SegmentData | undefined, changed: FileColumns): ArrayBuffer[] {
  return distinctBuffers([...(segment ? segmentArrays(segment) : []), ...fileArrays(changed)]);
}

/** The distinct buffers under a snapshot's typed arrays: moved to the receiving thread, not copied. */
export function transferList(snapshot: IndexSnapshot): ArrayBuffer[] {
  return distinctBuffers([
    ...snapshot.segments.flatMap(segmentArrays),
    ...snapshot.deletions,
    ...fileArrays(snapshot.files),
  ]);
}

function distinctBuffers(views: readonly (ArrayBufferView | undefined)[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const v of views) if (v && v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
  return [...buffers];
}

const segmentArrays = (s: SegmentData): ArrayBufferView[] => [
  s.postingStarts,
  s.postings,
  s.docLengths,
  s.docFiles,
  s.docStartLines,
  s.docEndLines,
  ...[s.terms, s.filePaths, s.fileLocations].flatMap(list => [list.bytes, list.blockStarts]),
  s.docTitles.bytes,
  s.docTitles.offsets,
];

const fileArrays = (f: FileColumns): ArrayBufferView[] => [
  ...[f.paths, f.locations].flatMap(list => [list.bytes, list.offsets]),
  f.hashes,
  f.stamps,
  f.skips,
  f.segments,
  f.firstDocs,
  f.docCounts,
];

const revive = (l: StringList): StringList => new StringList(l.bytes, l.offsets);
const reviveCoded = (l: FrontCodedList): FrontCodedList => new FrontCodedList(l.bytes, l.blockStarts, l.length);

/** Structured clone keeps data, not classes: gives a segment's string tables their methods back. */
export function reviveSegmentData(s: SegmentData): SegmentData {
  return {
    ...s,
    terms: reviveCoded(s.terms),
    docTitles: revive(s.docTitles),
    filePaths: reviveCoded(s.filePaths),
    fileLocations: reviveCoded(s.fileLocations),
  };
}
