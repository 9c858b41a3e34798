import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { threadId } from 'node:worker_threads';

/** Temporary files this thread has written, which numbers the next one. */
let written = 0;

/**
 * Writes `data` to `path` whole or not at all: under a temporary name beside it, then renamed in place, so a reader
 * never finds half a file. The temporary name (`<path>.<pid>.<thread>.<n>.<random hex>.tmp`) is this write's alone,
 * so two writers of one file at once (two windows, a window and the CLI, two saves of one process) never write into
 * the same temporary file: the last rename wins, and either way the file is one writer's whole. A failed write leaves
 * no temporary file.
 */
export async function writeWhole(path: string, data: string | Uint8Array): Promise<void> {
  // pid and thread may repeat across machines that share the folder (containers run as pid 1); the random part not
  const tmp = `${path}.${process.pid}.${threadId}.${++written}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
