import { asError, cancelled, isAbort } from '../core/errors';
import type { Passage } from '../core/passage';
import type { Retriever, SearchOptions } from '../core/ports';
import { CachingEmbedder } from '../embeddings/cachingEmbedder';
import type { Embedder } from '../embeddings/embedder';
import { readAsIndexed, type DiscoveryRules } from '../index';
import { fuseByReciprocalRank } from './hybridRankFusion';
import { raceAbort } from './localRetriever';
import { realPathInside } from './realPathInside';
import { HybridVectorStore, type VectorEntry } from './hybridVectorStore';
import { fileRows, workspaceRows, type PushRow } from './pgvectorPushRows';

export interface HybridRetrieverOptions {
  /**
   * The lexical side: the local index (whose chunks and ids are the same as the ones embedded here). Its sync in
   * progress (`ready`) is waited for before the workspace is embedded: it extracts the PDFs and Word documents.
   */
  lexical: Retriever & { ready?(): Promise<unknown> };
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
  onProgress?: (progress: { done: number; total: number }) => void;
}

/**
 * How long after the embeddings endpoint failed searches answer by keywords without asking it again: a failed
 * attempt costs its retries (seconds) or its timeouts (minutes), and a sync first reads the whole workspace.
 */
const ENDPOINT_RETRY_MS = 60_000;

export interface VectorSyncReport {
  chunks: number;
  /** Texts sent to the embeddings endpoint; the others came from the store. */
  embedded: number;
}

/**
 * The local hybrid: BM25 from the local index and cosine over the chunks' embeddings, fused by RRF. Vectors live in
 * their own store keyed by content hash, beside (not inside) the index, so an unchanged chunk is embedded once,
 * ever. A vector hit whose file changed since the last sync is left out rather than cited at moved lines.
 */
export class HybridRetriever implements Retriever {
  private readonly store = new HybridVectorStore();
  private readonly embedder: CachingEmbedder;
  private syncing: Promise<VectorSyncReport> | undefined;
  private synced = false;
  /** The embeddings endpoint's last failure, while searches do not ask it again (`ENDPOINT_RETRY_MS`). */
  private endpointFailure: { message: string; at: number } | undefined;

  constructor(private readonly options: HybridRetrieverOptions) {
    this.embedder = new CachingEmbedder(options.embedder, this.store);
  }

  /**
   * Embeds the chunks the store lacks and makes the current chunks searchable. Concurrent calls share one sync. A
   * failure (not a cancel) is remembered, so the searches right after it (the extension syncs before the first
   * question) answer by keywords instead of waiting on the endpoint again.
   */
  sync(signal?: AbortSignal): Promise<VectorSyncReport> {
    this.syncing ??= this.runSync(signal)
      .catch((e: unknown) => {
        if (!isAbort(e) && !signal?.aborted)
          this.endpointFailure = { message: asError(e).message, at: (this.options.now ?? Date.now)() };
        throw e;
      })
      .finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /**
   * Both rankings fused. When the embeddings endpoint fails (after its retries: down, a rejected key, 5xx), embedding
   * the workspace or the question, the keyword ranking answers alone and the search says so (`onNotice` of the search
   * and of the retriever): the local index is right here, so an outage of the endpoint does not stop answers. The
   * searches of the next minute answer by keywords at once (each says so; the failure is logged once), then a search
   * tries the endpoint again.
   */
  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    if (options.signal?.aborted) throw cancelled();
    const now = this.options.now ?? Date.now;
    const depth = Math.max(options.k * 3, 30);
    const lexical = this.options.lexical.search(query, { ...options, k: depth });
    lexical.catch(() => undefined); // awaited below; not unhandled while the vectors are fetched
    const failed = this.endpointFailure;
    if (failed && now() - failed.at < ENDPOINT_RETRY_MS) {
      const hits = await lexical;
      options.onNotice?.(keywordsOnly(failed.message));
      return hits.slice(0, options.k);
    }
    // tried again: a failure now (the sync's, or the question's embedding) starts a new minute
    this.endpointFailure = undefined;
    let semantic: Passage[];
    try {
      if (!this.synced) await this.syncFor(options.signal);
      semantic = await this.nearest(query, depth, options.signal);
    } catch (e) {
      if (isAbort(e) || options.signal?.aborted) throw e;
      this.endpointFailure ??= { message: asError(e).message, at: now() };
      const hits = await lexical;
      const notice = keywordsOnly(this.endpointFailure.message);
      options.onNotice?.(notice);
      this.options.onNotice?.(notice);
      return hits.slice(0, options.k);
    }
    this.endpointFailure = undefined;
    return fuseByReciprocalRank([semantic, await lexical], options.k);
  }

