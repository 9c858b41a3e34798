import { NOTED_SKIPS, skipNotes } from '../index';

/** What `/index` and the status item tell about the index. */
export interface IndexReport {
  folders: string[];
  files: number;
  chunks: number;
  /** Skipped files by reason ("binary", "too large", "unreadable", …). */
  skipped: Record<string, number>;
  builtAt?: Date;
  buildMs?: number;
}

export function describeIndex(r: IndexReport): string {
  if (r.folders.length === 0) return 'No folder is open, so there is nothing to index. Open a folder (File › Open Folder…) and ask again.';
  const skipped = Object.entries(r.skipped).filter(([why, n]) => n > 0 && !(NOTED_SKIPS as readonly string[]).includes(why));
  const lines = [
    `**Grounded index** of ${r.folders.map(f => `\`${f}\``).join(', ')}`,
    '',
    `- ${r.files.toLocaleString('en-US')} files, ${r.chunks.toLocaleString('en-US')} chunks`,
    skipped.length === 0
      ? '- no files skipped'
      : `- skipped: ${skipped.map(([why, n]) => `${n.toLocaleString('en-US')} ${why}`).join(', ')}`,
    ...skipNotes(r.skipped).map(note => `- ${note}`),
  ];
  if (r.builtAt) lines.push(`- built ${r.builtAt.toLocaleString()}${r.buildMs !== undefined ? ` in ${(r.buildMs / 1000).toFixed(1)} s` : ''}`);
  if (r.files === 0) lines.push('', 'Nothing here can be searched yet: add text files (docs, code, notes) to the workspace.');
  return lines.join('\n');
}
