import { lstat, realpath } from 'node:fs/promises';
import { isInside } from '../index';

/**
 * `location`'s real path (every link on the way resolved) when it lies within one of `folders`' real paths, else
 * undefined: a file or a folder on its way that was replaced by a link leading out of the workspace since it was
 * indexed is not to be read. Resolved without blocking the thread.
 */
export async function realPathInside(location: string, folders: readonly string[]): Promise<string | undefined> {
  const real = await realpath(location).catch(() => undefined);
  if (real === undefined) return undefined;
  const roots = await Promise.all(folders.map(f => realpath(f).catch(() => f)));
  return isInside(real, roots) ? real : undefined;
}

/**
 * Whether the file at `location` may be opened: its real path lies within `folders`, or nothing is there (a file that
 * is gone, or a remote row's file that is not on this machine: opening it says so, reading nothing).
 */
export async function openableHere(location: string, folders: readonly string[]): Promise<boolean> {
  if ((await realPathInside(location, folders)) !== undefined) return true;
  return lstat(location).then(
    () => false,
    () => true,
  );
}
