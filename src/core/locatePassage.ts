import { createHash } from 'node:crypto';
import type { Passage } from './passage';

export interface LocatedPassage {
  startLine: number;
  endLine: number;
  /** `exact`: still at the indexed lines. `moved`: the same text, elsewhere in the file. */
  how: 'exact' | 'moved';
}

/**
 * What is kept of a passage's text where the text itself must not be stored (a saved conversation): its line
 * count and a SHA-256 of it, enough to find the same lines again.
 */
export interface TextFingerprint {
  lines: number;
  sha256: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * A passage's text as lines joined by `\n`: the file is read by its lines whatever ends them, and a passage may keep
 * the `\r\n` of its source (a remote retriever's row).
 */
const lfText = (text: string): string => text.replace(/\r\n/g, '\n');

export const fingerprintOf = (text: string): TextFingerprint => {
  const lf = lfText(text);
  return { lines: lf.split('\n').length, sha256: sha256(lf) };
};

/** A passage as `locatePassage` needs it: where it was, and its text or the text's fingerprint. */
export type PassageText = Pick<Passage, 'startLine'> & ({ text: string } | { fingerprint: TextFingerprint });

/**
 * Finds a cited passage in the file as it is now. The file may have changed since it was indexed: the text is
 * looked for where it was, then anywhere (nearest occurrence first). Undefined when it is gone: the citation is
 * stale, and a surface must say so rather than select the wrong lines.
 */
export function locatePassage(fileText: string, passage: PassageText): LocatedPassage | undefined {
  const lines = fileText.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { count, matchesAt, mayStartAt } = matcher(lines, passage);
  const original = passage.startLine - 1;
  if (matchesAt(original))
    return { startLine: passage.startLine, endLine: passage.startLine + count - 1, how: 'exact' };
  let best: number | undefined;
  for (let i = 0; i + count <= lines.length; i++) {
    if (!mayStartAt(i) || !matchesAt(i)) continue;
    if (best === undefined || Math.abs(i - original) < Math.abs(best - original)) best = i;
  }
  return best === undefined ? undefined : { startLine: best + 1, endLine: best + count, how: 'moved' };
}

/** Compares lines with the passage's text, or hashes the window of lines for a fingerprint. */
function matcher(lines: string[], passage: PassageText) {
  if ('text' in passage) {
    const wanted = lfText(passage.text).split('\n');
    return {
      count: wanted.length,
      matchesAt: (start: number) => wanted.every((line, i) => lines[start + i] === line),
      mayStartAt: (start: number) => lines[start] === wanted[0],
    };
  }
  const { lines: count, sha256: hash } = passage.fingerprint;
  return {
    count,
    matchesAt: (start: number) =>
      start >= 0 && start + count <= lines.length && sha256(lines.slice(start, start + count).join('\n')) === hash,
    mayStartAt: () => true,
  };
}
