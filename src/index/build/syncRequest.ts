import type { SkipReason } from '../discovery/skipReasons';
import type { DiscoveryRules } from '../discovery/walkFolders';
import type { IndexStats } from '../segments/indexStats';
import type { IndexSnapshot } from '../segments/segmentedIndex';
import type { StoredSegment } from '../store/indexStore';

/** One task for the index worker: bring the stored index of these folders up to date with the disk. */
export interface SyncRequest {
  folders: string[];
  rules: DiscoveryRules;
  /** Where the index is kept; without one the index lives in memory only. */
  storeDir?: string;
  /** Ignore what is stored and read every file again (Rebuild Index). */
  fromScratch?: boolean;
}

export interface SyncResult {
  snapshot: IndexSnapshot;
  walkSkipped: Record<SkipReason, number>;
  stats: IndexStats;
  /** The stored index could not be used (damaged, truncated, old version, unreadable): it was rebuilt. */
  storeProblem?: string;
  /**
   * The index could not be saved; it works, but the next start reads every file again, or those changed since the
   * manifest it kept was saved (see manifestStamp).
   */
  saveProblem?: string;
  /** The store folder is not Grounded's to use (see StoreFolderError): nothing was read or written there. */
  storeRefused?: boolean;
  /** The store's manifest as the sync left it (see manifestStamp): what the index's later saves expect to find. */
  manifestStamp?: string;
  /** The snapshot's segments as the store holds them, with their files' checksums: not written again by later saves. */
  storedSegments?: StoredSegment[];
}

/** `done` of `total` files read; `growing` while the walk still finds files, so `total` is not final yet. */
export interface SyncProgress {
  done: number;
  total: number;
  growing?: true;
}
