import { emptySkipCounts, SKIP_REASONS, type SkipReason } from '../discovery/skipReasons';
import type { SegmentedIndex } from './segmentedIndex';

export interface IndexStats {
  /** Files with at least one searchable chunk or none (empty files count), skipped files excluded. */
  files: number;
  chunks: number;
  segments: number;
  /** Chunks deleted but still held by a segment until the next merge. */
  deletedChunks: number;
  skipped: Record<SkipReason, number>;
  /** Bytes held by the segments (typed arrays and strings). */
  indexBytes: number;
  /** When the index last changed (ms since the epoch). */
  builtAt: number;
  /**
   * The last full sync: how long it walked and, from the walk's end, indexed (of which reading — reading, chunking
   * and counting the files on `threads` threads, begun while the walk still ran — and saving), and on how many
   * threads it read files.
   */
  timings: { discoverMs: number; indexMs: number; readMs: number; saveMs: number; threads: number };
  /**
   * The last full sync: files read, skipped ones among them (a binary file is read to learn that it is one); those
   * whose bytes turned out unchanged are counted here too.
   */
  filesRead: number;
  /** The last full sync: files found unchanged by mtime and size, so not read. Found = read + unchanged. */
  filesUnchanged: number;
  /** Why the index in use is not saved in its store (its last save failed); absent once a save succeeds. */
  saveProblem?: string;
}

/** Counts of a SegmentedIndex; `walkSkipped` are the skips the walk found (they have no file record). */
export function indexStats(
  index: SegmentedIndex,
  walkSkipped: Record<SkipReason, number>,
  extra: Pick<IndexStats, 'builtAt' | 'timings' | 'filesRead' | 'filesUnchanged'>,
): IndexStats {
  const skipped = emptySkipCounts();
  for (const reason of SKIP_REASONS) skipped[reason] = walkSkipped[reason] ?? 0;
  return {
    files: index.countFiles(skipped),
    chunks: index.chunkCount,
    segments: index.segmentList.length,
    deletedChunks: index.deletedCount,
    skipped,
    indexBytes: index.byteSize,
    ...extra,
  };
}

/** Skip reasons that get a sentence of their own in a report (see `skipNotes`) rather than a count in the list. */
export const NOTED_SKIPS: readonly SkipReason[] = ['outside-link', 'file-limit'];

/** What a report says about links leading outside the folders and files past the file limit, when there were any. */
export function skipNotes(skipped: Partial<Record<SkipReason, number>>): string[] {
  const notes: string[] = [];
  const links = skipped['outside-link'] ?? 0;
  if (links > 0)
    notes.push(
      `${count(links, 'link')} leading outside the workspace ${links === 1 ? 'was' : 'were'} skipped (nothing outside the workspace folders is read).`,
    );
  const over = skipped['file-limit'] ?? 0;
  if (over > 0) notes.push(fileLimitNotice(over));
  return notes;
}

/**
 * How to make the index hold less, in words every surface can follow (a file in the folder); the settings that do it
 * too are named in a sentence of their own, which the CLI, having no flags for them, leaves out.
 */
export const GROUNDEDIGNORE_ADVICE =
  'List what the index need not hold in a .groundedignore in the folder (written like a .gitignore)';

/** The notice for a walk that reached the file limit. */
export const fileLimitNotice = (over: number): string =>
  `${count(over, 'file')} ${over === 1 ? 'was' : 'were'} left out: the index stops at its file limit (grounded.index.maxFiles). ${GROUNDEDIGNORE_ADVICE}, so that it holds the files that matter. Narrowing grounded.index.include or adding grounded.index.exclude globs does too.`;

const count = (n: number, noun: string): string => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
