import { asError, cancelled, isAbort } from '../core/errors';
import type { Passage } from '../core/passage';
import type { Retriever, SearchOptions } from '../core/ports';
import { CachingEmbedder } from '../embeddings/cachingEmbedder';
import type { Embedder } from '../embeddings/embedder';
import { readAsIndexed, type DiscoveryRules } from '../index';
import { fuseByReciprocalRank, keywordsOnly, stillEmbedding, zeroQuestionVector } from './hybridRankFusion';
import { raceAbort } from './localRetriever';
import { realPathInside } from './realPathInside';
import { hasDirection, HybridVectorStore, type VectorEntry } from './hybridVectorStore';
import { fileRows, workspaceRowBatches, type PushRow } from './pgvectorPushRows';

export interface HybridRetrieverOptions {
  /**
   * The lexical side: the local index (whose chunks and ids are the same as the ones embedded here). Its sync in
   * progress (`ready`) is waited for before the workspace is embedded: it extracts the PDFs and Word documents. Its
   * `builtAt` (`stats`) tells when it changed: the vectors catch up with it before the next search.
   */
  lexical: Retriever & { ready?(): Promise<unknown>; stats?(): { builtAt: number } | undefined };
  embedder: Embedder;
  folders: () => readonly string[];
  rules?: () => DiscoveryRules;
  /** The local index's extracted PDFs and Word documents (none: those are not embedded). */
  documentCache?: () => string | undefined;
  /** Where vectors are kept between sessions (by content hash); none: memory only. */
  storeFile?: string;
  /** Hears when a search answers from the keyword ranking alone (the embeddings endpoint failed), for the log. */
  onNotice?: (message: string) => void;
  /** The time in milliseconds (tests move it); default Date.now. */
  now?: () => number;
  /** Files read of the files to read (new or changed since the last sync). */
  onProgress?: (progress: { done: number; total: number }) => void;
  /**
   * A search waits for a catch-up with the index that reads at most this many files (default CATCH_UP_WAIT_FILES);
   * after a larger change it answers from the vectors it has while the catch-up goes on.
   */
  catchUpWaitFiles?: number;
  /** Files read (and embedded) per batch (default: the index's read batch). */
  batchFiles?: number;
}

/**
 * The files a catch-up may read and embed while a search waits for it: what one saved file, a checkout of a branch or
 * a few generated files change (a few embedding requests). More, and the search answers from the vectors it has.
 */
const CATCH_UP_WAIT_FILES = 64;

/**
 * How long after the embeddings endpoint failed searches answer by keywords without asking it again: a failed
 * attempt costs its retries (seconds) or its timeouts (minutes), and a sync first reads the whole workspace.
 */
const ENDPOINT_RETRY_MS = 60_000;

/** What a search answered by keywords alone says of why the embeddings ranked nothing. */
const failedNotice = (failure: string): string => keywordsOnly("the local index's BM25 ranking", failure);

export interface VectorSyncReport {
  chunks: number;
  /** Files read: new or changed since the last sync (all at the first). */
  read: number;
  /** Texts sent to the embeddings endpoint; the others came from the store. */
  embedded: number;
}

/** A sync in progress: `planned` resolves with the number of files it reads once its walk found them. */
interface SyncRun {
  planned: Promise<number>;
  done: Promise<VectorSyncReport>;
}

/** What the hybrid knows of a file it embedded: the size and mtime it had, and its chunks. */
interface EmbeddedFile {
  stamp: string;
  entries: VectorEntry[];
}

/**
 * The local hybrid: BM25 from the local index and cosine over the chunks' embeddings, fused by RRF. Vectors live in
 * their own store keyed by content hash, beside (not inside) the index, so an unchanged chunk is embedded once,
 * ever. When the index changed since the last sync (its `builtAt`), the next search first catches up: a walk of the
 * folders, then only the files whose size or mtime changed are read and their new chunks embedded. A vector hit
 * whose file changed since the last sync is left out rather than cited at moved lines.
 */
export class HybridRetriever implements Retriever {
  private readonly store: HybridVectorStore;
  private readonly embedder: CachingEmbedder;
  private syncing: SyncRun | undefined;
  /** The first sync finished: every file the walk listed was read once. */
  private synced = false;
  private loaded = false;
  /** The files embedded, by location; the next sync reads only the others and those whose stamp changed. */
  private readonly files = new Map<string, EmbeddedFile>();
  /** The rules the files were read by: other rules may chunk the same file otherwise, so all are read again. */
  private filesRules = '';
  /** The index's `builtAt` when the last sync that finished began. */
  private syncedVersion: number | undefined;
  /** The embeddings endpoint's last failure, while searches do not ask it again (`ENDPOINT_RETRY_MS`). */
  private endpointFailure: { message: string; at: number } | undefined;
  /** The log was told that a question's vector of zeros made a search answer by keywords alone. */
  private toldZeroQuestion = false;

