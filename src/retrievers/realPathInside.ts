import { realpath } from 'node:fs/promises';
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
