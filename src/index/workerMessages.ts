import type { SyncResult } from './indexSync';
import { decodeManifest, encodeManifest } from './manifestCodec';
import type { IndexSnapshot } from './segmentedIndex';

/**
 * What the index worker posts back. The result's file table (30k records in a large workspace) travels encoded as
 * a manifest — a few column buffers, transferred — instead of as 30k objects that the host thread would have to
 * deserialize in one go; the segments' typed arrays, string tables included (UTF-8 bytes), are transferred, so the
 * host copies and decodes nothing when the message arrives.
 */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: SyncResult; files: Uint8Array }
  | { type: 'error'; message: string; stack?: string };

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
  const buffers = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined): void => {
    if (a && a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  };
  for (const s of snapshot.segments) {
    for (const a of [s.postingStarts, s.postingDocs, s.postingTfs, s.docLengths, s.docFiles, s.docStartLines, s.docEndLines]) add(a);
    for (const list of [s.terms, s.docTitles, s.filePaths, s.fileLocations]) {
      add(list.bytes);
      add(list.offsets);
    }
  }
  for (const d of snapshot.deletions) add(d);
  return [...buffers];
}
