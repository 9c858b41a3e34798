import type { WorkspaceIndexConfig } from '../index';
import { LocalRetriever } from '../retrievers/localRetriever';
import type { CliIo } from './cliIo';
import { defaultStoreDir, prepareStoreDir } from './storeDir';

/**
 * The persistent index of the folders for one CLI command; store notices (a rebuilt store) go to stderr. `watch`:
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
    onNotice: message => io.err(`grounded: ${message}\n`),
    ...watch,
  });
  io.signal?.addEventListener('abort', () => retriever.dispose(), { once: true });
  return retriever;
}
