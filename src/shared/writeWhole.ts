import { rename, unlink, writeFile } from 'node:fs/promises';

/**
 * Writes `data` to `path` whole or not at all: under a temporary name beside it (`<path>.<pid>.<ms>.tmp`), then
 * renamed in place, so a reader never finds half a file. A failed write leaves no temporary file.
 */
export async function writeWhole(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