  constructor(private readonly options: HybridRetrieverOptions) {
    // the same outcome whether the model behind the name changed between sessions or during one
    this.store = new HybridVectorStore((forgotten, dimensions) =>
      options.onNotice?.(
        `${options.embedder.model} now returns vectors of ${dimensions} dimensions, unlike the ${forgotten.toLocaleString('en-US')} stored: another model answers under that name, so the workspace is embedded again.`,
      ),
    );
    this.embedder = new CachingEmbedder(options.embedder, this.store);
  }

  /**
   * Embeds the chunks the store lacks and makes the current chunks searchable. Concurrent calls share one sync. A
   * failure (not a cancel) is remembered, so the searches right after it (the extension syncs before the first
   * question) answer by keywords instead of waiting on the endpoint again.
   */
  sync(signal?: AbortSignal): Promise<VectorSyncReport> {
    return this.startSync(signal).done;
  }

  /** Resolves when the sync in progress (a catch-up a search did not wait for) has ended, however it ended. */
  async caughtUp(): Promise<void> {
    await this.syncing?.done.catch(() => undefined);
  }

  private startSync(signal: AbortSignal | undefined): SyncRun {
    if (this.syncing) return this.syncing;
    let plan: (files: number) => void = () => undefined;
    const planned = new Promise<number>(resolve => (plan = resolve));
    const done = this.runSync(signal, plan)
      .catch((e: unknown) => {
        if (!isAbort(e) && !signal?.aborted)
          this.endpointFailure = { message: asError(e).message, at: (this.options.now ?? Date.now)() };
        throw e;
      })
      .finally(() => (this.syncing = undefined));
    const run = { planned, done };
    this.syncing = run;
    return run;
  }

  /** The local index changed since the last sync finished (an index that does not say is never behind). */
  private behindIndex(): boolean {
    return this.options.lexical.stats?.()?.builtAt !== this.syncedVersion;
  }

