import { realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { documentAdmitted } from '../documents/documents';
import { IgnoreStack, includeMatcher } from './ignoreRules';
import { folderExcludes, folderPrefix, isInside, readIgnoreFiles, type DiscoveryRules } from './walkFolders';

/** A file the rules let in, with its display path and what stat says. */
export interface AdmittedFile {
  path: string;
  location: string;
  size: number;
  mtimeMs: number;
}

/** Judges saved or changed paths by the walk's rules; make one per batch of events (see `createFileFilter`). */
export interface FileFilter {
  /** The file as the walk would list it; undefined when it is gone or left out. */
  (location: string): Promise<AdmittedFile | undefined>;
  /** Whether the walk enters this folder (a folder the rules leave out holds nothing to index, however it changes). */
  enters(dir: string): Promise<boolean>;
}

/**
 * The same rules as `walkFolders`, for one file at a time (a save, a watcher event): is the file in one of the
 * folders, not excluded, not git-ignored at any level, included, is its real path (every link on the way resolved)
 * inside one of the folders, and is it not a file the walk lists by that real path instead? Reads the ignore files
 * along its path; each directory's are read and compiled once per filter, so make one per batch of events (a batch
 * of a thousand paths in one folder reads its ignore files once, not a thousand times).
 */
export function createFileFilter(folders: readonly string[], rules: DiscoveryRules): FileFilter {
  const excludedIn = folderExcludes(rules);
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
   * Where the walk of `folder` stops on its way to `location` (a directory when `isDirectory`) by the exclude globs
   * and ignore files: the folder it does not enter, or the file itself; undefined when it gets there.
   */
  const stopOf = async (folder: string, location: string, isDirectory: boolean): Promise<string | undefined> => {
    const parts = relative(folder, location).split(sep);
    const excluded = excludedIn(folder);
    let ignores = IgnoreStack.empty();
    let dir = folder;
    for (let i = 0; i < parts.length; i++) {
      const rel = parts.slice(0, i + 1).join('/');
      const isDir = isDirectory || i < parts.length - 1;
      ignores = await rulesIn(folder, dir, i === 0 ? '' : parts.slice(0, i).join('/') + '/', ignores);
      dir = dir + sep + parts[i];
      if (excluded(rel, isDir) || ignores.ignores(rel, isDir)) return dir;
    }
    return undefined;
  };
  /**
   * The walk takes the folders in order and walks each directory once, so the first folder holding a path decides,
   * unless its walk does not enter a directory that holds another folder: that folder is walked as a root. The
   * folder whose walk reaches `location`, or undefined when none does.
   */
  const walkedBy = async (location: string, isDirectory: boolean): Promise<string | undefined> => {
    let holding = folders.filter(f => isInside(location, [f]) && location !== f);
    for (let folder = holding[0]; folder !== undefined; folder = holding[0]) {
      const stop = await stopOf(folder, location, isDirectory);
      if (stop === undefined) return folder;
      holding = holding.filter(f => f !== folder && isInside(f, [stop]));
    }
    return undefined;
  };
  /** `byOwnPath`: `location` is a real path's own path (so no link is looked through again). */
  const admit = async (location: string, byOwnPath = false): Promise<AdmittedFile | undefined> => {
    const folder = await walkedBy(location, false);
    if (folder === undefined) return undefined;
    const rel = relative(folder, location).split(sep).join('/');
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
  /** Where the walk finds a real path (inside the folders) by its own path: in the first folder holding it. */
  const ownPath = (real: string, realRoots: readonly string[]): string => {
    const i = realRoots.findIndex(root => isInside(real, [root]));
    return join(folders[i] ?? '', relative(realRoots[i] ?? '', real));
  };
  // a folder, or one holding a folder, is walked as a root
  const enters = async (dir: string): Promise<boolean> =>
    folders.some(f => isInside(f, [dir])) || (await walkedBy(dir, true)) !== undefined;
  return Object.assign((location: string) => admit(location), { enters });
}
