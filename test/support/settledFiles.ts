// Sets files' mtimes in the past, so an index reads them as settled rather than racily clean.
import { readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** Seconds before now the files' mtimes are set to: well past the index's racy window (RACY_MS). */
const SETTLED_SECONDS = 10;

/**
 * Sets the mtime (and atime) of each path — a file, or every file under a folder — to a few seconds ago. A file the
 * index reads within its racy window of its mtime is read again by the next update; tests that assert "nothing is
 * read again" right after writing files call this before indexing.
 */
export async function settleFiles(...paths: string[]): Promise<void> {
  const past = new Date(Date.now() - SETTLED_SECONDS * 1000);
  const settle = async (path: string): Promise<void> => {
    if (!(await stat(path)).isDirectory()) return utimes(path, past, past);
    for (const name of await readdir(path)) await settle(join(path, name));
  };
  for (const path of paths) await settle(path);
}
