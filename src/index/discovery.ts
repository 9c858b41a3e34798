import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readFileContent } from './fileReading';
import { DEFAULT_EXCLUDE_GLOBS, excludeMatcher, IgnoreStack, includeMatcher } from './ignoreRules';
import { createYielder } from './yieldToEventLoop';

export { isMinified } from './fileReading';

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

/** The file-selection settings (`grounded.index.*`, `files.exclude`). */
export interface DiscoveryRules {
  /** VS Code-style globs (`files.exclude`); default DEFAULT_EXCLUDE_GLOBS. `.git` is always excluded. */
  exclude?: readonly string[];
  /** When not empty, only files matching one of these globs are indexed (`grounded.index.include`). */
  include?: readonly string[];
  /** Files larger than this many bytes are skipped; default 1 MB. */
  maxFileBytes?: number;
}

export interface DiscoveryOptions extends DiscoveryRules {
  signal?: AbortSignal;
  /** Called as files are read: `done` of `total` candidate files. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface DiscoveryResult {
  files: DiscoveredFile[];
  skipped: Record<SkipReason, number>;
}

/** A file the walk found and the rules let in, before it is read. */
export interface Candidate {
  path: string;
  location: string;
  /** What stat said; both absent when the walk did not stat the file (`statFiles: false`): reading tells. */
  size?: number;
  mtimeMs?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
export const IGNORE_FILES = ['.gitignore', '.groundedignore'] as const;
const READ_CONCURRENCY = 8;

export const emptySkipCounts = (): Record<SkipReason, number> =>
  Object.fromEntries(SKIP_REASONS.map(r => [r, 0])) as Record<SkipReason, number>;

/** The display path prefix of a folder: its name when several folders are indexed together. */
export const folderPrefix = (folders: readonly string[], folder: string): string => (folders.length > 1 ? basename(folder) + '/' : '');

/**
 * Walks the folders and lists the files the rules let in (.gitignore / .groundedignore at every level, exclude and
 * include globs), with their size and mtime, without reading them; `onCandidate` hears of each as it is found. Symlink loops and unreadable folders or links
 * are counted in `skipped`; nothing throws but an abort. The file-system calls are synchronous (each takes
 * microseconds; the promise versions cost far more per call over 40k entries) and the yielder keeps an
 * in-process walk responsive.
 */
export async function walkFolders(
  folders: readonly string[],
  rules: DiscoveryRules & { signal?: AbortSignal; statFiles?: boolean; onCandidate?: (candidate: Candidate) => void },
): Promise<{ candidates: Candidate[]; skipped: Record<SkipReason, number> }> {
  const statFiles = rules.statFiles ?? true;
  const excluded = excludeMatcher(['**/.git', ...(rules.exclude ?? DEFAULT_EXCLUDE_GLOBS)]);
  const included = includeMatcher(rules.include ?? []);
  const skipped = emptySkipCounts();
  const step = createYielder(rules.signal);
  const candidates: Candidate[] = [];
  const visited = new Set<string>();

  /** `real`: the folder's real path, for loop detection (only a link needs a realpath call: below it, real + name). */
  const walk = async (dir: string, real: string, rel: string, prefix: string, ignores: IgnoreStack): Promise<void> => {
    await step();
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      skipped.unreadable++;
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const scoped = ignores.with(rel === '' ? '' : rel + '/', await readIgnoreFiles(dir, entries));
    for (const entry of entries) {
      await step();
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const location = join(dir, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      const isLink = entry.isSymbolicLink();
      let info: { size: number; mtimeMs: number } | undefined;
      if (isLink || (isFile && statFiles)) {
        try {
          const s = statSync(location); // follows links
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
        const realDir = isLink ? realPath(location) : join(real, entry.name);
        if (visited.has(realDir)) skipped['symlink-loop']++;
        else {
          visited.add(realDir);
          await walk(location, realDir, path, prefix, scoped);
        }
      } else if (included(path)) {
        const candidate: Candidate = info ? { path: prefix + path, location, size: info.size, mtimeMs: info.mtimeMs } : { path: prefix + path, location };
        candidates.push(candidate);
        rules.onCandidate?.(candidate);
      }
    }
  };

  for (const folder of folders) {
    const real = realPath(folder);
    if (visited.has(real)) continue;
    visited.add(real);
    await walk(folder, real, '', folderPrefix(folders, folder), IgnoreStack.empty());
  }
  return { candidates, skipped };
}

/**
 * Finds and reads the indexable text files under the folders (see `walkFolders`), skipping (and counting)
 * oversized, binary, minified and unreadable files. Cooperative: yields to the event loop every ~10 ms and stops
 * with an AbortError when `signal` aborts.
 */
export async function discoverFiles(folders: readonly string[], options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const { candidates, skipped } = await walkFolders(folders, options);
  const step = createYielder(options.signal);
  const results: (DiscoveredFile | undefined)[] = new Array(candidates.length);
  let next = 0;
  let done = 0;
  const total = candidates.length;
  options.onProgress?.({ done, total });
  const reader = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const candidate = candidates[i];
      if (!candidate) continue;
      await step();
      const { path, location, size = 0, mtimeMs = 0 } = candidate; // this walk stats every file
      if (size > maxBytes) skipped['too-large']++;
      else {
        const content = await readFileContent(location);
        if (content.kind === 'skip') skipped[content.reason]++;
        else results[i] = { path, location, mtimeMs, size: content.size, text: content.lines.text };
      }
      options.onProgress?.({ done: ++done, total });
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, total) }, reader));
  return { files: results.filter((f): f is DiscoveredFile => f !== undefined), skipped };
}

export async function readIgnoreFiles(dir: string, entries?: readonly Dirent[]): Promise<string[]> {
  const contents: string[] = [];
  for (const name of IGNORE_FILES) {
    if (entries && !entries.some(e => e.name === name && !e.isDirectory())) continue;
    try {
      contents.push(await readFile(join(dir, name), 'utf8'));
    } catch {
      // a missing or unreadable ignore file ignores nothing
    }
  }
  return contents;
}

/** A directory's path with every link resolved (itself when that fails). */
function realPath(dir: string): string {
  try {
    return realpathSync.native(dir);
  } catch {
    return dir;
  }
}
