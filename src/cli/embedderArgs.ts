import { GroundedError } from '../core/errors';
import { CachingEmbedder } from '../embeddings/cachingEmbedder';
import type { Embedder } from '../embeddings/embedder';
import { resolveEmbeddingsEndpoint } from '../embeddings/embeddingsEndpoint';
import { OpenAiEmbeddingsClient } from '../embeddings/openAiEmbeddingsClient';
import { DEFAULT_AZURE_API_VERSION, isPresetId } from '../providers/presets';
import { ALLOW_INSECURE_OPTION } from './cliArgs';
import type { CliIo } from './cliIo';

/** The flags `index --target` and `eval` share to name an embeddings endpoint. */
export const EMBEDDINGS_OPTIONS = {
  'embeddings-model': { type: 'string' },
  'embeddings-base-url': { type: 'string', default: '' },
  'embeddings-preset': { type: 'string', default: 'custom' },
  ...ALLOW_INSECURE_OPTION,
} as const;

/**
 * The embedder those flags describe (undefined without `--embeddings-model`); the key comes from
 * GROUNDED_EMBEDDINGS_API_KEY, else GROUNDED_API_KEY, and is never printed.
 */
export function embedderFromArgs(
  model: string | undefined,
  baseUrl: string,
  preset: string,
  env: NodeJS.ProcessEnv,
  io: CliIo,
  allowInsecure = false,
): Embedder | undefined {
  if (!model) return undefined;
  if (!isPresetId(preset)) throw new GroundedError('bad-input', `Unknown --embeddings-preset "${preset}".`);
  const resolved = resolveEmbeddingsEndpoint({ preset, baseUrl, model, azureApiVersion: env.GROUNDED_AZURE_API_VERSION ?? DEFAULT_AZURE_API_VERSION, allowInsecure });
  if ('problem' in resolved) throw new GroundedError('bad-input', resolved.problem.replaceAll('grounded.embeddings.', '--embeddings-'));
  const apiKey = env.GROUNDED_EMBEDDINGS_API_KEY ?? env.GROUNDED_API_KEY;
  return new CachingEmbedder(new OpenAiEmbeddingsClient({ endpoint: resolved.endpoint, apiKey, onRetry: d => io.err(`grounded: ${d}\n`) }));
}
