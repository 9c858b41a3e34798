// One session of a workspace index over a store on disk, as a user's next start meets it: synced (in-process),
// flushed, searched once, disposed.
import type { IndexHit } from '../../src/index';
import { WorkspaceIndex } from '../../src/index/workspaceIndex';

/** The hits of `query` after a sync of `ws` into `store`, and the notices the session gave. */
export async function searchStoreOnce(
  ws: string,
  store: string,
  query: string,
  k: number,
): Promise<{ hits: IndexHit[]; notices: string[] }> {
  const notices: string[] = [];
  const index = new WorkspaceIndex({
    folders: () => [ws],
    storeDir: store,
    workerFile: false,
    onNotice: m => notices.push(m),
  });
  try {
    await index.sync();
    await index.flush();
    return { hits: index.search(query, k), notices };
  } finally {
    index.dispose();
  }
}
