import { GrowableUint32 } from './growableArray';
import { Segment } from './segment';
import { StringListWriter } from './stringList';

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
 * runs (each input's dictionary is already sorted), comparing and copying their UTF-8 bytes in place; postings are
 * copied with renumbered documents. Nothing is decoded, so merging 100k chunks takes a fraction of a second.
 */
export function mergeSegments(inputs: readonly MergeInput[], id: number): MergeResult {
  const liveDocs = inputs.reduce((n, { segment }) => n + segment.docCount, 0);
  const docLengths = new GrowableUint32(liveDocs);
  const docFiles = new GrowableUint32(liveDocs);
  const docStartLines = new GrowableUint32(liveDocs);
  const docEndLines = new GrowableUint32(liveDocs);
  const docTitles = new StringListWriter(liveDocs);
  const filePaths = new StringListWriter();
  const fileLocations = new StringListWriter();
  let fileCount = 0;
  /** Per input: the number its document 0 gets when none of its documents is deleted (a plain shift), else -1. */
  const shifts = new Int32Array(inputs.length).fill(-1);
  const docMaps = inputs.map(({ segment, deleted }, input) => {
    const data = segment.data;
    if (!deleted?.some(bits => bits !== 0)) shifts[input] = docLengths.length;
    const map = new Int32Array(segment.docCount).fill(-1);
    const fileMap = new Int32Array(data.filePaths.length).fill(-1);
    for (let d = 0; d < segment.docCount; d++) {
      if (isDeleted(deleted, d)) continue;
      const oldFile = data.docFiles[d] ?? 0;
      if (fileMap[oldFile] === -1) {
        fileMap[oldFile] = fileCount++;
        filePaths.push(data.filePaths, oldFile);
        fileLocations.push(data.fileLocations, oldFile);
      }
      map[d] = docLengths.length;
      docLengths.push(data.docLengths[d] ?? 0);
      docFiles.push(fileMap[oldFile] ?? 0);
      docStartLines.push(data.docStartLines[d] ?? 0);
      docEndLines.push(data.docEndLines[d] ?? 0);
      docTitles.push(data.docTitles, d);
    }
    return map;
  });

  const upperBound = inputs.reduce((n, { segment }) => n + segment.data.postingDocs.length, 0);
  const postingDocs = new Uint32Array(upperBound);
  const postingTfs = new Uint16Array(upperBound);
  const termsAtLeast = inputs.reduce((n, { segment }) => Math.max(n, segment.termCount), 0);
  const postingStarts = new GrowableUint32(termsAtLeast + 1);
  const terms = new StringListWriter(termsAtLeast);
  const cursors = new Uint32Array(inputs.length);
  let written = 0;
  for (;;) {
    // The smallest term at the inputs' cursors.
    let first = -1;
    for (let i = 0; i < inputs.length; i++) {
      const list = (inputs[i] as MergeInput).segment.data.terms;
      const c = cursors[i] ?? 0;
      if (c >= list.length) continue;
      if (first < 0) first = i;
      else {
        const best = (inputs[first] as MergeInput).segment.data.terms;
        if (list.compareWith(c, best, cursors[first] ?? 0) < 0) first = i;
      }
    }
    if (first < 0) break;
    const firstTerms = (inputs[first] as MergeInput).segment.data.terms;
    const firstCursor = cursors[first] ?? 0;
    const before = written;
    for (let i = first; i < inputs.length; i++) {
      const data = (inputs[i] as MergeInput).segment.data;
      const c = cursors[i] ?? 0;
      if (c >= data.terms.length || (i !== first && data.terms.compareWith(c, firstTerms, firstCursor) !== 0)) continue;
      cursors[i] = c + 1;
      const { postingStarts: starts, postingDocs: docs, postingTfs: tfs } = data;
      const from = starts[c] ?? 0;
      const end = starts[c + 1] ?? 0;
      const shift = shifts[i] ?? -1;
      if (shift >= 0) {
        // Nothing deleted: the postings keep their order and frequencies, documents move by `shift`.
        postingTfs.set(tfs.subarray(from, end), written);
        for (let p = from; p < end; p++) postingDocs[written++] = (docs[p] ?? 0) + shift;
        continue;
      }
      const map = docMaps[i] as Int32Array;
      for (let p = from; p < end; p++) {
        const doc = map[docs[p] ?? 0] ?? -1;
        if (doc < 0) continue;
        postingDocs[written] = doc;
        postingTfs[written] = tfs[p] ?? 0;
        written++;
      }
    }
    if (written > before) {
      postingStarts.push(before);
      terms.push(firstTerms, firstCursor);
    }
  }
  postingStarts.push(written);
  const segment = new Segment({
    id,
    terms: terms.toList(),
    postingStarts: postingStarts.toArray(),
    postingDocs: written === upperBound ? postingDocs : postingDocs.slice(0, written),
    postingTfs: written === upperBound ? postingTfs : postingTfs.slice(0, written),
    docLengths: docLengths.toArray(),
    docFiles: docFiles.toArray(),
    docStartLines: docStartLines.toArray(),
    docEndLines: docEndLines.toArray(),
    docTitles: docTitles.toList(),
    filePaths: filePaths.toList(),
    fileLocations: fileLocations.toList(),
  });
  return { segment, docMaps };
}
