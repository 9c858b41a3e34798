import { GrowableUint32 } from './growableArray';
import { Segment } from './segment';
import { StringList } from './stringList';

export interface MergeInput {
  segment: Segment;
  /** Deletion bits of the segment (bit d set = document d is gone), if any. */
  deleted?: Uint8Array;
}

export interface MergeResult {
  segment: Segment;
  /** Per input: old document → new document, or -1 for a deleted one. */
  docMaps: Int32Array[];
}

export const isDeleted = (deleted: Uint8Array | undefined, doc: number): boolean =>
  deleted !== undefined && ((deleted[doc >>> 3] ?? 0) & (1 << (doc & 7))) !== 0;

/**
 * Writes the live documents of several segments into one new segment, in input order: deleted documents and the
 * terms only they used disappear, so document frequencies become exact again. Term lists are merged like sorted
 * runs (each input's dictionary is already sorted), postings copied with renumbered documents.
 */
export function mergeSegments(inputs: readonly MergeInput[], id: number): MergeResult {
  const docLengths = new GrowableUint32();
  const docFiles = new GrowableUint32();
  const docStartLines = new GrowableUint32();
  const docEndLines = new GrowableUint32();
  const docTitles: string[] = [];
  const filePaths: string[] = [];
  const fileLocations: string[] = [];
  const docMaps = inputs.map(({ segment, deleted }) => {
    const data = segment.data;
    const map = new Int32Array(segment.docCount).fill(-1);
    const fileMap = new Int32Array(data.filePaths.length).fill(-1);
    for (let d = 0; d < segment.docCount; d++) {
      if (isDeleted(deleted, d)) continue;
      const oldFile = data.docFiles[d] ?? 0;
      if (fileMap[oldFile] === -1) {
        fileMap[oldFile] = filePaths.length;
        filePaths.push(data.filePaths.get(oldFile));
        fileLocations.push(data.fileLocations.get(oldFile));
      }
      map[d] = docLengths.length;
      docLengths.push(data.docLengths[d] ?? 0);
      docFiles.push(fileMap[oldFile] ?? 0);
      docStartLines.push(data.docStartLines[d] ?? 0);
      docEndLines.push(data.docEndLines[d] ?? 0);
      docTitles.push(data.docTitles.get(d));
    }
    return map;
  });

  const upperBound = inputs.reduce((n, { segment }) => n + segment.data.postingDocs.length, 0);
  const postingDocs = new Uint32Array(upperBound);
  const postingTfs = new Uint16Array(upperBound);
  const postingStarts = new GrowableUint32();
  const terms: string[] = [];
  const cursors = inputs.map(() => 0);
  let written = 0;
  for (;;) {
    let next: string | undefined;
    inputs.forEach(({ segment }, i) => {
      const c = cursors[i] ?? 0;
      if (c >= segment.termCount) return;
      const term = segment.data.terms.get(c);
      if (next === undefined || term < next) next = term;
    });
    if (next === undefined) break;
    const before = written;
    inputs.forEach(({ segment }, i) => {
      const c = cursors[i] ?? 0;
      if (c >= segment.termCount || segment.data.terms.compareAt(c, next ?? '') !== 0) return;
      cursors[i] = c + 1;
      const { postingStarts: starts, postingDocs: docs, postingTfs: tfs } = segment.data;
      const map = docMaps[i] ?? new Int32Array(0);
      for (let p = starts[c] ?? 0; p < (starts[c + 1] ?? 0); p++) {
        const doc = map[docs[p] ?? 0] ?? -1;
        if (doc < 0) continue;
        postingDocs[written] = doc;
        postingTfs[written] = tfs[p] ?? 0;
        written++;
      }
    });
    if (written > before) {
      postingStarts.push(before);
      terms.push(next);
    }
  }
  postingStarts.push(written);
  const segment = new Segment({
    id,
    terms: StringList.from(terms),
    postingStarts: postingStarts.toArray(),
    postingDocs: postingDocs.slice(0, written),
    postingTfs: postingTfs.slice(0, written),
    docLengths: docLengths.toArray(),
    docFiles: docFiles.toArray(),
    docStartLines: docStartLines.toArray(),
    docEndLines: docEndLines.toArray(),
    docTitles: StringList.from(docTitles),
    filePaths: StringList.from(filePaths),
    fileLocations: StringList.from(fileLocations),
  });
  return { segment, docMaps };
}