  /**
   * The shared sync, for one search: when the search that started it was cancelled (this one was not), it is started
   * again with this search's signal, instead of failing this search as cancelled.
   */
  private async syncFor(signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.sync(signal);
    } catch (e) {
      if (!isAbort(e) || signal?.aborted) throw e;
      await this.sync(signal);
    }
  }

  private async runSync(signal: AbortSignal | undefined): Promise<VectorSyncReport> {
    const { storeFile } = this.options;
    if (storeFile && !this.synced && this.store.size === 0) await this.store.load(storeFile);
    // the local index's build may take minutes on a first run: a cancelled search stops waiting for it
    await raceAbort(Promise.resolve(this.options.lexical.ready?.()), signal);
    const { rows } = await workspaceRows(this.options.folders(), {
      ...this.options.rules?.(),
      documentCache: this.options.documentCache?.(),
      signal,
    });
    const before = this.embedder.counts.embedded;
    const texts = rows.map(r => r.embeddingInput);
    await this.embedder.embed(texts, { signal, onProgress: this.options.onProgress });
    // A vector of a new dimension made the store forget the older ones it had returned: embed those chunks again.
    const dropped = rows.filter(r => !this.store.get(this.keyOf(r.contentHash))).map(r => r.embeddingInput);
    if (dropped.length > 0 && dropped.length < texts.length)
      await this.embedder.embed(dropped, { signal, onProgress: this.options.onProgress });
    const entries: VectorEntry[] = rows.map(({ text: _text, embeddingInput: _input, location, ...place }) => ({
      ...place,
      location: location ?? place.path,
    }));
    this.store.setEntries(entries, e => this.keyOf(e.contentHash));
    if (storeFile) await this.store.save(storeFile);
    this.synced = true;
    return { chunks: rows.length, embedded: this.embedder.counts.embedded - before };
  }

  private keyOf(hash: string): string {
    return `${this.embedder.model}\u0000${hash}`; // the CachingEmbedder's key
  }

  private async nearest(query: string, k: number, signal: AbortSignal | undefined): Promise<Passage[]> {
    const [vector] = await this.options.embedder.embed([query], { signal });
    if (!vector) return [];
    if (this.store.size > 0 && vector.length !== this.store.searchDimensions) {
      // The model now answers in another dimension than every stored vector: embed the workspace again.
      this.store.keepDimensions(vector.length);
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

const keywordsOnly = (failure: string): string =>
  `Searching by keywords only (the local index's BM25 ranking), as the embeddings failed: ${failure}`;

/** A row's passage fields: its id, path, place (cell or page, lines), title and text. */
function passageFields(row: PushRow): Omit<Passage, 'location' | 'score'> {
  const { id, path, startLine, endLine, cell, cellOutput, page, prose, title, text } = row;
  const fields: Omit<Passage, 'location' | 'score'> = { id, path, startLine, endLine, text };
  if (cell !== undefined) fields.cell = cell;
  if (cellOutput) fields.cellOutput = true;
  if (page !== undefined) fields.page = page;
  if (prose !== undefined) fields.prose = prose;
  if (title !== undefined) fields.title = title;
  return fields;
}
