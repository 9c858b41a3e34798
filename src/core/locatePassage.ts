import type { Passage } from './passage';

export interface LocatedPassage {
  startLine: number;
  endLine: number;
  /** `exact`: still at the indexed lines. `moved`: the same text, elsewhere in the file. */
  how: 'exact' | 'moved';
}

/**
 * Finds a cited passage in the file as it is now. The file may have changed since it was indexed: the text is
 * looked for where it was, then anywhere (nearest occurrence first). Undefined when it is gone: the citation is
 * stale, and a surface must say so rather than select the wrong lines.
 */
export function locatePassage(fileText: string, passage: Passage): LocatedPassage | undefined {
  const lines = fileText.replace(/^\uFEFF/, '').split(/\r?\n/);
  const wanted = passage.text.split('\n');
  const matchesAt = (start: number) => wanted.every((line, i) => lines[start + i] === line);
  const original = passage.startLine - 1;
  if (matchesAt(original)) return { startLine: passage.startLine, endLine: passage.startLine + wanted.length - 1, how: 'exact' };
  let best: number | undefined;
  for (let i = 0; i + wanted.length <= lines.length; i++) {
    if (lines[i] !== wanted[0] || !matchesAt(i)) continue;
    if (best === undefined || Math.abs(i - original) < Math.abs(best - original)) best = i;
  }
  return best === undefined ? undefined : { startLine: best + 1, endLine: best + wanted.length, how: 'moved' };
}
