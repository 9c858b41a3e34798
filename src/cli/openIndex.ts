import type { WorkspaceIndexConfig } from '../index';
import { LocalRetriever } from '../retrievers/localRetriever';
import type { CliIo } from './cliIo';
import { defaultStoreDir, prepareStoreDir } from './storeDir';
import { settingFlags } from './terminalError';

/**
 * The persistent index of the folders for one CLI command; its notices (a rebuilt store, the file limit) go to stderr,
 * in the CLI's words (settingFlags). `watch`:
 * sync progress and index changes, for a command that keeps running (`grounded mcp`).
 */
export async function openIndex(
  folders: readonly string[],
  store: string | undefined,
  io: CliIo,
  watch: Pick<WorkspaceIndexConfig, 'onProgress' | 'onChange'> = {},
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
