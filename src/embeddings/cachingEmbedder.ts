import { contentHash } from './contentHash';
import type { EmbedOptions, Embedder } from './embedder';

/** Where vectors are kept by content hash: memory here; a pushed table or a file can implement it too. */
export interface VectorCache {
  get(key: string): Float32Array | undefined;
  set(key: string, vector: Float32Array): void;
}

/** A bounded in-memory cache; the oldest entry goes first. */
export class MemoryVectorCache implements VectorCache {
  private readonly entries = new Map<string, Float32Array>();
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
 * text twice in one call) is never sent to the endpoint again.
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
    const found = new Map<string, Float32Array>();
    const missing = new Map<string, string>();
    keys.forEach((key, i) => {
      if (found.has(key) || missing.has(key)) return;
      const cached = this.cache.get(key);
      if (cached) found.set(key, cached);
      else missing.set(key, texts[i] ?? '');
    });
    if (missing.size > 0) {
      const vectors = await this.inner.embed([...missing.values()], options);
      [...missing.keys()].forEach((key, i) => {
        const v = vectors[i];
        if (!v) return;
        found.set(key, v);
        this.cache.set(key, v);
      });
    }
    this.counts.embedded += missing.size;
    this.counts.cached += texts.length - missing.size;
    return keys.map(key => found.get(key) ?? new Float32Array(0));
  }
}
