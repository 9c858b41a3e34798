import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DEFAULT_EXCLUDE_GLOBS, excludeMatcher, IgnoreStack } from './ignoreRules';
import { createYielder } from './yieldToEventLoop';

/** Why a file was left out (ignore rules and exclude globs are choices, not skips, so they are not counted). */
export type SkipReason = 'binary' | 'too-large' | 'minified' | 'unreadable' | 'symlink-loop';

export const SKIP_REASONS: readonly SkipReason[] = ['binary', 'too-large', 'minified', 'unreadable', 'symlink-loop'];

/** A text file to index. */
export interface DiscoveredFile {
  /** Display path: relative to its folder, POSIX; prefixed with the folder's name when there are several folders. */
  path: string;
  /** Absolute path on disk. */
  location: string;
  text: string;
  size: number;
  mtimeMs: number;
}

export interface DiscoveryOptions {
  /** VS Code-style globs (`files.exclude`); default DEFAULT_EXCLUDE_GLOBS. `.git` is always excluded. */
  exclude?: readonly string[];
  /** Files larger than this many bytes are skipped; default 1 MB. */
  maxFileBytes?: number;
  signal?: AbortSignal;
  /** Called as files are read: `done` of `total` candidate files. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface DiscoveryResult {
  files: DiscoveredFile[];
  skipped: Record<SkipReason, number>;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
const IGNORE_FILES = ['.gitignore', '.groundedignore'] as const;
const BINARY_SNIFF_BYTES = 8192;
/** Lines this long are generated code or data, not prose… */
const LONG_LINE = 3000;
const READ_CONCURRENCY = 8;

interface Candidate {
  path: string;
  location: string;
  size: number;
  mtimeMs: number;
}

export const emptySkipCounts = (): Record<SkipReason, number> =>
  Object.fromEntries(SKIP_REASONS.map(r => [r, 0])) as Record<SkipReason, number>;

/**
 * Finds the indexable text files under the folders, honouring .gitignore / .groundedignore files at every level,
 * the exclude globs, and the size cap. Never throws for one bad file or folder: it counts it in `skipped`.
 * Cooperative: yields to the event loop every ~10 ms and stops with an AbortError when `signal` aborts.
 */
export async function discoverFiles(folders: readonly string[], options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const excluded = excludeMatcher(['**/.git', ...(options.exclude ?? DEFAULT_EXCLUDE_GLOBS)]);
  const skipped = emptySkipCounts();
  const step = createYielder(options.signal);
  const candidates: Candidate[] = [];
  const visited = new Set<string>();

  const walk = async (dir: string, rel: string, prefix: string, rules: IgnoreStack): Promise<void> => {
    await step();
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      skipped.unreadable++;
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const here = await readIgnoreFiles(dir, entries);
    const scoped = rules.with(rel === '' ? '' : rel + '/', here);
    for (const entry of entries) {
      await step();
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const location = join(dir, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      let info: { size: number; mtimeMs: number } | undefined;
      if (entry.isSymbolicLink() || isFile) {
        try {
          const s = await stat(location); // follows links
          isDirectory = s.isDirectory();
          isFile = s.isFile();
          info = s;
        } catch {
          skipped.unreadable++; // includes dangling links
          continue;
        }
      }
      if (!isDirectory && !isFile) continue; // sockets, fifos, devices
      if (excluded(path, isDirectory) || scoped.ignores(path, isDirectory)) continue;
      if (isDirectory) {
        if (await alreadyVisited(location, visited)) skipped['symlink-loop']++;
        else await walk(location, path, prefix, scoped);
      } else if (info && info.size > maxBytes) skipped['too-large']++;
      else if (info) candidates.push({ path: prefix + path, location, size: info.size, mtimeMs: info.mtimeMs });
    }
  };

  for (const folder of folders) {
    const prefix = folders.length > 1 ? basename(folder) + '/' : '';
    if (await alreadyVisited(folder, visited)) continue;
    await walk(folder, '', prefix, IgnoreStack.empty());
  }

  const files = await readCandidates(candidates, skipped, step, options.onProgress);
  return { files, skipped };
}

/** Reads the candidates a few at a time, keeping their order; drops binaries, minified files and unreadable ones. */
async function readCandidates(
  candidates: readonly Candidate[],
  skipped: Record<SkipReason, number>,
  step: () => Promise<void>,
  onProgress: DiscoveryOptions['onProgress'],
): Promise<DiscoveredFile[]> {
  const results: (DiscoveredFile | undefined)[] = new Array(candidates.length);
  let next = 0;
  let done = 0;
  const total = candidates.length;
  onProgress?.({ done, total });
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const candidate = candidates[i];
      if (!candidate) continue;
      await step();
      results[i] = await readCandidate(candidate, skipped);
      onProgress?.({ done: ++done, total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, total) }, worker));
  return results.filter((f): f is DiscoveredFile => f !== undefined);
}

async function readCandidate(candidate: Candidate, skipped: Record<SkipReason, number>): Promise<DiscoveredFile | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(candidate.location);
  } catch {
    skipped.unreadable++;
    return undefined;
  }
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    skipped.binary++;
    return undefined;
  }
  const text = bytes.toString('utf8');
  if (isMinified(text)) {
    skipped.minified++;
    return undefined;
  }
  return { ...candidate, size: bytes.length, text };
}

/** Minified or generated: most of the text sits on very long lines. */
export function isMinified(text: string): boolean {
  if (text.length < LONG_LINE) return false;
  let longChars = 0;
  let lineStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text.charCodeAt(i) === 10) {
      if (i - lineStart > LONG_LINE) longChars += i - lineStart;
      lineStart = i + 1;
    }
  }
  return longChars > text.length / 2;
}

async function readIgnoreFiles(dir: string, entries: readonly Dirent[]): Promise<string[]> {
  const contents: string[] = [];
  for (const name of IGNORE_FILES) {
    if (!entries.some(e => e.name === name && !e.isDirectory())) continue;
    try {
      contents.push(await readFile(join(dir, name), 'utf8'));
    } catch {
      // an unreadable ignore file ignores nothing
    }
  }
  return contents;
}

/** Marks a directory visited by its real path; true if it was already (a symlink loop or a duplicate folder). */
async function alreadyVisited(dir: string, visited: Set<string>): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch {
    real = dir;
  }
  if (visited.has(real)) return true;
  visited.add(real);
  return false;
}
