import { GroundedError } from '../core/errors';
import { originOf } from '../providers/secretOrigin';
import { CachingEmbedder } from './cachingEmbedder';
import type { Embedder } from './embedder';
import { InputLimitFile } from './inputLimits';
import { resolveEmbeddingsEndpoint, type EmbeddingsSettings } from './embeddingsEndpoint';
import { OpenAiEmbeddingsClient } from './openAiEmbeddingsClient';

export interface EmbedderDeps {
  /** The key, released to `origin` (the endpoint's); undefined: none set. Asked for only once the settings resolved. */
  apiKey(origin: string): Promise<string | undefined>;
  onRetry?: (detail: string) => void;
  /**
   * The JSON file (beside the stored vectors) that keeps the input limit an endpoint was found to take, by endpoint
   * and model, for the next session; without one it is learned again in each.
   */
  inputLimitsFile?: string;
  /** Renames the settings in a message (the CLI says --embeddings-model, not grounded.embeddings.model). */
  rename?: (message: string) => string;
}

/**
 * The embedder the settings describe (undefined without a model), for the extension and the CLI alike: an
 * OpenAI-compatible `/embeddings` client behind a cache of the vectors already computed.
 */
export async function createEmbedder(settings: EmbeddingsSettings, deps: EmbedderDeps): Promise<Embedder | undefined> {
  if (!settings.model.trim()) return undefined;
  const resolved = resolveEmbeddingsEndpoint(settings);
  if ('problem' in resolved)
    throw new GroundedError('bad-input', deps.rename ? deps.rename(resolved.problem) : resolved.problem);
  const origin = originOf(resolved.endpoint.url);
  const apiKey = origin === undefined ? undefined : await deps.apiKey(origin);
  const embedder = new CachingEmbedder(
    new OpenAiEmbeddingsClient({
      endpoint: resolved.endpoint,
      apiKey,
      onRetry: deps.onRetry,
      inputLimits: deps.inputLimitsFile ? new InputLimitFile(deps.inputLimitsFile) : undefined,
    }),
  );
  return deps.rename ? renamingFailures(embedder, deps.rename) : embedder;
}

/** The embedder, its failures' messages renamed as the caller names the settings they point at. */
function renamingFailures(embedder: Embedder, rename: (message: string) => string): Embedder {
  return {
    model: embedder.model,
    embed: (texts, options) =>
      embedder.embed(texts, options).catch((e: unknown) => {
        if (!(e instanceof GroundedError)) throw e;
        const renamed = rename(e.message);
        if (renamed === e.message) throw e;
        throw new GroundedError(e.kind, renamed, e.options);
      }),
  };
}
