import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GroundedError } from '../core/errors';

/** The `--folder` values (default: the current directory), resolved; a missing folder is bad input. */
export async function resolveFolders(values: readonly string[] | undefined): Promise<string[]> {
  const folders = (values?.length ? values : ['.']).map(f => resolve(f));
  for (const folder of folders) {
    const info = await stat(folder).catch(() => undefined);
    if (!info?.isDirectory()) throw new GroundedError('bad-input', `Folder not found: ${folder}`);
  }
  return folders;
}
