import { LocalRetriever } from '../retrievers/localRetriever';
import type { CliIo } from './cliIo';
import { defaultStoreDir, prepareStoreDir } from './storeDir';

/** The persistent index of the folders for one CLI command; store notices (a rebuilt store) go to stderr. */
export async function openIndex(
  folders: readonly string[],
  store: string | undefined,
  io: CliIo,
): Promise<LocalRetriever> {
  const storeDir = await prepareStoreDir(store ?? defaultStoreDir(folders));
  const retriever = new LocalRetriever({
    folders: () => folders,
    storeDir,
    onNotice: message => io.err(`grounded: ${message}\n`),
  });
  io.signal?.addEventListener('abort', () => retriever.dispose(), { once: true });
  return retriever;
}
