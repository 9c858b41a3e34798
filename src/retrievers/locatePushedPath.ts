import { basename, join } from 'node:path';
import { isWebUrl } from './citablePath';

/** A folder a pushed path may open in: its name (the last part of its path, as `grounded index` names it) and where it is. */
export interface OpenFolder {
  name: string;
  path: string;
}

/**
 * Where a pushed path opens here: URLs as they are; with several folders open, a path that starts with a folder's
 * name (how `grounded index` names files of several folders) in that folder; else in the first folder.
 */
export function locatePushedPath(folders: readonly OpenFolder[]): (path: string) => string {
  return path => {
    if (isWebUrl(path)) return path;
    const [head, ...rest] = path.split('/');
    const named = folders.length > 1 ? folders.find(f => f.name === head) : undefined;
    if (named) return join(named.path, ...rest);
    const first = folders[0];
    return first ? join(first.path, path) : path;
  };
}

/** Folders given by path (the CLI's --folder), named as `grounded index` names them. */
export const foldersByPath = (paths: readonly string[]): OpenFolder[] =>
  paths.map(path => ({ name: basename(path), path }));
