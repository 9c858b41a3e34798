import { join } from 'node:path';
import { folderNames } from '../index';
import { isWebUrl } from './citablePath';

/** A folder a pushed path may open in: its name (as `grounded index` names it, see folderNames) and where it is. */
export interface OpenFolder {
  name: string;
  path: string;
}

/**
 * Where a pushed path opens here: URLs as they are; with several folders open, a path that starts with a folder's
 * name (how `grounded index` names files of several folders) in that folder; else in the first folder.
 */
export function locatePushedPath(folders: readonly OpenFolder[]): (path: string) => string {
  // the longest name first: `a/app/x.md` is in the folder named `a/app`, not in one named `a`
  const byLength = [...folders].sort((x, y) => y.name.length - x.name.length);
  return path => {
    if (isWebUrl(path)) return path;
    const named = folders.length > 1 ? byLength.find(f => path.startsWith(`${f.name}/`)) : undefined;
    if (named) return join(named.path, ...path.slice(named.name.length + 1).split('/'));
    const first = folders[0];
    return first ? join(first.path, path) : path;
  };
}

/** Folders given by path (the CLI's --folder), named as `grounded index` names them (see folderNames). */
export const foldersByPath = (paths: readonly string[]): OpenFolder[] => {
  const names = folderNames(paths);
  return paths.map((path, i) => ({ name: names[i] ?? path, path }));
};
