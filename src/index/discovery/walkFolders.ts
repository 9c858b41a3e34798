import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { createYielder } from '../base/yieldToEventLoop';
import { documentAdmitted, type DocumentSettings } from '../documents/documents';
import type { ExtractedDocument } from '../documents/extractedDocument';
import { readAtMost } from './fileReading';
import { DEFAULT_EXCLUDE_GLOBS, excludeMatcher, IgnoreStack, includeMatcher, type PathMatcher } from './ignoreRules';
import { emptySkipCounts, type SkipReason } from './skipReasons';
import { STORE_MARKER } from './storeMarker';

/** A text file to index. */
export interface DiscoveredFile {
  /** Display path: relative to its folder, POSIX; prefixed with the folder's name when there are several folders. */
  path: string;
  /** Absolute path on disk. */
  location: string;
  /** Its text; a PDF's or Word document's extracted text (then `document` is set). */
  text: string;
  size: number;
  mtimeMs: number;
  /** The hash of its bytes. */
  hash: string;
  /** A PDF's or Word document's extraction, from the document cache. */
  document?: ExtractedDocument;
}

/** The file-selection settings (`grounded.index.*`, `files.exclude`). */
export interface DiscoveryRules {
  /** VS Code-style globs (`files.exclude`); default DEFAULT_EXCLUDE_GLOBS. `.git` is always excluded. */
  exclude?: readonly string[];
  /**
   * More exclude globs for one folder only, by its path as given (a multi-root workspace folder's own
   * `files.exclude`): they leave nothing out of the other folders.
   */
  folderExclude?: Readonly<Record<string, readonly string[]>>;
  /** When not empty, only files matching one of these globs are indexed (`grounded.index.include`). */
  include?: readonly string[];
  /** Files larger than this many bytes are skipped; default 1 MB, at most MAX_FILE_BYTES_LIMIT (see fileByteLimit). */
  maxFileBytes?: number;
  /** The walk lists at most this many files and counts the rest as 'file-limit'; default DEFAULT_MAX_FILES (see fileCountLimit). */
  maxFiles?: number;
  /** Which documents are read for their cells, and whether notebooks are indexed at all (`grounded.index.documents`). */
  documents?: DocumentSettings;
}

export interface DiscoveryOptions extends DiscoveryRules {
  signal?: AbortSignal;
  /** Where the index worker keeps extracted PDFs and Word documents: with it, they are read as their text. */
  documentCache?: string;
  /** Called as files are read: `done` of `total` candidate files. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** A file the walk found and the rules let in, before it is read. */
export interface Candidate {
  path: string;
  location: string;
  /** What stat said; both absent when the walk did not stat the file (`statFiles: false`): reading tells. */
  size?: number;
  mtimeMs?: number;
}

/** A folder the walk enters, with what holds in it. */
interface WalkedFolder {
  /** Its path on disk, through the links that lead to it. */
  dir: string;
  /** Its real path, for loop detection (only a link needs a realpath call: below it, real + name). */
  real: string;
  /** Its display path, without the folder prefix: '' for a workspace folder itself. */
  rel: string;
  /** The display path prefix of its workspace folder (see folderPrefix). */
  prefix: string;
  /** The ignore rules in force in the folder holding it. */
  ignores: IgnoreStack;
  /** The exclude globs of its workspace folder. */
  excluded: PathMatcher;
}

/** A link to a file, listed once the entries that are not links are walked. */
interface FileLink {
  location: string;
  /** Its real path, inside the folders. */
  target: string;
  /** Display path. */
  path: string;
  info: { size: number; mtimeMs: number } | undefined;
}

/** Files a walk lists unless the settings say otherwise (`grounded.index.maxFiles`). */
export const DEFAULT_MAX_FILES = 200_000;
/** The most files a setting can ask for: each costs memory in the walk, the file table and the segments. */
export const MAX_FILES_LIMIT = 1_000_000;

/** The file count limit to apply: the one asked for, within 1 and MAX_FILES_LIMIT; the default when none or not a number. */
export function fileCountLimit(asked: number | undefined): number {
  if (asked === undefined || !Number.isFinite(asked) || asked <= 0) return DEFAULT_MAX_FILES;
  return Math.min(Math.max(1, Math.floor(asked)), MAX_FILES_LIMIT);
}

/** Ignore files larger than this are not read (they ignore nothing). */
const MAX_IGNORE_FILE_BYTES = 1024 * 1024;
export const IGNORE_FILES = ['.gitignore', '.groundedignore'] as const;

/** The display path prefix of a folder: its name (see folderNames) when several folders are indexed together. */
export const folderPrefix = (folders: readonly string[], folder: string): string =>
  folders.length > 1 ? (folderNames(folders)[folders.indexOf(folder)] ?? basename(folder)) + '/' : '';

/**
 * Each folder's name in display paths: the last part of its path, or, where that would give two folders' files one
 * path, as many last parts as tell it apart, as VS Code tells editors of one name apart. A name must be no other's
 * name (`a/app`, `b/app`) and no other's first parts (`p/x` beside `q/x/app`: `x/app/f.md` would be a file of both);
 * a pushed path would otherwise open in the first of them. Folders given twice keep one name.
 */
export function folderNames(folders: readonly string[]): string[] {
  const parts = folders.map(f => f.split(/[\\/]+/).filter(Boolean));
  const taken = parts.map(() => 1);
  const name = (i: number): string => (parts[i] ?? []).slice(-(taken[i] ?? 1)).join('/');
  // lengthen names until none is another's or its first parts; each pass lengthens one at least, up to whole paths
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < folders.length; i++)
      for (let j = 0; j < folders.length; j++) {
        if (i === j || folders[i] === folders[j] || (taken[i] ?? 1) >= (parts[i] ?? []).length) continue;
        const mine = name(i);
        // the other's path ends as my name does (whatever its own name is now), or its name starts with mine
        const sameEnd = (parts[j] ?? []).slice(-(taken[i] ?? 1)).join('/') === mine;
        if (sameEnd || name(j).startsWith(`${mine}/`)) {
          taken[i] = (taken[i] ?? 1) + 1;
          changed = true;
        }
      }
  }
  return folders.map((folder, i) => name(i) || basename(folder));
}

