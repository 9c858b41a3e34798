import type { SyncProgress, WorkspaceIndexConfig } from '../index';
import { LocalRetriever } from '../retrievers/localRetriever';
import type { CliIo } from './cliIo';
import { defaultStoreDir, prepareStoreDir } from './storeDir';
import { escapeName } from '../shared/terminalText';
import { settingFlags } from './terminalError';

/** A one-shot command says nothing of a sync that ends within this time, then says how far it got at most this often. */
export const PROGRESS_EVERY_MS = 2000;

/**
 * The persistent index of the folders for one CLI command; its notices (a rebuilt store, the file limit) go to stderr,
 * in the CLI's words (settingFlags). `watch`: sync progress and index changes, for a command that keeps running
 * (`grounded mcp`); without it, a sync's progress goes to stderr (progressOnStderr), so the first build of a large
 * folder is not minutes of silence.
 */
export async function openIndex(
  folders: readonly string[],
  store: string | undefined,
  io: CliIo,
  watch: Pick<WorkspaceIndexConfig, 'onProgress' | 'onChange'> = { onProgress: progressOnStderr(io, folders) },
): Promise<LocalRetriever> {
  const storeDir = await prepareStoreDir(store ?? defaultStoreDir(folders));
  const retriever = new LocalRetriever({
    folders: () => folders,
    storeDir,
    onNotice: message => io.err(`grounded: ${settingFlags(message)}\n`),
    ...watch,
  });
  io.signal?.addEventListener('abort', () => retriever.dispose(), { once: true });
  return retriever;
}

/**
 * Says on stderr how far a sync got (`grounded: indexing: 1200 of 5000 files read`), once PROGRESS_EVERY_MS has
 * passed since it was made and then at most every PROGRESS_EVERY_MS: a quick sync says nothing, a long one is seen
 * to move. Its first line says which folders are read and how to stop, before what may be minutes of work. `now`
 * is the clock (milliseconds).
 */
export function progressOnStderr(
  io: CliIo,
  folders: readonly string[],
  now: () => number = () => performance.now(),
): (p: SyncProgress) => void {
  let last = now();
  let first = true;
  return ({ done, total, growing }) => {
    const at = now();
    if (at - last < PROGRESS_EVERY_MS) return;
    last = at;
    if (first) io.err(`grounded: indexing ${folders.map(escapeName).join(', ')} (Ctrl-C stops)\n`);
    first = false;
    const far = total === 0 ? 'listing the files…' : `${done} of ${total}${growing ? '+' : ''} files read`;
    io.err(`grounded: indexing: ${far}\n`);
  };
}
