import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { chunkSpans } from '../../../src/index/chunking/chunker';
import { classifyBytes, DEFAULT_MAX_FILE_BYTES } from '../../../src/index/discovery/fileReading';
import { walkFolders } from '../../../src/index/discovery/walkFolders';
import { binaryDocumentKind, isNotebookPath } from '../../../src/index/documents/documents';
import { random } from '../../fakes/seededRandom';
import { CORPUS_RULES } from '../index/corpus';

/** A text file of the source corpus and how many chunks the index makes of it. */
interface SourceFile {
  path: string;
  bytes: Buffer;
  chunks: number;
}

export interface ScaleCorpus {
  files: number;
  /** Chunks the written files make (counted as the chunker splits them). */
  chunks: number;
  bytes: number;
  copies: number;
}

/**
 * Reads the index bench's corpus once: its plain-text files (notebooks, PDFs and Word documents are left out, since
 * renaming their words would break them), with the chunks each makes. Renaming keeps every line and word length, so
 * a renamed copy makes the same chunks.
 */
export async function readSourceFiles(folders: readonly string[]): Promise<SourceFile[]> {
  const { candidates } = await walkFolders(folders, CORPUS_RULES);
  const files: SourceFile[] = [];
  for (const { path, location, size = 0 } of candidates) {
    if (size === 0 || size > DEFAULT_MAX_FILE_BYTES) continue;
    if (isNotebookPath(path) || binaryDocumentKind(path)) continue;
    let bytes: Buffer;
    try {
      bytes = readFileSync(location);
    } catch {
      continue;
    }
    const content = classifyBytes(bytes); // binary and minified files are skipped by the build too
    if (content.kind !== 'text') continue;
    const chunks = chunkSpans(path, content.lines).length;
    if (chunks > 0) files.push({ path, bytes, chunks });
  }
  return files;
}

/**
 * Writes copies of `source` under `dir` (copy0/, copy1/, …) until they make at least `chunks` chunks, the last copy
 * partly. In copy c, each ASCII word is kept or has its letters substituted by copy c's permutation of the alphabet
 * (half the words each way, chosen by a hash of the word and c): common words stay common across copies while the
 * vocabulary grows with the corpus, as in a large monorepo. A file whose bytes were already written (a copy of a
 * file that has no renamed word, a duplicate in the source) gets a line with its number appended, so no two files
 * are byte-identical and the build's copy detection finds nothing to reuse.
 */
export async function writeScaleCorpus(
  source: readonly SourceFile[],
  dir: string,
  chunks: number,
): Promise<ScaleCorpus> {
  const seen = new Set<string>();
  const made: ScaleCorpus = { files: 0, chunks: 0, bytes: 0, copies: 0 };
  const folders = new Set<string>();
  for (let copy = 0; made.chunks < chunks; copy++) {
    if (source.length === 0) break;
    made.copies = copy + 1;
    const rename = renamer(copy);
    for (const file of source) {
      if (made.chunks >= chunks) break;
      let bytes = rename(file.bytes);
      const digest = createHash('sha1').update(bytes).digest('base64');
      if (seen.has(digest)) bytes = Buffer.concat([bytes, Buffer.from(`\n${made.files}\n`)]);
      else seen.add(digest);
      const location = join(dir, `copy${copy}`, file.path);
      const folder = dirname(location);
      if (!folders.has(folder)) {
        await mkdir(folder, { recursive: true });
        folders.add(folder);
      }
      await writeFile(location, bytes);
      made.files++;
      made.chunks += file.chunks;
      made.bytes += bytes.length;
    }
  }
  return made;
}

const isUpper = (b: number): boolean => b >= 65 && b <= 90;
const isLower = (b: number): boolean => b >= 97 && b <= 122;

/** Copy `copy`'s renaming of a file's bytes (see writeScaleCorpus); bytes outside ASCII letters are kept. */
function renamer(copy: number): (bytes: Buffer) => Buffer {
  const next = random(1_000_003 + copy);
  const letters = Array.from({ length: 26 }, (_, i) => i);
  for (let i = letters.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [letters[i], letters[j]] = [letters[j] ?? j, letters[i] ?? i];
  }
  const table = new Uint8Array(256).map((_, b) => b);
  letters.forEach((to, from) => {
    table[97 + from] = 97 + to;
    table[65 + from] = 65 + to;
  });
  const salt = Math.imul(copy + 1, 0x9e3779b1);
  return bytes => {
    const out = Buffer.from(bytes);
    let i = 0;
    while (i < out.length) {
      const b = out[i] ?? 0;
      if (!isUpper(b) && !isLower(b)) {
        i++;
        continue;
      }
      let end = i;
      let hash = 0x811c9dc5 ^ salt;
      for (; end < out.length; end++) {
        const c = out[end] ?? 0;
        if (!isUpper(c) && !isLower(c)) break;
        hash = Math.imul(hash ^ (c | 32), 0x01000193);
      }
      hash ^= hash >>> 15;
      hash = Math.imul(hash, 0x2c1b3c6d);
      hash ^= hash >>> 12;
      if ((hash & 1) === 1) for (let k = i; k < end; k++) out[k] = table[out[k] ?? 0] ?? 0;
      i = end;
    }
    return out;
  };
}
