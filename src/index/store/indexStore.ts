import { open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeWhole } from '../../shared/writeWhole';
import { STORE_MARKER } from '../discovery/storeMarker';
import type { SegmentData } from '../segments/segment';
import type { IndexSnapshot } from '../segments/segmentedIndex';
import { HEADER_BYTES, headerChecksum, StoreFormatError } from './binaryFormat';
import { decodeManifest, encodeManifest, type Manifest } from './manifestCodec';
import { readFileBytes, retryTransient } from './readFileBytes';
import { decodeSegment, encodeSegment } from './segmentCodec';
import { lockStore } from './storeLock';
import {
  claimStoreFolder,
  isStoreFile,
  MANIFEST,
  SEGMENT_FILE,
  segmentFile,
  storeFolderState,
  StoreFolderError,
  TEMPORARY_FILE,
} from './storeFolder';

/**
 * How long a temporary file must have gone untouched to be taken as one a writer left when it was killed mid-save:
 * far longer than any one file takes to write, even a writer on another machine sharing the folder.
 */
const LEFTOVER_MS = 15 * 60_000;

export interface StoredIndex {
  manifest: Manifest;
  /** In manifest order. */
  segments: SegmentData[];
}

/** What a stored index holds, as a `SegmentedIndex` takes it. */
export const snapshotOf = ({ manifest, segments }: StoredIndex): IndexSnapshot => ({
  segments,
  deletions: manifest.deletions,
  files: manifest.files,
  nextSegmentId: manifest.nextSegmentId,
});

const isNotFound = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === 'ENOENT';

/**
 * How long a live index's save waits for the store's lock: another process's sync may hold it for minutes, and the
 * index syncs after it instead.
 */
const LOCK_WAIT_MS = 2_000;

/**
 * What tells one saved manifest from another without reading it: its inode, size and modification time (every save
 * renames a new file into place); 'none' when there is no manifest.
 */
export async function manifestStamp(dir: string): Promise<string> {
  const info = await stat(join(dir, MANIFEST)).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
  return info ? `${info.ino}:${info.size}:${info.mtimeMs}` : 'none';
}

/**
 * The store is another writer's: another process saved the index since this writer last knew it (numbering its
 * segments from the same ids), or holds the store's lock still. Nothing was written; the index must be synced from
 * the store again.
 */
export class StoreChangedError extends Error {
  constructor(dir: string, busy = false) {
    super(busy ? `another process is saving the index in ${dir}` : `another process saved the index in ${dir}`);
    this.name = 'StoreChangedError';
  }
}

/**
 * The index on disk, in one folder marked as Grounded's (see claimStoreFolder): immutable `seg-<id>.bin` files and a
 * `manifest.bin` that names the live ones. Nothing is written or deleted before the folder is claimed, and only
 * files with those names (and their temporary files) are ever deleted. A save writes the new segments first and the manifest last, each through a temporary file and a
 * rename, so a crash or a cancelled worker leaves the previous index intact; unreferenced segments are removed
 * after the manifest is in place, or, when a save fails (a full disk), those the manifest still on disk does not
 * name. Saves are serialised.
 */
/** A segment file in the store: its id, and the checksum its header holds (see headerChecksum). */
export type StoredSegment = readonly [id: number, checksum: number];

export class IndexStore {
  /**
   * The checksum of each segment file this store wrote or read, by id (segments never change, so each is written
   * once): a file on disk whose checksum is another is not that segment, and is never named by a manifest it saves.
   */
  private readonly onDisk = new Map<number, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private claimed: Promise<void> | undefined;

  /**
   * `written`: segments known to be on disk already, with their checksums (a worker just saved them); `stamp`: the
   * manifestStamp of the manifest they belong to, which `saveUnlessChanged` expects to find.
   */
  constructor(
    readonly dir: string,
    written: Iterable<StoredSegment> = [],
    private stamp?: string,
  ) {
    this.markWritten(written);
  }

  /** Whether the folder holds a saved index (its manifest), without reading it. */
  async hasIndex(): Promise<boolean> {
    return stat(join(this.dir, MANIFEST)).then(
      s => s.isFile(),
      () => false,
    );
  }

