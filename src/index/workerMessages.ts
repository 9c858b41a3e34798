import type { SyncResult } from './indexSync';
import type { IndexSnapshot } from './segmentedIndex';

/** What the index worker posts back. */
export type WorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: SyncResult }
  | { type: 'error'; message: string; stack?: string };

/** The distinct buffers under a snapshot's typed arrays: moved to the receiving thread, not copied. */
export function transferList(snapshot: IndexSnapshot): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined): void => {
    if (a && a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  };
  for (const s of snapshot.segments) {
    for (const a of [s.postingStarts, s.postingDocs, s.postingTfs, s.docLengths, s.docFiles, s.docStartLines, s.docEndLines]) add(a);
    for (const list of [s.terms, s.docTitles, s.filePaths, s.fileLocations]) add(list.offsets);
  }
  for (const d of snapshot.deletions) add(d);
  return [...buffers];
}
