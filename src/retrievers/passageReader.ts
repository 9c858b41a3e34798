import { readFile, stat } from 'node:fs/promises';
import type { Passage } from '../core/passage';
import { hashBytes, splitLines, type IndexHit } from '../index';

const CACHE_FILES = 64;

/**
 * Reads the text of search hits from the files themselves (the index stores postings and line ranges, not text),
 * checking that each file is still the one that was indexed: same (mtime, size), or else the same content hash.
 * A file that changed since is reported as stale instead of being cited at lines that moved; one whose size changed is
 * not read at all.
 */
export class PassageReader {
  /** Recently read files by location, with the stat they were read at. */
  private readonly cache = new Map<string, { mtimeMs: number; size: number; lines: string[] }>();

  async read(hits: readonly IndexHit[]): Promise<{ passages: Passage[]; stale: string[] }> {
    const passages: Passage[] = [];
    const stale = new Set<string>();
    const linesByFile = new Map<string, Promise<string[] | undefined>>();
    for (const hit of hits) {
      if (!linesByFile.has(hit.location)) linesByFile.set(hit.location, this.lines(hit));
    }
    for (const hit of hits) {
      const lines = await linesByFile.get(hit.location);
      if (!lines || hit.endLine > lines.length) {
        stale.add(hit.location);
        continue;
      }
      const passage: Passage = {
        id: `${hit.path}:${hit.startLine}-${hit.endLine}`,
        path: hit.path,
        location: hit.location,
        startLine: hit.startLine,
        endLine: hit.endLine,
        text: lines.slice(hit.startLine - 1, hit.endLine).join('\n'),
        score: hit.score,
      };
      if (hit.title !== undefined) passage.title = hit.title;
      passages.push(passage);
    }
    return { passages, stale: [...stale] };
  }

  /** The file's lines as the chunker saw them, or undefined when it is gone or differs from what was indexed. */
  private async lines(hit: IndexHit): Promise<string[] | undefined> {
    const info = await stat(hit.location).catch(() => undefined);
    // Another size is other bytes: not read at all (the path may now lead to a large file, a device, a link out).
    if (!info?.isFile() || info.size !== hit.file.size) return undefined;
    const cached = this.cache.get(hit.location);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size && info.mtimeMs === hit.file.mtimeMs) return cached.lines;
    const bytes = await readFile(hit.location).catch(() => undefined);
    if (!bytes) return undefined;
    const sameStat = info.mtimeMs === hit.file.mtimeMs && info.size === hit.file.size;
    if (!sameStat && hashBytes(bytes) !== hit.file.hash) return undefined;
    const lines = splitLines(bytes.toString('utf8'));
    if (this.cache.size >= CACHE_FILES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(hit.location, { mtimeMs: info.mtimeMs, size: info.size, lines });
    return lines;
  }
}