  /**
   * The stored index, or undefined when there is none yet. A damaged, truncated or old-version store throws a
   * StoreFormatError (the caller rebuilds and says so); a folder holding files that are not Grounded's throws a
   * StoreFolderError (the caller keeps the index in memory); a folder that cannot be read throws the fs error. A read
   * that fails for a transient reason (too many open files, a busy file) is tried again a few times first.
   * `step` (see createYielder) is awaited every few ms of work, so that the host thread can load without stalling.
   */
  async load(step: () => Promise<void> = () => Promise.resolve()): Promise<StoredIndex | undefined> {
    const state = await retryTransient(() => storeFolderState(this.dir));
    if (state === 'missing' || state === 'empty') return undefined;
    if (state === 'foreign')
      throw new StoreFolderError(
        'foreign',
        `The folder ${this.dir} holds files that are not Grounded's, so Grounded keeps the index in memory and leaves the folder untouched (it needs an empty folder or one marked with ${STORE_MARKER}).`,
      );
    let bytes: Uint8Array;
    try {
      bytes = await retryTransient(() => readFileBytes(join(this.dir, MANIFEST)));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    const manifest = await decodeManifest(bytes, MANIFEST, step);
    // Read in parallel (the thread pool does it); checked one after the other, so `step` slices stay sequential.
    const reads = manifest.segmentIds.map(async id => {
      const name = segmentFile(id);
      try {
        return await retryTransient(() => readFileBytes(join(this.dir, name)));
      } catch (e) {
        if (isNotFound(e)) throw new StoreFormatError('missing', `${name} is missing`);
        throw e;
      }
    });
    reads.forEach(r => r.catch(() => undefined)); // the first failure is thrown below; the others are not unhandled
    const segments: SegmentData[] = [];
    for (const [i, id] of manifest.segmentIds.entries()) {
      const name = segmentFile(id);
      const bytes = await (reads[i] as Promise<Uint8Array>);
      const segment = await decodeSegment(bytes, name, step);
      if (segment.id !== id) throw new StoreFormatError('corrupt', `${name} holds segment ${segment.id}`);
      if (headerChecksum(bytes) !== manifest.segmentChecksums?.[i])
        throw new StoreFormatError('corrupt', `${name} is not the segment ${MANIFEST} was saved with`);
      segments.push(segment);
    }
    manifest.segmentIds.forEach((id, i) => this.onDisk.set(id, manifest.segmentChecksums?.[i] ?? 0));
    return { manifest, segments };
  }

  /** Writes what is new and makes `manifest` the current index. The caller holds the store's lock (a sync does). */
  save(manifest: Manifest, segments: readonly SegmentData[]): Promise<void> {
    return this.queued(() => this.write(manifest, segments));
  }

  /**
   * Like save, for a writer that does not hold the store's lock (a live index saving its updates): takes it, and
   * writes nothing, throwing StoreChangedError, when the manifest on disk is not the one this store last knew (a
   * `stamp` given, or one it wrote since): another process's segments may carry the ids this one would write. So
   * does a lock that another process holds for longer than LOCK_WAIT_MS.
   */
  saveUnlessChanged(manifest: Manifest, segments: readonly SegmentData[]): Promise<void> {
    return this.queued(async () => {
      await this.claim();
      const wait = AbortSignal.timeout(LOCK_WAIT_MS);
      const release = await lockStore(this.dir, wait).catch((e: unknown) => {
        throw wait.aborted && e === wait.reason ? new StoreChangedError(this.dir, true) : e;
      });
      try {
        if (this.stamp === undefined || (await manifestStamp(this.dir)) !== this.stamp)
          throw new StoreChangedError(this.dir);
        await this.write(manifest, segments);
      } finally {
        await release();
      }
    });
  }

  private queued(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes one segment file now (a helper thread does, as soon as its part is built, while the others still
   * work); it is live only once a saved manifest names it. The store that saves that manifest must be told with
   * `markWritten`, with the checksum this returns.
   */
  async writeSegment(segment: SegmentData): Promise<number> {
    await this.claim();
    const bytes = encodeSegment(segment);
    await this.atomicWrite(segmentFile(segment.id), bytes);
    const checksum = headerChecksum(bytes) ?? 0;
    this.onDisk.set(segment.id, checksum);
    return checksum;
  }

  /** Segments another thread wrote (`writeSegment`) for the next save: not written again while their files hold them. */
  markWritten(segments: Iterable<StoredSegment>): void {
    for (const [id, checksum] of segments) this.onDisk.set(id, checksum);
  }

  /** The segment files this store wrote or read, with their checksums (what another store for the folder is told). */
  storedSegments(): StoredSegment[] {
    return [...this.onDisk];
  }

  /** Forgets what is on disk so the next save writes every segment again (after a damaged store). */
  async clear(): Promise<void> {
    this.onDisk.clear();
    await this.claim();
    const names = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(names.filter(isStoreFile).map(n => unlink(join(this.dir, n)).catch(() => undefined)));
  }

  /**
   * Makes sure the folder is Grounded's to write in before something else is kept in it (the document cache);
   * rejects as a save would.
   */
  claimFolder(): Promise<void> {
    return this.claim();
  }

  /** Makes sure the folder is Grounded's to write in (once per store; again after a failure). */
  private claim(): Promise<void> {
    this.claimed ??= claimStoreFolder(this.dir).catch((e: unknown) => {
      this.claimed = undefined;
      throw e;
    });
    return this.claimed;
  }

  private async write(manifest: Manifest, segments: readonly SegmentData[]): Promise<void> {
    await this.claim();
    try {
      for (const segment of segments) if (!this.onDisk.has(segment.id)) await this.writeSegment(segment);
      const byId = new Map(segments.map(s => [s.id, s]));
      const segmentChecksums: number[] = [];
      for (const id of manifest.segmentIds) segmentChecksums.push(await this.checkedOrRewritten(id, byId.get(id)));
      await this.atomicWrite(MANIFEST, encodeManifest({ ...manifest, segmentChecksums }));
    } catch (e) {
      // The manifest on disk is still the one before: the segments written for this one (here, or by helper
      // threads) are named by none, and on a full disk they hold the space a later save needs.
      const saved = await this.savedSegmentIds().catch(() => undefined);
      if (saved) await this.removeUnnamed(saved).catch(() => undefined);
      throw e;
    }
    this.stamp = await manifestStamp(this.dir);
    await this.removeUnnamed(new Set(manifest.segmentIds));
  }

  /**
   * The checksum of segment `id`'s file, once the file is the segment this store wrote or read (its checksum is the
   * one this store knows); else the file is written again from `segment`: something else (a user cleaning the folder,
   * a backup tool, a copy from another store) removed or replaced a file this store wrote, and the index in memory
   * still holds it. Without `segment` a StoreFormatError is thrown (or the error reading the file).
   */
  private async checkedOrRewritten(id: number, segment: SegmentData | undefined): Promise<number> {
    let found: number | undefined;
    try {
      found = await this.checksumOf(id);
    } catch (e) {
      if (!segment || !(isNotFound(e) || e instanceof StoreFormatError)) throw e;
    }
    if (found !== undefined && found === this.onDisk.get(id)) return found;
    this.onDisk.delete(id);
    if (!segment)
      throw new StoreFormatError(
        'corrupt',
        `${segmentFile(id)} is not the segment this index wrote, and the index does not hold it to write it again`,
      );
    return this.writeSegment(segment);
  }

  /** The checksum in the header of segment `id`'s file as it is on disk (what the manifest saved with it holds). */
  private async checksumOf(id: number): Promise<number> {
    const name = segmentFile(id);
    const handle = await open(join(this.dir, name), 'r');
    try {
      const head = new Uint8Array(HEADER_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEADER_BYTES, 0);
      const checksum = headerChecksum(head.subarray(0, bytesRead));
      if (checksum === undefined) throw new StoreFormatError('truncated', `${name}: shorter than its header`);
      return checksum;
    } finally {
      await handle.close();
    }
  }

  /** The segment ids the manifest on disk names: none without one; throws when it cannot be read and decoded. */
  private async savedSegmentIds(): Promise<Set<number>> {
    let bytes: Uint8Array;
    try {
      bytes = await readFileBytes(join(this.dir, MANIFEST));
    } catch (e) {
      if (isNotFound(e)) return new Set();
      throw e;
    }
    return new Set((await decodeManifest(bytes, MANIFEST)).segmentIds);
  }

  /** Removes the segment files `live` does not name, and temporary files a writer killed mid-save left behind. */
  private async removeUnnamed(live: ReadonlySet<number>): Promise<void> {
    for (const name of await readdir(this.dir)) {
      if (TEMPORARY_FILE.test(name)) {
        await this.unlinkIfLeftOver(name);
        continue;
      }
      const id = Number(SEGMENT_FILE.exec(name)?.[1] ?? NaN);
      if (Number.isNaN(id) || live.has(id)) continue;
      await unlink(join(this.dir, name)).catch(() => undefined);
      this.onDisk.delete(id);
    }
  }

  /** Removes a temporary file (a segment-sized one, often) that a writer killed mid-save left behind. */
  private async unlinkIfLeftOver(name: string): Promise<void> {
    const path = join(this.dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > LEFTOVER_MS) await unlink(path).catch(() => undefined);
  }

  /** Writes a file of the store whole (see writeWhole: its temporary name is one `storeFolder` knows). */
  private atomicWrite(name: string, bytes: Uint8Array): Promise<void> {
    return writeWhole(join(this.dir, name), bytes);
  }
}