/**
 * The exclude matcher of each folder: `.git`, the exclude globs (default DEFAULT_EXCLUDE_GLOBS) and the folder's own
 * (`folderExclude`). Each folder's is compiled once.
 */
export function folderExcludes(rules: DiscoveryRules): (folder: string) => PathMatcher {
  const shared = ['**/.git', ...(rules.exclude ?? DEFAULT_EXCLUDE_GLOBS)];
  // by the folders' resolved paths, as the index takes its folders: one named with a trailing separator or a `.`
  // (a workspace folder's URI written so) is the same folder, its globs not left unapplied
  const own = new Map(Object.entries(rules.folderExclude ?? {}).map(([folder, globs]) => [resolve(folder), globs]));
  const matchers = new Map<string, PathMatcher>();
  return folder => {
    let matcher = matchers.get(folder);
    if (!matcher) {
      matcher = excludeMatcher([...shared, ...(own.get(resolve(folder)) ?? [])]);
      matchers.set(folder, matcher);
    }
    return matcher;
  };
}

/** The folders' real paths (every link resolved), which a link's real path must lie in to be followed. */
export const realFolders = (folders: readonly string[]): string[] => folders.map(f => realPath(f) ?? f);

/** Whether `real` (a real path) is one of `roots` or lies inside one. */
export const isInside = (real: string, roots: readonly string[]): boolean =>
  roots.some(root => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));

/**
 * Walks the folders and lists the files the rules let in (.gitignore / .groundedignore at every level, exclude and
 * include globs), with their size and mtime, without reading them; `onCandidate` hears of each as it is found.
 * A symlink is followed only when its real path lies inside one of the folders, and only once every entry that is
 * not a link has been walked: a folder or file is listed by its own path when the walk reaches it so, and a link to
 * what is already walked or listed is skipped (a folder is walked once however many links lead to it, a file is
 * listed once). Links leading outside, symlink loops, unreadable folders or links, and files
 * past `maxFiles` (the walk goes on to count them, reading no more than folder listings) are counted in `skipped`;
 * nothing throws but an abort. The file-system calls are synchronous (each is short, and a promise per call costs
 * more than the call over a large tree) and the yielder keeps an in-process walk responsive.
 */
