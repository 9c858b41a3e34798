import { cancelled } from '../core/errors';
import type { Passage } from '../core/passage';
import type { Retriever, SearchOptions } from '../core/ports';
import { CachingEmbedder } from '../embeddings/cachingEmbedder';
import type { Embedder } from '../embeddings/embedder';
import { MAX_FILE_BYTES_LIMIT, readFileContent, splitLines, type DiscoveryRules } from '../index';
import { fuseByReciprocalRank } from './hybridRankFusion';
import { realPathInside } from './realPathInside';
import { HybridVectorStore, type VectorEntry } from './hybridVectorStore';
import { pushRow, workspaceRows } from './pgvectorPushRows';

export interface HybridRetrieverOptions {
  /** The lexical side: the local index (whose chunks and ids are the same as the ones embedded here). */
  lexical: Retriever;
  embedder: Embedder;
  folders: () => readonly string[];
  rules?: () => DiscoveryRules;
  /** Where vectors are kept between sessions (by content hash); none: memory only. */
  storeFile?: string;
  onProgress?: (progress: { done: number; total: number }) => void;
}

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

  constructor(private readonly options: HybridRetrieverOptions) {
    this.embedder = new CachingEmbedder(options.embedder, this.store);
  }

  /** Embeds the chunks the store lacks and makes the current chunks searchable. Concurrent calls share one sync. */
  sync(signal?: AbortSignal): Promise<VectorSyncReport> {
    this.syncing ??= this.runSync(signal).finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  async search(query: string, options: SearchOptions): Promise<Passage[]> {
    if (options.signal?.aborted) throw cancelled();
    if (!this.synced) await this.sync(options.signal);
    const depth = Math.max(options.k * 3, 30);
    const [lexical, semantic] = await Promise.all([
      this.options.lexical.search(query, { ...options, k: depth }),
      this.nearest(query, depth, options.signal),
    ]);
    return fuseByReciprocalRank([semantic, lexical], options.k);
  }

  private async runSync(signal: AbortSignal | undefined): Promise<VectorSyncReport> {
    const { storeFile } = this.options;
    if (storeFile && !this.synced && this.store.size === 0) await this.store.load(storeFile);
    const { rows } = await workspaceRows(this.options.folders(), { ...this.options.rules?.(), signal });
    const before = this.embedder.counts.embedded;
    const texts = rows.map(r => r.embeddingInput);
    await this.embedder.embed(texts, { signal, onProgress: this.options.onProgress });
    // A vector of a new dimension made the store forget the older ones it had returned: embed those chunks again.
    const dropped = rows.filter(r => !this.store.get(this.keyOf(r.contentHash))).map(r => r.embeddingInput);
    if (dropped.length > 0 && dropped.length < texts.length)
      await this.embedder.embed(dropped, { signal, onProgress: this.options.onProgress });
    const entries: VectorEntry[] = rows.map(r => ({
      id: r.id,
      path: r.path,
      location: r.location ?? r.path,
      startLine: r.startLine,
      endLine: r.endLine,
      title: r.title,
      contentHash: r.contentHash,
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
    const files = new Map<string, Promise<string[] | undefined>>();
    const passages: Passage[] = [];
    for (const { entry, score } of this.store.nearest(vector, k)) {
      if (!files.has(entry.location)) files.set(entry.location, linesIn(entry.location, this.options.folders()));
      const lines = await files.get(entry.location);
      const text = lines?.slice(entry.startLine - 1, entry.endLine).join('\n');
      if (text === undefined || lines === undefined || entry.endLine > lines.length) continue;
      const now = pushRow(entry.path, { startLine: entry.startLine, endLine: entry.endLine, title: entry.title, text });
      if (now.contentHash !== entry.contentHash) continue; // changed since the sync: its lines may have moved
      const passage: Passage = {
        id: entry.id,
        path: entry.path,
        location: entry.location,
        startLine: entry.startLine,
        endLine: entry.endLine,
        text,
        score,
      };
      if (entry.title) passage.title = entry.title;
      passages.push(passage);
    }
    return passages;
  }
}

/**
 * A file's lines as the chunker saw them, read as the index reads files: a regular file, at most the largest size
 * a file may be indexed at, within the workspace folders (read at its real path, so a link swapped in since the sync
 * cannot lead the read out of them); undefined otherwise (such a file was never embedded).
 */
async function linesIn(location: string, folders: readonly string[]): Promise<string[] | undefined> {
  const real = await realPathInside(location, folders);
  if (real === undefined) return undefined;
  const content = await readFileContent(real, MAX_FILE_BYTES_LIMIT);
  return content.kind === 'text' ? splitLines(content.lines.text) : undefined;
}
