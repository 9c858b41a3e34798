import { createHash } from 'node:crypto';
import { access, constants, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { GroundedError } from '../core/errors';
import { claimStoreFolder, StoreFolderError } from '../index';

/**
 * Where the CLI keeps the index of a set of folders: `--store DIR`, else a folder per folder set under the user's
 * cache (`$XDG_CACHE_HOME/grounded` or `~/.cache/grounded`), so nothing is written into the workspace.
 */
export function defaultStoreDir(folders: readonly string[]): string {
  // the XDG spec: a relative XDG_CACHE_HOME is invalid and ignored (it would put the index in the current folder,
  // perhaps the workspace itself)
  const xdg = process.env['XDG_CACHE_HOME'];
  const cache = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  const key = createHash('sha1').update(folders.join('\n')).digest('hex').slice(0, 16);
  return join(cache, 'grounded', 'index', key);
}

/**
 * Creates the store folder if needed (one level at a time, with a timeout) and marks it as Grounded's. A store that
 * is not a folder or cannot be read and written is an error; so is a folder that holds files that are not Grounded's
 * (exit 2): it is left untouched.
 */
export async function prepareStoreDir(dir: string): Promise<string> {
  const path = resolve(dir);
  const info = await stat(path).catch(() => undefined);
  if (info && !info.isDirectory())
    throw new GroundedError('bad-input', `The index store ${path} is not a folder. Pass another one with --store DIR.`);
  try {
    await claimStoreFolder(path);
    await access(path, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (e) {
    if (e instanceof StoreFolderError)
      throw new GroundedError(e.kind, `${e.message} Pass another folder with --store DIR.`, { cause: e });
    const reason = (e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e));
    throw new GroundedError(
      'index',
      `Cannot read and write the index store ${path} (${reason}). Pass another one with --store DIR.`,
      { cause: e },
    );
  }
  return path;
}
