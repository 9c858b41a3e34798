/** Turns texts into vectors: an OpenAI-compatible `/embeddings` endpoint, or a cache in front of one. */
export interface Embedder {
  /** The model that made the vectors; vectors of two models never mix. */
  readonly model: string;
  /** One vector per text, in order. */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
}

export interface EmbedOptions {
  signal?: AbortSignal;
  /** Called after each batch: `done` of `total` texts embedded. */
  onProgress?: (progress: { done: number; total: number }) => void;
}
