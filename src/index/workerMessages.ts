import type { SyncRequest, SyncResult } from './indexSync';
import { decodeManifest, encodeManifest } from './manifestCodec';
import type { FilesToRead } from './readFiles';
import type { SegmentData } from './segment';
import type { FileRecord, IndexSnapshot } from './segmentedIndex';
import { StringList } from './stringList';

/** What an index worker is started to do: a whole sync, or (a helper of a sync) read the blocks of files it is sent. */
export type WorkerTask =
  | { kind: 'sync'; request: SyncRequest }
  | { kind: 'reader'; segmentId: number; maxFileBytes?: number; storeDir?: string };

/** What a sync sends its helper: a block of files to read into its segment, or the end (build the segment). */
export type HelperCommand = { type: 'files'; files: FilesToRead } | { type: 'end' };

/**
 * What the index worker posts back. The result's file table (30k records in a large workspace) travels encoded as
 * a manifest — a few column buffers, transferred — instead of as 30k objects that the host thread would have to
 * deserialize in one go; the segments' typed arrays, string tables included (UTF-8 bytes), are transferred, so the
 * host copies and decodes nothing when the message arrives.
 */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: SyncResult; files: Uint8Array }
  | ErrorMessage;

/**
 * What a helper posts back: a request for the next block when it has read one (with the files it read so far),
 * and at the end its segment (buffers transferred; `written` to the store) with its records.
 */
export type PartMessage =
  | { type: 'next'; done: number }
  | { type: 'part-done'; segment?: SegmentData; written: boolean; changed: FileRecord[]; restamped: FileRecord[] }
  | ErrorMessage;

export type ErrorMessage = { type: 'error'; message: string; stack?: string };

/** The 'done' message for a result, with the list of buffers to transfer. */
export function doneMessage(result: SyncResult): { message: WorkerMessage; transfer: ArrayBuffer[] } {
  const { snapshot } = result;
  const files = encodeManifest({
    folders: [],
    segmentIds: [],
    deletions: [],
    files: snapshot.files,
    nextSegmentId: snapshot.nextSegmentId,
    walkSkipped: result.walkSkipped,
    builtAt: 0,
  });
  const message: WorkerMessage = { type: 'done', result: { ...result, snapshot: { ...snapshot, files: [] } }, files };
  return { message, transfer: [...transferList(snapshot), files.buffer as ArrayBuffer] };
}

/** The result a 'done' message carries, with its file table decoded (awaiting `step` every few thousand records). */
export async function resultOf(message: Extract<WorkerMessage, { type: 'done' }>, step?: () => Promise<void>): Promise<SyncResult> {
  message.result.snapshot.files = (await decodeManifest(message.files, 'the index worker result', step)).files;
  return message.result;
}

/** The distinct buffers under a snapshot's typed arrays: moved to the receiving thread, not copied. */
export function transferList(snapshot: IndexSnapshot): ArrayBuffer[] {
  return distinctBuffers([...snapshot.segments.flatMap(segmentArrays), ...snapshot.deletions]);
}

/** The buffers of one segment, for a transfer list. */
export function segmentBuffers(segment: SegmentData): ArrayBuffer[] {
  return distinctBuffers(segmentArrays(segment));
}

function distinctBuffers(views: readonly (ArrayBufferView | undefined)[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const v of views) if (v && v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
  return [...buffers];
}

const segmentArrays = (s: SegmentData): ArrayBufferView[] => [
  s.postingStarts,
  s.postingDocs,
  s.postingTfs,
  s.docLengths,
  s.docFiles,
  s.docStartLines,
  s.docEndLines,
  ...[s.terms, s.docTitles, s.filePaths, s.fileLocations].flatMap(list => [list.bytes, list.offsets]),
];

/** Structured clone keeps data, not classes: gives a segment's string tables their methods back. */
export function reviveSegmentData(s: SegmentData): SegmentData {
  const revive = (l: StringList): StringList => new StringList(l.bytes, l.offsets);
  return { ...s, terms: revive(s.terms), docTitles: revive(s.docTitles), filePaths: revive(s.filePaths), fileLocations: revive(s.fileLocations) };
}
