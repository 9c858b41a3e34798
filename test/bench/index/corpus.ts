import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chunkText } from '../../../src/index/chunking/chunker';
import { DEFAULT_MAX_FILE_BYTES } from '../../../src/index/discovery/fileReading';
import { walkFolders, type DiscoveryRules } from '../../../src/index/discovery/walkFolders';
import type { SegmentedIndex } from '../../../src/index/segments/segmentedIndex';
import { random } from '../../fakes/seededRandom';

const ROOT = resolve(__dirname, '../../../..');

/**
 * Text the machine already has: this repository's node_modules (JS/TS sources, typings, READMEs), then the system's
 * Python library and C headers, until the corpus passes 100k chunks. `--quick` takes two packages only.
 */
export function corpusFolders(quick: boolean): string[] {
  const nm = resolve(ROOT, 'node_modules');
  const folders = quick
    ? [resolve(nm, 'typescript'), resolve(nm, '@langchain')]
    : [nm, '/usr/lib/python3.11', '/usr/include'];
  return folders.filter(f => existsSync(f));
}

/** node_modules is excluded by default; here it is the corpus. Caches and .git stay out. */
export const CORPUS_RULES: DiscoveryRules = { exclude: ['**/.git', '**/__pycache__', '**/*.pyc'] };

/**
 * Reads every file of the corpus once (content dropped), so that the timed build finds it in the page cache, as an
 * editor's recently used workspace is: the figure is then the indexer's, not the disk's. (This machine evicts idle
 * pages within minutes; a build from a cold cache reads the disk and takes two to three times as long.)
 */
export async function warmPageCache(folders: readonly string[]): Promise<void> {
  const { candidates } = await walkFolders(folders, CORPUS_RULES);
  for (const { location, size = 0 } of candidates) {
    if (size > DEFAULT_MAX_FILE_BYTES) continue; // not read by the build either
    try {
      readFileSync(location);
    } catch {
      // unreadable: the build skips it too
    }
  }
}

export interface ChunkDoc {
  id: number;
  path: string;
  title: string;
  text: string;
}

/** The same chunks the index holds, with their text (read again from the files), for the minisearch comparison. */
export async function chunkDocs(index: SegmentedIndex): Promise<ChunkDoc[]> {
  const docs: ChunkDoc[] = [];
  for (const file of index.files()) {
    if (file.skip || file.docCount === 0) continue;
    const text = await readFile(file.location, 'utf8').catch(() => '');
    for (const chunk of chunkText(file.path, text))
      docs.push({ id: docs.length, path: file.path, title: chunk.title ?? '', text: chunk.text });
  }
  return docs;
}

/** Deterministic pseudo-random numbers, so every run asks the same queries. */
export { random };

/**
 * Queries like people type them: 2–4 words drawn from the chunks themselves (so they match something), plus a
 * few fixed questions; another `seed` draws other queries (without the fixed ones).
 */
export function sampleQueries(docs: readonly ChunkDoc[], count: number, seed = 42): string[] {
  const next = random(seed);
  const queries =
    seed === 42
      ? [
          'how to parse a config file',
          'retry with exponential backoff',
          'stream tokens from the model',
          'read file async error handling',
        ]
      : [];
  while (queries.length < count && docs.length > 0) {
    const doc = docs[Math.floor(next() * docs.length)];
    const words = (doc?.text.match(/[A-Za-z]{4,}/g) ?? []).filter((_, i, all) => all.length < 3 || i % 3 === 0);
    if (words.length < 2) continue;
    const n = 2 + Math.floor(next() * 3);
    const start = Math.floor(next() * Math.max(1, words.length - n));
    queries.push(words.slice(start, start + n).join(' '));
  }
  return queries;
}