  /**
   * Both rankings fused. When the embeddings endpoint fails (after its retries: down, a rejected key, 5xx), embedding
   * the workspace or the question, the keyword ranking answers alone and the search says so (`onNotice` of the search
   * and of the retriever): the local index is right here, so an outage of the endpoint does not stop answers. The
   * searches of the next minute answer by keywords at once (each says so; the failure is logged once), then a search
   * tries the endpoint again. A question whose vector is all zeros is answered by keywords too, each search saying so;
   * the log is told once.
   */
  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    if (options.signal?.aborted) throw cancelled();
    const now = this.options.now ?? Date.now;
    const depth = Math.max(options.k * 3, 30);
    const lexical = this.options.lexical.search(query, { ...options, k: depth });
    lexical.catch(() => undefined); // awaited below; not unhandled while the vectors are fetched
    // the keyword ranking alone, said to the search (and, once per failure, to the log)
    const byKeywords = async (notice: string, log: boolean): Promise<Passage[]> => {
      const hits = await lexical;
      options.onNotice?.(notice);
      if (log) this.options.onNotice?.(notice);
      return hits.slice(0, options.k);
    };
    const failed = this.endpointFailure;
    if (failed && now() - failed.at < ENDPOINT_RETRY_MS) return byKeywords(failedNotice(failed.message), false);
    // tried again: a failure now (the sync's, or the question's embedding) starts a new minute
    this.endpointFailure = undefined;
    let semantic: Passage[] | undefined;
    try {
      if ((!this.synced || this.behindIndex()) && !(await this.syncFor(options.signal, options.firstSyncWaitMs))) {
        return await byKeywords(stillEmbedding(this.options.embedder.model), false);
      }
      semantic = await this.nearest(query, depth, options.signal);
    } catch (e) {
      if (isAbort(e) || options.signal?.aborted) throw e;
      this.endpointFailure ??= { message: asError(e).message, at: now() };
      return byKeywords(failedNotice(this.endpointFailure.message), true);
    }
    this.endpointFailure = undefined;
    if (!semantic) {
      const log = !this.toldZeroQuestion;
      this.toldZeroQuestion = true;
      return byKeywords(failedNotice(zeroQuestionVector(this.options.embedder.model)), log);
    }
    return fuseByReciprocalRank([semantic, await lexical], options.k);
  }

  /**
   * The shared sync, for one search: when the search that started it was cancelled (this one was not), it is started
   * again with this search's signal, instead of failing this search as cancelled. The first sync is waited for whole,
   * or for `firstSyncWaitMs` when the search sets it; a catch-up only when it reads at most `catchUpWaitFiles` files,
   * else the search answers from the vectors it has (a hit on a changed file is left out) and the catch-up goes on,
   * for the next search. False when the first sync was not waited for: there are no vectors to rank by yet.
   */
  private async syncFor(signal: AbortSignal | undefined, firstSyncWaitMs: number | undefined): Promise<boolean> {
    try {
      return await this.waitForSync(signal, firstSyncWaitMs);
    } catch (e) {
      if (!isAbort(e) || signal?.aborted) throw e;
      return await this.waitForSync(signal, firstSyncWaitMs);
    }
  }

  private async waitForSync(signal: AbortSignal | undefined, firstSyncWaitMs: number | undefined): Promise<boolean> {
    const first = !this.synced;
    const run = this.startSync(signal);
    if (first) {
      if (firstSyncWaitMs === undefined) {
        await run.done;
        return true;
      }
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<false>(resolve => (timer = setTimeout(() => resolve(false), firstSyncWaitMs)));
      try {
        const synced = await Promise.race([run.done.then(() => true as const), waited]);
        // its failure is remembered by startSync; the next search hears of it
        if (!synced) run.done.catch(() => undefined);
        return synced;
      } finally {
        clearTimeout(timer);
      }
    }
    const files = await Promise.race([run.planned, run.done.then(() => 0)]);
    if (files <= (this.options.catchUpWaitFiles ?? CATCH_UP_WAIT_FILES)) await run.done;
    else run.done.catch(() => undefined); // its failure is remembered by startSync; this search does not wait
    return true;
  }

  /**
   * Brings the vectors up to the files: walks the folders, drops the files gone, reads (a batch at a time, so at most
   * a batch of texts is held) the files new or changed by size or mtime, embeds their chunks (unchanged chunks come
   * from the store, by content hash) and makes the current chunks searchable. `plan` hears how many files it reads.
   * The store file is written at the end, also when the sync fails or is cancelled.
   */
  private async runSync(signal: AbortSignal | undefined, plan: (files: number) => void): Promise<VectorSyncReport> {
    const { storeFile } = this.options;
    if (storeFile && !this.loaded && this.store.size === 0) {
      const { problem } = await this.store.load(storeFile);
      if (problem)
        this.options.onNotice?.(
          `The stored vectors in ${storeFile} could not be read (${problem}): the workspace is embedded again.`,
        );
    }
    this.loaded = true;
    try {
      return await this.embedWorkspace(signal, plan);
    } finally {
      // saved however the sync ended: what a sync that failed or was cancelled embedded is not paid for again
      if (storeFile) await this.saveStore(storeFile);
    }
  }

  /** Saves the vectors; a store that cannot be written costs the next session their embedding, not this search. */
  private async saveStore(file: string): Promise<void> {
    try {
      await this.store.save(file);
    } catch (e) {
      this.options.onNotice?.(
        `The vectors could not be saved to ${file} (${asError(e).message}); the next session embeds them again.`,
      );
    }
  }

  private async embedWorkspace(
    signal: AbortSignal | undefined,
    plan: (files: number) => void,
  ): Promise<VectorSyncReport> {
    // the local index's build may take minutes on a first run: a cancelled search stops waiting for it
    await raceAbort(Promise.resolve(this.options.lexical.ready?.()), signal);
    // read before the walk: a change the walk may miss leaves the hybrid behind the index, so the next search looks
    const version = this.options.lexical.stats?.()?.builtAt;
    const rules = this.options.rules?.() ?? {};
    const documentCache = this.options.documentCache?.();
    const rulesKey = JSON.stringify([rules, documentCache]);
    if (rulesKey !== this.filesRules) this.files.clear();
    this.filesRules = rulesKey;
    const before = this.embedder.counts.embedded;
    let read = 0;
    // A vector of a new dimension makes the store forget the older ones: the second pass reads those files again.
    for (let pass = 0; pass < 2; pass++) {
      const found = await workspaceRowBatches(this.options.folders(), {
        ...rules,
        documentCache,
        signal,
        batchFiles: this.options.batchFiles,
        wanted: c => this.files.get(c.location)?.stamp !== stampOf(c),
        onProgress: this.options.onProgress,
      });
      const listed = new Set(found.candidates.map(c => c.location));
      for (const location of this.files.keys()) if (!listed.has(location)) this.files.delete(location);
      // a file read again is forgotten first: skipped now (grown too large, unreadable), it has no chunks
      for (const c of found.wanted) this.files.delete(c.location);
      if (pass === 0) plan(found.wanted.length);
      for await (const batch of found.batches) {
        await this.embedder.embed(
          batch.flatMap(f => f.rows.map(r => r.embeddingInput)),
          { signal },
        );
        for (const file of batch)
          this.files.set(file.location, { stamp: stampOf(file), entries: file.rows.map(entryOf) });
        read += batch.length;
      }
      let lacking = false;
      for (const [location, file] of this.files)
        if (file.entries.some(e => !this.store.get(this.keyOf(e.contentHash)))) {
          this.files.delete(location);
          lacking = true;
        }
      if (!lacking) break;
    }
    const entries = [...this.files.values()].flatMap(f => f.entries);
    this.store.setEntries(entries, e => this.keyOf(e.contentHash));
    this.synced = true;
    this.syncedVersion = version;
    return { chunks: entries.length, read, embedded: this.embedder.counts.embedded - before };
  }

  private keyOf(hash: string): string {
    return `${this.embedder.model}\u0000${hash}`; // the CachingEmbedder's key
  }

  /** The chunks nearest the question; undefined when its vector is all zeros (it has no direction to rank by). */
  private async nearest(query: string, k: number, signal: AbortSignal | undefined): Promise<Passage[] | undefined> {
    const [vector] = await this.options.embedder.embed([query], { signal });
    if (!vector) return [];
    if (!hasDirection(vector)) return undefined;
    if (this.store.size > 0 && vector.length !== this.store.searchDimensions) {
      // The model now answers in another dimension than every stored vector: embed the workspace again.
      this.store.keepDimensions(vector.length);
      this.files.clear();
      this.synced = false;
      await this.sync(signal);
    }
    const files = new Map<string, Promise<Map<string, PushRow> | undefined>>();
    const passages: Passage[] = [];
    for (const { entry, score } of this.store.nearest(vector, k)) {
      if (!files.has(entry.location)) files.set(entry.location, this.rowsNow(entry));
      // the chunk as the file gives it now: gone or changed since the sync (its lines may have moved), not cited
      const now = (await files.get(entry.location))?.get(entry.id);
      if (!now || now.contentHash !== entry.contentHash) continue;
      passages.push({ ...passageFields(now), location: entry.location, score });
    }
    return passages;
  }

  /**
   * A file's chunks as the index makes them now, by id, read as the index reads files: a regular file, within its
   * kind's size limit, within the workspace folders (read at its real path, so a link swapped in since the sync
   * cannot lead the read out of them); a PDF's or Word document's from the local index's extraction. Undefined
   * otherwise (such a file was never embedded).
   */
  private async rowsNow(entry: VectorEntry): Promise<Map<string, PushRow> | undefined> {
    const real = await realPathInside(entry.location, this.options.folders());
    if (real === undefined) return undefined;
    const rules = this.options.rules?.() ?? {};
    const content = await readAsIndexed(real, entry.path, { ...rules, documentCache: this.options.documentCache?.() });
    if (content.kind !== 'text') return undefined;
    const rows = fileRows(
      { path: entry.path, location: entry.location, text: content.text, document: content.document },
      rules,
    );
    return new Map(rows.map(r => [r.id, r]));
  }
}

/** What a file was when it was read: a later walk that sees the same size and mtime does not read it again. */
const stampOf = (file: { size?: number; mtimeMs?: number }): string => `${file.size ?? '?'}:${file.mtimeMs ?? '?'}`;

/** A row as the store keeps it: its place and hash, without its text. */
function entryOf({ text: _text, embeddingInput: _input, location, ...place }: PushRow): VectorEntry {
  return { ...place, location: location ?? place.path };
}

/** A row's passage fields: all but its hash, its embedding input and its location (a row sets only the places it has). */
function passageFields({
  contentHash: _hash,
  embeddingInput: _input,
  location: _location,
  ...fields
}: PushRow): Omit<Passage, 'location' | 'score'> {
  return fields;
}
