// Entry of the index worker thread (dist/indexWorker.js when bundled, out/src/index/indexWorker.js under tsc):
// runs one SyncRequest from `workerData` and posts progress, then the result with its arrays transferred.
import { parentPort, workerData } from 'node:worker_threads';
import { syncIndex, type SyncRequest } from './indexSync';
import { doneMessage, type WorkerMessage } from './workerMessages';

const port = parentPort;
if (port) {
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  let lastProgress = 0;
  syncIndex(workerData as SyncRequest, {
    onProgress: ({ done, total }) => {
      const now = performance.now();
      if (done !== total && now - lastProgress < 50) return;
      lastProgress = now;
      post({ type: 'progress', done, total });
    },
  }).then(
    result => {
      const { message, transfer } = doneMessage(result);
      post(message, transfer);
    },
    (e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined }),
  );
}
