import type { MessagePort } from 'node:worker_threads';
import { GroundedError } from '../../core/errors';
import { WorkspaceIndex } from '../workspaceIndex';
import type {
  ErrorData,
  IndexCommand,
  IndexEvent,
  IndexRequest,
  IndexThreadConfig,
  IndexThreadMemory,
  IndexThreadOptions,
  IndexThreadState,
} from './indexThreadMessages';

/**
 * The index thread's side: one WorkspaceIndex, which owns the index (loading the store, syncs, saved files, merges,
 * saving, warm-up), answering the host's requests by message. Its full syncs run in a worker of their own
 * (`syncWorkerFile`; on Linux a process of its own session, see syncProcess.ts), so this thread keeps answering
 * queries while one runs. The folders and rules are the host's (its settings): each request that may sync carries
 * them, and the index reads the latest.
 */
export function serveIndex(port: MessagePort, options: IndexThreadOptions, syncWorkerFile: string | false): void {
  const post = (event: IndexEvent): void => port.postMessage(event);
  let config: IndexThreadConfig = { folders: [], rules: {} };
  /** The highest update request applied to the index (updates are applied in the order they came). */
  let appliedSeq = 0;
  let state: IndexThreadState = { stats: undefined, folders: [], syncing: false };
  let weighing: NodeJS.Timeout | undefined;
  const postState = (change: Partial<IndexThreadState>, changed: boolean): void => {
    state = { ...state, ...change };
    post({ type: 'state', state, changed });
  };
  const index: WorkspaceIndex = new WorkspaceIndex({
    folders: () => config.folders,
    rules: () => config.rules,
    storeDir: options.storeDir,
    persistDelayMs: options.persistDelayMs,
    workerFile: syncWorkerFile,
    onProgress: progress => post({ type: 'progress', progress }),
    onChange: stats => {
      postState({ stats, folders: [...index.indexedFolders], syncing: index.isSyncing }, true);
      // The common terms' weights, ready before a question needs them; once changes pause (not in a save's way).
      clearTimeout(weighing);
      weighing = setTimeout(() => index.termWeightTable([]), WEIGH_AFTER_MS).unref();
    },
    onNotice: message => post({ type: 'notice', message }),
    onSyncing: syncing => postState({ syncing }, false),
    onSaving: saved => {
      const seq = appliedSeq;
      void saved.then(ok => ok && post({ type: 'saved', seq }));
    },
  });

  const answer = async (request: IndexRequest): Promise<unknown> => {
    switch (request.type) {
      case 'ready':
        config = request.config;
        await index.ready();
        return undefined;
      case 'sync':
        config = request.config;
        return index.sync({ fromScratch: request.fromScratch });
      case 'synced':
        return index.synced();
      case 'update':
        config = request.config;
        await index.update(request.locations);
        appliedSeq = Math.max(appliedSeq, request.id);
        return undefined;
      case 'search':
        return index.search(request.query, request.k);
      case 'termWeights':
        return index.termWeightTable(request.texts);
      case 'flush':
        return index.flush();
      case 'warmed':
        return index.warmed();
      case 'memory': {
        // A measuring run (node --expose-gc) collects first, so that the figures are what the index retains.
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise(resolve => setTimeout(resolve, 10)); // freed buffers are released after a turn
        const { heapUsed, arrayBuffers } = process.memoryUsage();
        return { heapUsed, arrayBuffers, ...index.heldBytes() } satisfies IndexThreadMemory;
      }
      case 'close':
        return index.close();
    }
  };

  port.on('message', (command: IndexCommand) => {
    if (command.type === 'cancel') return index.cancel();
    answer(command).then(
      value => post({ type: 'reply', id: command.id, value }),
      (e: unknown) => post({ type: 'failed', id: command.id, error: errorData(e) }),
    );
  });
}

/** How long the index stays unchanged before the thread weighs its common terms (see termWeightTable). */
const WEIGH_AFTER_MS = 1000;

function errorData(e: unknown): ErrorData {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  return { name: e.name, message: e.message, stack: e.stack, ...(e instanceof GroundedError ? { kind: e.kind } : {}) };
}
