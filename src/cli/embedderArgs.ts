import { GroundedError } from '../core/errors';
import { createEmbedder } from '../embeddings/createEmbedder';
import type { Embedder } from '../embeddings/embedder';
import { DEFAULT_AZURE_API_VERSION, isPresetId } from '../providers/presets';
import { ALLOW_INSECURE_OPTION } from './cliArgs';
import type { CliIo } from './cliIo';
import { modelKeyFor } from './modelKey';
import { settingFlags } from './terminalError';

/** The flags `index --target` and `eval` share to name an embeddings endpoint. */
export const EMBEDDINGS_OPTIONS = {
  'embeddings-model': { type: 'string' },
  'embeddings-base-url': { type: 'string', default: '' },
  'embeddings-preset': { type: 'string', default: 'custom' },
  ...ALLOW_INSECURE_OPTION,
} as const;

/** The parsed values of EMBEDDINGS_OPTIONS. */
export interface EmbeddingsArgs {
  'embeddings-model'?: string;
  'embeddings-base-url'?: string;
  'embeddings-preset'?: string;
  'allow-insecure'?: boolean;
  /** The model endpoint of `ask` and `mcp`, whose key (GROUNDED_API_KEY) is sent only to its own origin. */
  'base-url'?: string;
}

/**
 * The embedder those flags describe (undefined without `--embeddings-model`); the key comes from
 * GROUNDED_EMBEDDINGS_API_KEY, else GROUNDED_API_KEY when the endpoint is `--base-url`'s origin, and is never printed.
 */
export function embedderFromArgs(
  values: EmbeddingsArgs,
  env: NodeJS.ProcessEnv,
  io: CliIo,
): Promise<Embedder | undefined> {
  const {
    'embeddings-model': model,
    'embeddings-base-url': baseUrl = '',
    'embeddings-preset': preset = 'custom',
  } = values;
  const allowInsecure = values['allow-insecure'] ?? false;
  if (!model) {
    // an endpoint named without its model would be ignored, and the run would quietly be lexical only
    if (baseUrl !== '' || preset !== 'custom')
      throw new GroundedError(
        'bad-input',
        '--embeddings-base-url and --embeddings-preset name where --embeddings-model runs: add --embeddings-model.',
      );
    return Promise.resolve(undefined);
  }
  if (!isPresetId(preset)) throw new GroundedError('bad-input', `Unknown --embeddings-preset "${preset}".`);
  return createEmbedder(
    {
      preset,
      baseUrl,
      model,
      azureApiVersion: env.GROUNDED_AZURE_API_VERSION ?? DEFAULT_AZURE_API_VERSION,
      allowInsecure,
    },
    {
      apiKey: async origin => env.GROUNDED_EMBEDDINGS_API_KEY || modelKeyFor(env, values['base-url'], origin),
      onRetry: d => io.err(`grounded: ${settingFlags(d)}\n`),
      rename: embeddingsFlags,
    },
  );
}

/** A message about the embeddings settings as the CLI says it: `--embeddings-base-url`, not grounded.embeddings.baseUrl. */
export const embeddingsFlags = settingFlags;
