import type { DiscoveryRules } from '../discovery/walkFolders';
import type { IndexStats } from '../segments/indexStats';
import type { SyncProgress } from './syncRequest';

/** What the index thread is started with: the parts of WorkspaceIndexConfig that are data, not functions. */
export interface IndexThreadOptions {
  storeDir?: string;
  persistDelayMs?: number;
}

/** The folders and rules as the host reads them now (its settings): sent with every request that may sync. */
export interface IndexThreadConfig {
  folders: string[];
  rules: DiscoveryRules;
}

/** A request to the index thread; each is answered by a reply (or a failure) with its `id`. */
export type IndexRequest = { id: number } & (
  | { type: 'ready'; config: IndexThreadConfig }
  | { type: 'sync'; config: IndexThreadConfig; fromScratch: boolean }
  | { type: 'synced' }
  | { type: 'update'; config: IndexThreadConfig; locations: string[] }
  | { type: 'search'; query: string; k: number }
  | { type: 'termWeights'; texts: string[] }
  | { type: 'flush' }
  | { type: 'warmed' }
  | { type: 'memory' }
  | { type: 'close' }
);

/** Told without a reply: stop the sync in progress. */
export type IndexCommand = IndexRequest | { type: 'cancel' };

/**
 * What the index thread holds (bytes): its isolate's heap and array buffers, the index's WebAssembly memories, and
 * the buffers of the index's arrays (those a sync worker made and transferred are not in `arrayBuffers`).
 */
export interface IndexThreadMemory {
  heapUsed: number;
  arrayBuffers: number;
  wasmBytes: number;
  bufferBytes: number;
}

/** What the host mirrors to answer at once: the counts, the folders indexed, whether a sync runs. */
export interface IndexThreadState {
  stats: IndexStats | undefined;
  folders: string[];
  syncing: boolean;
}

/**
 * What the index thread posts: replies to requests, and on its own the state the host mirrors (`changed`: the index
 * changed, not only whether a sync runs), sync progress,
 * notices for the user, and `saved` once a save holds every update up to request `seq`.
 */
export type IndexEvent =
  | { type: 'reply'; id: number; value: unknown }
  | { type: 'failed'; id: number; error: ErrorData }
  | { type: 'state'; state: IndexThreadState; changed: boolean }
  | { type: 'progress'; progress: SyncProgress }
  | { type: 'notice'; message: string }
  | { type: 'saved'; seq: number };

/** An error as data (structured clone drops an Error's class): its name and message, and a GroundedError's kind. */
export interface ErrorData {
  name: string;
  message: string;
  stack?: string;
  kind?: string;
}