export async function walkFolders(
  folders: readonly string[],
  rules: DiscoveryRules & {
    signal?: AbortSignal;
    statFiles?: boolean;
    onCandidate?: (candidate: Candidate) => void;
    /** Hears of each folder the walk enters (its path on disk, through the links that lead to it). */
    onFolder?: (location: string) => void;
  },
): Promise<{ candidates: Candidate[]; skipped: Record<SkipReason, number> }> {
  const statFiles = rules.statFiles ?? true;
  const excludedIn = folderExcludes(rules);
  const included = includeMatcher(rules.include ?? []);
  const skipped = emptySkipCounts();
  const step = createYielder(rules.signal);
  const candidates: Candidate[] = [];
  /** The folders walked: real path → the path on disk the walk entered it by. */
  const walked = new Map<string, string>();
  /** Links inside the folders, followed after the entries that are not links (see above). */
  const folderLinks: WalkedFolder[] = [];
  const fileLinks: FileLink[] = [];
  const roots = realFolders(folders);
  const maxFiles = fileCountLimit(rules.maxFiles);

  const walk = async (folder: WalkedFolder): Promise<void> => {
    const { dir, real, rel, prefix, excluded } = folder;
    await step();
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      skipped.unreadable++;
      return;
    }
    if (entries.some(e => e.name === STORE_MARKER)) return; // a Grounded index store: the index does not index itself
    rules.onFolder?.(dir);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const scoped = folder.ignores.with(rel === '' ? '' : rel + '/', await readIgnoreFiles(dir, entries));
    for (const entry of entries) {
      await step();
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const location = join(dir, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      const isLink = entry.isSymbolicLink();
      let info: { size: number; mtimeMs: number } | undefined;
      if (isLink || (isFile && statFiles && candidates.length < maxFiles)) {
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
      if (isFile && (!included(path) || !documentAdmitted(path, rules.documents))) continue;
      if (isLink) {
        const target = realPath(location);
        if (target === undefined) skipped.unreadable++;
        else if (!isInside(target, roots)) skipped['outside-link']++;
        else if (isDirectory)
          folderLinks.push({ dir: location, real: target, rel: path, prefix, ignores: scoped, excluded });
        else fileLinks.push({ location, target, path: prefix + path, info });
      } else if (isDirectory)
        await enter({ dir: location, real: join(real, entry.name), rel: path, prefix, ignores: scoped, excluded });
      else list(prefix + path, location, info);
    }
  };
  const enter = async (folder: WalkedFolder): Promise<void> => {
    if (walked.has(folder.real)) skipped['symlink-loop']++;
    else {
      walked.set(folder.real, folder.dir);
      await walk(folder);
    }
  };
  const list = (path: string, location: string, info: { size: number; mtimeMs: number } | undefined): void => {
    if (candidates.length >= maxFiles) {
      skipped['file-limit']++;
      return;
    }
    const candidate: Candidate = info ? { path, location, size: info.size, mtimeMs: info.mtimeMs } : { path, location };
    candidates.push(candidate);
    rules.onCandidate?.(candidate);
  };

  for (const [i, folder] of folders.entries()) {
    const real = roots[i] as string;
    if (walked.has(real)) continue;
    walked.set(real, folder);
    await walk({
      dir: folder,
      real,
      rel: '',
      prefix: folderPrefix(folders, folder),
      ignores: IgnoreStack.empty(),
      excluded: excludedIn(folder),
    });
  }
  // a folder walked through a link may hold more links: they join the queues
  for (let i = 0; i < folderLinks.length; i++) await enter(folderLinks[i] as WalkedFolder);
  if (fileLinks.length > 0) {
    const listed = new Set(candidates.map(c => c.location));
    for (const link of fileLinks) {
      // the file the link leads to, by the path the walk lists it under when it does
      const folder = walked.get(dirname(link.target));
      if (folder === undefined || !listed.has(join(folder, basename(link.target))))
        list(link.path, link.location, link.info);
    }
  }
  return { candidates, skipped };
}

/**
 * The folders a walk by these rules enters, the roots included: where a file the index would take can appear
 * (a folder that holds no indexed file yet too). No file is stat'ed, and at most one is kept.
 */
export async function walkedFolders(
  folders: readonly string[],
  rules: DiscoveryRules & { signal?: AbortSignal } = {},
): Promise<string[]> {
  const entered: string[] = [];
  // with a limit of one file the walk keeps at most one and only counts the rest, entering every folder still
  await walkFolders(folders, { ...rules, statFiles: false, maxFiles: 1, onFolder: dir => entered.push(dir) });
  return entered;
}

/**
 * The contents of a folder's ignore files. Only regular files are read, as git does: an ignore file that is a
 * symlink is not followed (it could lead out of the workspace, or to a device that never ends), and one larger
 * than MAX_IGNORE_FILE_BYTES ignores nothing.
 */
export async function readIgnoreFiles(dir: string, entries?: readonly Dirent[]): Promise<string[]> {
  const contents: string[] = [];
  for (const name of IGNORE_FILES) {
    if (entries && !entries.some(e => e.name === name && e.isFile())) continue;
    const text = await readIgnoreFile(join(dir, name));
    if (text !== undefined) contents.push(text);
  }
  return contents;
}

async function readIgnoreFile(location: string): Promise<string | undefined> {
  try {
    if (!(await lstat(location)).isFile()) return undefined;
    const handle = await open(location, 'r');
    try {
      const { size } = await handle.stat();
      return (await readAtMost(handle, size, MAX_IGNORE_FILE_BYTES))?.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return undefined; // a missing or unreadable ignore file ignores nothing
  }
}

/** A path with every link resolved; undefined when that fails (a dangling or unreadable link). */
function realPath(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch {
    return undefined;
  }
}
