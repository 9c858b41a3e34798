import { contentHash } from './contentHash';
import type { EmbedOptions, Embedder } from './embedder';

/** Where vectors are kept by content hash: memory here; a pushed table or a file can implement it too. */
export interface VectorCache {
  get(key: string): Float32Array | undefined;
  set(key: string, vector: Float32Array): void;
}

/**
 * A bounded in-memory cache; the oldest entry goes first. It holds vectors of one dimension: a vector of another (the
 * model behind the name changed) makes it forget the older ones, which are of another model.
 */
export class MemoryVectorCache implements VectorCache {
  private readonly entries = new Map<string, Float32Array>();
  private dimensions = 0;
  constructor(private readonly maxEntries = 50_000) {}

  get(key: string): Float32Array | undefined {
    const v = this.entries.get(key);
    if (v) {
      this.entries.delete(key);
      this.entries.set(key, v); // most recently used last
    }
    return v;
  }

  set(key: string, vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      this.entries.clear();
      this.dimensions = vector.length;
    }
    this.entries.delete(key);
    this.entries.set(key, vector);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Embeds only what it has not seen: texts are keyed by model and content hash, so an unchanged chunk (or the same
 * text twice in one call) is never sent to the endpoint again. One call's vectors are of one dimension: when the
 * endpoint now answers in another than a cached vector has (the model behind the name changed), that text is
 * embedded again.
 */
export class CachingEmbedder implements Embedder {
  /** Texts sent to the endpoint, and texts answered from the cache, since creation. */
  readonly counts = { embedded: 0, cached: 0 };

  constructor(
    private readonly inner: Embedder,
    private readonly cache: VectorCache = new MemoryVectorCache(),
  ) {}

  get model(): string {
    return this.inner.model;
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const keys = texts.map(t => `${this.inner.model}\u0000${contentHash(t)}`);
    let sent = 0;
    const found = new Map<string, Float32Array>();
    const missing = new Map<string, string>();
    keys.forEach((key, i) => {
      if (found.has(key) || missing.has(key)) return;
      const cached = this.cache.get(key);
      if (cached) found.set(key, cached);
      else missing.set(key, texts[i] ?? '');
    });
    const embedNow = async (wanted: Map<string, string>): Promise<void> => {
      const vectors = await this.inner.embed([...wanted.values()], options);
      [...wanted.keys()].forEach((key, i) => {
        const v = vectors[i];
        if (!v) return;
        found.set(key, v);
        this.cache.set(key, v);
      });
      sent += wanted.size;
    };
    if (missing.size > 0) {
      await embedNow(missing);
      const dimensions = found.get([...missing.keys()][0] ?? '')?.length;
      const stale = new Map<string, string>();
      keys.forEach((key, i) => {
        if (!stale.has(key) && found.get(key)?.length !== dimensions) stale.set(key, texts[i] ?? '');
      });
      if (stale.size > 0) await embedNow(stale);
    }
    this.counts.embedded += sent;
    this.counts.cached += texts.length - sent;
    return keys.map(key => found.get(key) ?? new Float32Array(0));
  }
}
