import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { quietWorker } from './quietWorker';
import { syncIndex } from './syncIndex';
import { runSyncProcess } from './syncProcess';
import type { SyncProgress, SyncRequest, SyncResult } from './syncRequest';
import { INDEX_WORKER_HEAP_MB, isOutOfMemory, outOfMemory } from './workerLimits';
import { settleOnce } from './settleOnce';
import { dropLockOf } from '../store/storeLock';
import { errorOf, progressOf, resultOf, type WorkerMessage, type WorkerTask } from './workerMessages';

/** Work the host does per turn of its event loop while taking a result in (well under the 50 ms users notice). */
export const INSTALL_BUDGET_MS = 5;

/**
 * The worker script sits next to this module in all three builds: dist/indexWorker.js beside dist/extension.js
 * and dist/cli.js (esbuild), out/src/index/build/indexWorker.js beside this file (tsc, unit tests).
 */
export const DEFAULT_WORKER_FILE = join(__dirname, 'indexWorker.js');

export interface SyncTaskOptions {
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** The worker script; `false` runs in-process (cooperatively, yielding every few ms). */
  workerFile?: string | false;
  /** The worker's heap limit in MB; default INDEX_WORKER_HEAP_MB. */
  heapMb?: number;
  /** Runs the worker script as a process of its own session instead of a thread (see syncInOwnSession). */
  ownSession?: boolean;
}

/**
 * Runs a sync in a worker thread, so the host's event loop stays free while thousands of files are read and
 * tokenized. Aborting terminates the worker (the store is only ever replaced atomically, so nothing half-written
 * remains). Without a worker script (an unusual bundle) it runs in-process instead of failing. With `ownSession`
 * the script runs as a child process that leads a session of its own (runSyncProcess).
 */
export function runSyncTask(request: SyncRequest, options: SyncTaskOptions = {}): Promise<SyncResult> {
  const file = options.workerFile ?? DEFAULT_WORKER_FILE;
  if (file === false || !existsSync(file)) return syncIndex(request, options);
  const heapMb = options.heapMb ?? INDEX_WORKER_HEAP_MB;
  if (options.ownSession) return runSyncProcess(file, request, { ...options, heapMb });
  return new Promise<SyncResult>((resolve, reject) => {
    options.signal?.throwIfAborted();
    const task: WorkerTask = { kind: 'sync', request };
    const worker = quietWorker(file, { workerData: task, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    const thread = worker.threadId; // -1 once the thread has stopped
    const finish = settleOnce(reject, options.signal, () => void worker.terminate());
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') options.onProgress?.(progressOf(message));
      else if (message.type === 'done') finish(() => resolve(resultOf(message)));
      else finish(() => reject(errorOf(message)));
      if (message.type !== 'progress') void worker.terminate();
    });
    worker.on('error', e => finish(() => reject(isOutOfMemory(e) ? outOfMemory(heapMb, e) : e)));
    // The worker is terminated once its result arrived (then this is too late to matter).
    worker.on('exit', code => {
      // a terminated worker (a cancelled sync) cannot release the store's lock: this process does
      if (request.storeDir) void dropLockOf(request.storeDir, thread);
      finish(() => reject(new Error(`The index worker stopped (exit code ${code}) before it finished.`)));
    });
  });
}
