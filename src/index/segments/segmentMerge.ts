import { GrowableUint32 } from '../base/growableArray';
import { FrontCodedList } from '../base/frontCodedList';
import { StringListWriter, type StringList } from '../base/stringList';
import { decodeList, encodePostings, postingCount } from './postings';
import { Segment } from './segment';

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
 * runs (each input's dictionary is already sorted, and unpacked from its front coding once), comparing and copying
 * their UTF-8 bytes in place; postings are copied with renumbered documents. No text is decoded, so a merge costs
 * little more than copying the bytes.
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
    const paths = data.filePaths.toStringList();
    const locations = data.fileLocations.toStringList();
    for (let d = 0; d < segment.docCount; d++) {
      if (isDeleted(deleted, d)) continue;
      const oldFile = data.docFiles[d] ?? 0;
      if (fileMap[oldFile] === -1) {
        fileMap[oldFile] = fileCount++;
        filePaths.push(paths, oldFile);
        fileLocations.push(locations, oldFile);
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

  // Terms: the inputs' sorted lists merged like sorted runs; every input term learns its output term (-1 when
  // none of its postings is live), and every output term how many postings it gets.
  const termMaps = inputs.map(({ segment }) => new Int32Array(segment.termCount).fill(-1));
  const lists = new ListScratch();
  const termsAtMost = inputs.reduce((n, { segment }) => n + segment.termCount, 0);
  const termLists = inputs.map(({ segment }) => segment.data.terms.toStringList());
  const termBytesAtMost = termLists.reduce((n, list) => n + list.bytes.length, 0);
  const terms = new StringListWriter(termsAtMost, termBytesAtMost);
  const counts = new Uint32Array(termsAtMost);
  const cursors = new Uint32Array(inputs.length);
  const same = new Int32Array(inputs.length);
  let termCount = 0;
  for (;;) {
    // The smallest term at the inputs' cursors, and the inputs that have it.
    let first = -1;
    let sameCount = 0;
    for (let i = 0; i < inputs.length; i++) {
      const list = termLists[i] as StringList;
      const c = cursors[i] ?? 0;
      if (c >= list.length) continue;
      const order = first < 0 ? -1 : list.compareWith(c, termLists[first] as StringList, cursors[first] ?? 0);
      if (order < 0) {
        first = i;
        sameCount = 0;
      }
      if (order <= 0) same[sameCount++] = i;
    }
    if (first < 0) break;
    let postings = 0;
    for (let k = 0; k < sameCount; k++) {
      const i = same[k] ?? 0;
      postings += livePostings(
        inputs[i] as MergeInput,
        cursors[i] ?? 0,
        shifts[i] ?? -1,
        docMaps[i] as Int32Array,
        lists,
      );
    }
    if (postings > 0) {
      terms.push(termLists[first] as StringList, cursors[first] ?? 0);
      counts[termCount] = postings;
      for (let k = 0; k < sameCount; k++) {
        const i = same[k] ?? 0;
        (termMaps[i] as Int32Array)[cursors[i] ?? 0] = termCount;
      }
      termCount++;
    }
    for (let k = 0; k < sameCount; k++) {
      const i = same[k] ?? 0;
      cursors[i] = (cursors[i] ?? 0) + 1;
    }
  }

  // Postings: each input's are decoded and copied in one pass, term by term to where its output term's next postings
  // go; inputs in order, so documents stay ascending within a term. Then they are compressed again.
  const postingStarts = new Uint32Array(termCount + 1);
  for (let t = 0; t < termCount; t++) postingStarts[t + 1] = (postingStarts[t] ?? 0) + (counts[t] ?? 0);
  const written = postingStarts[termCount] ?? 0;
  const postingDocs = new Uint32Array(written);
  const postingTfs = new Uint16Array(written);
  const next = postingStarts.slice(0, termCount);
  const scratch = new ListScratch();
  inputs.forEach(({ segment }, i) => {
    const { postingStarts: starts, postings } = segment.data;
    const view = new DataView(postings.buffer, postings.byteOffset, postings.byteLength);
    const termMap = termMaps[i] as Int32Array;
    const shift = shifts[i] ?? -1;
    const map = docMaps[i] as Int32Array;
    for (let c = 0; c < termMap.length; c++) {
      const t = termMap[c] ?? -1;
      if (t < 0) continue;
      let to = next[t] ?? 0;
      if (shift >= 0) {
        // Nothing deleted: the postings keep their order and frequencies, documents move by `shift`.
        const end = to + decodeList(postings, view, starts[c] ?? 0, postingDocs, postingTfs, to);
        if (shift !== 0) for (let q = to; q < end; q++) postingDocs[q] = (postingDocs[q] ?? 0) + shift;
        to = end;
      } else {
        const { docs, tfs, end } = scratch.decode(postings, view, starts[c] ?? 0);
        for (let p = 0; p < end; p++) {
          const doc = map[docs[p] ?? 0] ?? -1;
          if (doc < 0) continue;
          postingDocs[to] = doc;
          postingTfs[to] = tfs[p] ?? 0;
          to++;
        }
      }
      next[t] = to;
    }
  });
  const segment = new Segment({
    id,
    terms: FrontCodedList.of(terms.toList()),
    ...encodePostings(postingStarts, postingDocs, postingTfs),
    docLengths: docLengths.toArray(),
    docFiles: docFiles.toArray(),
    docStartLines: docStartLines.toArray(),
    docEndLines: docEndLines.toArray(),
    docTitles: docTitles.toList(),
    filePaths: FrontCodedList.of(filePaths.toList()),
    fileLocations: FrontCodedList.of(fileLocations.toList()),
  });
  return { segment, docMaps };
}

/** Postings of term `c` of an input that survive: all of them when nothing is deleted (`shift` ≥ 0). */
function livePostings(
  { segment }: MergeInput,
  c: number,
  shift: number,
  docMap: Int32Array,
  lists: ListScratch,
): number {
  if (shift >= 0) return segment.documentFrequency(c);
  const { postings, postingStarts } = segment.data;
  const { docs, end } = lists.decode(postings, lists.viewOf(postings), postingStarts[c] ?? 0);
  let live = 0;
  for (let p = 0; p < end; p++) if ((docMap[docs[p] ?? 0] ?? -1) >= 0) live++;
  return live;
}

/** Room to decode one list at a time into (grown as needed), and a view of the postings last decoded from. */
class ListScratch {
  private docs = new Uint32Array(1024);
  private tfs = new Uint16Array(1024);
  private view: DataView | undefined;

  decode(bytes: Uint8Array, view: DataView, start: number): { docs: Uint32Array; tfs: Uint16Array; end: number } {
    const count = postingCount(bytes, start);
    if (count > this.docs.length) {
      this.docs = new Uint32Array(count * 2);
      this.tfs = new Uint16Array(count * 2);
    }
    return { docs: this.docs, tfs: this.tfs, end: decodeList(bytes, view, start, this.docs, this.tfs, 0) };
  }

  viewOf(bytes: Uint8Array): DataView {
    if (this.view?.buffer !== bytes.buffer || this.view.byteOffset !== bytes.byteOffset)
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.view;
  }
}
