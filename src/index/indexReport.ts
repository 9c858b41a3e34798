// What the index holds, as data, and its two renderings: markdown (chat's /index) and plain text (the status item's
// details, Rebuild Index's message). Each surface renders the data; none parses a rendering back.
import { codeSpan } from '../shared/codeSpan';
import type { SkipReason } from './discovery/skipReasons';
import { SKIP_REASONS } from './discovery/skipReasons';
import { NOTED_SKIPS, skipNotes } from './segments/indexStats';

export interface IndexReport {
  folders: string[];
  files: number;
  chunks: number;
  /** Skipped files by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  builtAt?: Date;
  buildMs?: number;
}

/** The report in plain words: a title, one item per fact, and advice when nothing can be searched. */
export interface IndexReportText {
  title: string;
  items: string[];
  advice?: string;
}

const NO_FOLDER = 'No folder is open, so there is nothing to index. Open a folder (File › Open Folder…) and ask again.';
const NOTHING_SEARCHABLE = 'Nothing here can be searched yet: add text files (docs, code, notes) to the workspace.';

/** The skip counts a report lists, as `2 binary`; the reasons with a sentence of their own (`skipNotes`) are left out. */
export function skippedCounts(skipped: Partial<Record<SkipReason, number>>): string[] {
  return SKIP_REASONS.filter(why => (skipped[why] ?? 0) > 0 && !NOTED_SKIPS.includes(why)).map(
    why => `${(skipped[why] ?? 0).toLocaleString('en-US')} ${why}`,
  );
}

function items(r: IndexReport): string[] {
  const skipped = skippedCounts(r.skipped);
  const lines = [
    `${r.files.toLocaleString('en-US')} files, ${r.chunks.toLocaleString('en-US')} chunks`,
    skipped.length === 0 ? 'no files skipped' : `skipped: ${skipped.join(', ')}`,
    ...skipNotes(r.skipped),
  ];
  if (r.builtAt)
    lines.push(
      `built ${r.builtAt.toLocaleString()}${r.buildMs !== undefined ? ` in ${(r.buildMs / 1000).toFixed(1)} s` : ''}`,
    );
  return lines;
}

export function indexReportText(r: IndexReport): IndexReportText {
  if (r.folders.length === 0) return { title: NO_FOLDER, items: [] };
  const text: IndexReportText = { title: `Grounded index of ${r.folders.join(', ')}`, items: items(r) };
  if (r.files === 0) text.advice = NOTHING_SEARCHABLE;
  return text;
}

export function indexReportMarkdown(r: IndexReport): string {
  if (r.folders.length === 0) return NO_FOLDER;
  const lines = [
    `**Grounded index** of ${r.folders.map(f => codeSpan(f)).join(', ')}`,
    '',
    ...items(r).map(item => `- ${item}`),
  ];
  if (r.files === 0) lines.push('', NOTHING_SEARCHABLE);
  return lines.join('\n');
}
