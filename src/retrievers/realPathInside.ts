import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { isInside } from '../index';

/**
 * `location`'s real path (every link on the way resolved) when it lies within one of `folders`' real paths, else
 * undefined: a file or a folder on its way that was replaced by a link leading out of the workspace since it was
 * indexed is not to be read. Resolved without blocking the thread. A relative location is never inside: the file
 * system would resolve it against the process's working directory, which is no workspace folder.
 */
export async function realPathInside(location: string, folders: readonly string[]): Promise<string | undefined> {
  if (!isAbsolute(location)) return undefined;
  const real = await realpath(location).catch(() => undefined);
  if (real === undefined) return undefined;
  const roots = await Promise.all(folders.map(f => realpath(f).catch(() => f)));
  return isInside(real, roots) ? real : undefined;
}

/**
 * Whether the file at `location` may be opened: its real path lies within `folders`, or nothing is there (a file that
 * is gone, or a remote row's file that is not on this machine: opening it says so, reading nothing). A relative
 * location may not: whether something is there would be asked of the process's working directory, while an editor
 * opens it from the root of the file system (`vscode.Uri.file('etc/passwd')` is `/etc/passwd`).
 */
export async function openableHere(location: string, folders: readonly string[]): Promise<boolean> {
  if (!isAbsolute(location)) return false;
  if ((await realPathInside(location, folders)) !== undefined) return true;
  return lstat(location).then(
    () => false,
    () => true,
  );
}
