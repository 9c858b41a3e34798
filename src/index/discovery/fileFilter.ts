import { realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { documentAdmitted } from '../documents/documents';
import { DEFAULT_EXCLUDE_GLOBS, excludeMatcher, IgnoreStack, includeMatcher } from './ignoreRules';
import { folderPrefix, isInside, readIgnoreFiles, type DiscoveryRules } from './walkFolders';

/** A file the rules let in, with its display path and what stat says. */
export interface AdmittedFile {
  path: string;
  location: string;
  size: number;
  mtimeMs: number;
}

/**
 * The same rules as `walkFolders`, for one file at a time (a save, a watcher event): is the file in one of the
 * folders, not excluded, not git-ignored at any level, included, and is its real path (every link on the way
 * resolved) inside one of the folders, and not a file the walk lists by that path instead? Reads the ignore files along its path; each
 * directory's are read and compiled once per filter, so make one per batch of events (a batch of a thousand paths
 * in one folder reads its ignore files once, not a thousand times). Undefined when the file is gone or left out.
 */
export function createFileFilter(
  folders: readonly string[],
  rules: DiscoveryRules,
): (location: string) => Promise<AdmittedFile | undefined> {
  const excluded = excludeMatcher(['**/.git', ...(rules.exclude ?? DEFAULT_EXCLUDE_GLOBS)]);
  const included = includeMatcher(rules.include ?? []);
  // the folders' real paths, resolved once per filter without blocking the thread
  const roots = Promise.all(folders.map(f => realpath(f).catch(() => f)));
  /**
   * Per folder and directory, the ignore rules in force inside it: those around it plus its own ignore files. A
   * directory inside two nested folders has other rules in each (its paths are relative to another root).
   */
  const stacks = new Map<string, Promise<IgnoreStack>>();
  const rulesIn = (folder: string, dir: string, base: string, around: IgnoreStack): Promise<IgnoreStack> => {
    const key = folder + '\0' + dir;
    let stack = stacks.get(key);
    if (!stack) {
      stack = readIgnoreFiles(dir).then(contents => around.with(base, contents));
      stacks.set(key, stack);
    }
    return stack;
  };
  /**
   * Whether the walk of `folder` lists the file: the file it lists, undefined when it leaves the file out, or the
   * directory it does not enter on the way (another folder at or below it may be walked as its own root).
   */
  const walkOf = async (
    folder: string,
    location: string,
    byOwnPath: boolean,
  ): Promise<AdmittedFile | undefined | { skips: string }> => {
    const parts = relative(folder, location).split(sep);
    let ignores = IgnoreStack.empty();
    let dir = folder;
    for (let i = 0; i < parts.length; i++) {
      const rel = parts.slice(0, i + 1).join('/');
      const isDirectory = i < parts.length - 1;
      ignores = await rulesIn(folder, dir, i === 0 ? '' : parts.slice(0, i).join('/') + '/', ignores);
      dir = dir + sep + parts[i];
      if (excluded(rel, isDirectory) || ignores.ignores(rel, isDirectory))
        return isDirectory ? { skips: dir } : undefined;
    }
    const rel = parts.join('/');
    if (!included(rel) || !documentAdmitted(rel, rules.documents)) return undefined;
    const info = await stat(location).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const real = await realpath(location).catch(() => undefined);
    if (real === undefined || !isInside(real, await roots)) return undefined; // a link leading outside is not read
    // Reached through a link: the walk lists a file by its own path when it takes it there, and skips the link.
    const own = byOwnPath ? location : ownPath(real, await roots);
    if (own !== location && (await admit(own, true)) !== undefined) return undefined;
    return { path: folderPrefix(folders, folder) + rel, location, size: info.size, mtimeMs: info.mtimeMs };
  };
  /** `byOwnPath`: `location` is a real path's own path (so no link is looked through again). */
  const admit = async (location: string, byOwnPath = false): Promise<AdmittedFile | undefined> => {
    // The walk takes the folders in order and walks each directory once, so the first folder holding the file
    // decides, unless its walk does not enter a directory that holds another folder: that folder is walked as a root.
    let holding = folders.filter(f => isInside(location, [f]) && location !== f);
    for (let folder = holding[0]; folder !== undefined; folder = holding[0]) {
      const verdict = await walkOf(folder, location, byOwnPath);
      if (verdict === undefined || !('skips' in verdict)) return verdict;
      const skipped = verdict.skips;
      holding = holding.filter(f => f !== folder && isInside(f, [skipped]));
    }
    return undefined;
  };
  /** Where the walk finds a real path (inside the folders) by its own path: in the first folder holding it. */
  const ownPath = (real: string, realRoots: readonly string[]): string => {
    const i = realRoots.findIndex(root => isInside(real, [root]));
    return join(folders[i] ?? '', relative(realRoots[i] ?? '', real));
  };
  return location => admit(location);
}
