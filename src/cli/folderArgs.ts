import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GroundedError } from '../core/errors';

/**
 * The `--folder` values (default: the current directory), resolved, each once (`--folder . --folder "$PWD"` is one
 * folder, not two whose paths would then start with the folder's name). A missing folder is bad input, and so is a
 * file, said as such: the folder that holds it is what to pass.
 */
export async function resolveFolders(values: readonly string[] | undefined): Promise<string[]> {
  const folders = [...new Set((values?.length ? values : ['.']).map(f => resolve(f)))];
  for (const folder of folders) {
    const info = await stat(folder).catch(() => undefined);
    if (!info) throw new GroundedError('bad-input', `Folder not found: ${folder}`);
    if (!info.isDirectory())
      throw new GroundedError(
        'bad-input',
        `${folder} is a file, not a folder: --folder takes the folder to index (the file's own, to search it).`,
      );
  }
  return folders;
}
