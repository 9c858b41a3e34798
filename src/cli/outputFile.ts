import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { GroundedError } from '../core/errors';
import { escapeName } from '../shared/terminalText';

/**
 * Checks, before any work, that `--OPTION FILE` can be written: its folder exists and is writable, and the file is
 * not a folder. A bad path is a `bad-input` GroundedError naming it.
 */
export async function checkOutputFile(file: string, option: string): Promise<string> {
  const path = resolve(file);
  const folder = dirname(path);
  const where = `${option} ${escapeName(file)}`;
  const folderInfo = await stat(folder).catch(() => undefined);
  if (!folderInfo?.isDirectory())
    throw new GroundedError('bad-input', `${where}: the folder ${escapeName(folder)} does not exist.`);
  if ((await stat(path).catch(() => undefined))?.isDirectory())
    throw new GroundedError('bad-input', `${where} is a folder; give a file name.`);
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new GroundedError('bad-input', `${where}: the folder ${escapeName(folder)} cannot be written to.`);
  }
  return path;
}

/**
 * Writes an output file; a failure is a GroundedError naming the file and the reason (ENOSPC, EACCES…), of kind
 * `index` (exit code 1, a local failure, as an index that could not be saved), not one a remote endpoint's (3).
 */
export async function writeOutputFile(path: string, text: string, option: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    const reason = (e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e));
    throw new GroundedError('index', `Could not write ${option} ${escapeName(path)} (${reason}).`);
  }
}
