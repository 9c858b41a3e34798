// Entry of the index worker thread (dist/indexWorker.js when bundled, out/src/index/build/indexWorker.js under tsc):
// runs the task in `workerData` — the index thread, which holds the index and answers the host's requests for as
// long as the host runs, a whole sync (started by the index thread), or one part of a sync's files as its helper —
// and posts progress, then the result with its arrays transferred. Started as a sync's own process (syncProcess.ts),
// it runs the sync it is sent by message and answers over its IPC channel.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerBuildThreadPriority } from './buildPriority';
import { documentCacheDir } from '../documents/documentCache';
import { IndexStore } from '../store/indexStore';
import { indexHelpers } from './helperThreads';
import { serveIndex } from './indexThread';
import { IsolatedExtractor } from './isolatedExtractor';
import { SegmentReader } from './segmentReader';
import { sendSliced } from './slicedArrays';
import { sendToParent, SYNC_PROCESS_ENV } from './syncProcess';
import type { SyncProgress, SyncRequest } from './syncRequest';
import { syncIndex } from './syncIndex';
import {
  doneMessage,
  errorMessage,
  partBuffers,
  type HelperCommand,
  type PartMessage,
  type WorkerMessage,
  type WorkerTask,
} from './workerMessages';

type Post = (message: WorkerMessage | PartMessage, transfer?: ArrayBuffer[]) => void;

/** A whole sync with helper threads, posting progress (at most every 50 ms, and the last) and then the result. */
function runSync(request: SyncRequest, post: Post): void {
  let lastProgress = 0;
  const onProgress = ({ done, total, growing }: SyncProgress): void => {
    const now = performance.now();
    if ((done !== total || growing) && now - lastProgress < 50) return;
    lastProgress = now;
    post({ type: 'progress', done, total, ...(growing ? { growing } : {}) });
  };
  const extractor = new IsolatedExtractor();
  syncIndex(request, {
    onProgress,
    helpers: indexHelpers(__filename),
    extractor: (kind, bytes) => extractor.extract(kind, bytes),
  })
    .finally(() => extractor.close())
    .then(
      result => {
        const { message, transfer } = doneMessage(result);
        post(message, transfer);
      },
      (e: unknown) => post(errorMessage(e)),
    );
}

const port = parentPort;
if (port) {
  const post: Post = (message, transfer = []) => port.postMessage(message, transfer);
  const task = workerData as WorkerTask;
  // a sync and its helpers build; the index thread answers queries and keeps the host's priority
  if (task.kind !== 'index') lowerBuildThreadPriority();
  if (task.kind === 'index') serveIndex(port, task.options, __filename);
  else if (task.kind === 'sync') runSync(task.request, post);
  else {
    // A helper: reads the blocks it is sent, one after the other, into one segment; asks for the next after each.
    const extractor = new IsolatedExtractor();
    const reader = new SegmentReader({
      newSegmentId: () => task.segmentId,
      maxFileBytes: task.maxFileBytes,
      documents: task.documents,
      extractor: (kind, bytes) => extractor.extract(kind, bytes),
      documentCache: task.storeDir ? documentCacheDir(task.storeDir) : undefined,
    });
    const finish = async (): Promise<void> => {
      await extractor.close();
      const result = reader.finish();
      const segment = result.segments[0]?.data;
      // A failed write is not this part's failure: the sync's own save tries again and reports it.
      const written =
        segment && task.storeDir
          ? await new IndexStore(task.storeDir).writeSegment(segment).catch(() => undefined)
          : undefined;
      post(
        {
          type: 'part-done',
          written,
          changed: result.changed,
          restamped: result.restamped,
          ...(segment ? { segment } : {}),
        },
        partBuffers(segment, result.changed),
      );
    };
    let work = Promise.resolve();
    port.on('message', (command: HelperCommand) => {
      work = work.then(() =>
        command.type === 'end'
          ? finish()
          : reader.read(command.files).then(() => post({ type: 'next', done: reader.done })),
      );
      work.catch((e: unknown) => post(errorMessage(e))); // the sync stops this helper at its first error
    });
  }
} else if (process.env[SYNC_PROCESS_ENV] === '1' && process.send) {
  // A sync's own process (see syncProcess.ts), in a session of its own: its threads are charged to that session.
  lowerBuildThreadPriority();
  // the result's large arrays go in slices, so that no one message holds the receiving thread for long
  const post: Post = message => sendSliced(message, sendToParent);
  process.once('message', (task: WorkerTask) => {
    if (task.kind === 'sync') runSync(task.request, post);
    else post(errorMessage(new Error(`A sync's process cannot run a task of kind ${task.kind}.`)));
  });
  process.once('disconnect', () => process.exit(0)); // the process that started it is gone
}
