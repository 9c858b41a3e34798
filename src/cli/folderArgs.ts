import { constants, realpathSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { parse, resolve } from 'node:path';
import { GroundedError } from '../core/errors';

/**
 * The `--folder` values (default: the current directory), resolved, each once (`--folder . --folder "$PWD"` is one
 * folder, not two whose paths would then start with the folder's name). A missing folder is bad input, and so is a
 * file, said as such: the folder that holds it is what to pass. So is a folder that cannot be listed (no read or
 * search permission): the index would find nothing in it and say only that it has no text files. `list` fails for
 * such a folder.
 */
export async function resolveFolders(
  values: readonly string[] | undefined,
  list: (folder: string) => Promise<void> = listable,
): Promise<string[]> {
  const folders = [...new Set((values?.length ? values : ['.']).map(f => resolve(f)))];
  for (const folder of folders) {
    const info = await stat(folder).catch(() => undefined);
    if (!info) throw new GroundedError('bad-input', `Folder not found: ${folder}`);
    if (!info.isDirectory())
      throw new GroundedError(
        'bad-input',
        `${folder} is a file, not a folder: --folder takes the folder to index (the file's own, to search it).`,
      );
    await list(folder).catch((e: unknown) => {
      const code = (e as { code?: unknown }).code;
      throw new GroundedError(
        'bad-input',
        `The folder ${folder} cannot be read${typeof code === 'string' ? ` (${code})` : ''}. Check its permissions, or pass a folder you can read.`,
        { cause: e },
      );
    });
  }
  return folders;
}

/** Fails unless this process may list the folder (read) and open what is in it (search, the `x` bit). */
const listable = (folder: string): Promise<void> => access(folder, constants.R_OK | constants.X_OK);

/**
 * The working directory, said with what it is (`/home/me, the home folder`), when no --folder was given and it is
 * the filesystem root or the home folder: indexing either reads every file there (credentials and keys among them)
 * for as long as that takes, which is never what running a command there by chance meant. Undefined otherwise.
 */
export function unnamedWideFolder(
  values: readonly string[] | undefined,
  folders: readonly string[],
): string | undefined {
  if (values?.length) return undefined;
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return resolve(path);
    }
  };
  const where = real(folders[0] ?? '.');
  const which =
    where === parse(where).root ? 'the filesystem root' : where === real(homedir()) ? 'the home folder' : undefined;
  return which && `${where}, ${which}`;
}

/**
 * Refuses to index the filesystem root or the home folder for a command run there with no --folder (see
 * unnamedWideFolder), as `grounded mcp` does, saying how to name a folder, or this one on purpose.
 */
export function refuseUnnamedWideFolder(values: readonly string[] | undefined, folders: readonly string[]): void {
  const wide = unnamedWideFolder(values, folders);
  if (wide)
    throw new GroundedError(
      'bad-input',
      `The working directory is ${wide}, and no --folder was given: grounded does not index all of that (every file there, for as long as it takes). Run it in the project's folder, or add --folder /path/to/project (--folder . to index this folder all the same).`,
    );
}
