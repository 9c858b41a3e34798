import { endpointUrl, resolveEndpoint, type EndpointSettings, type PresetId } from '../providers/presets';

/** The `grounded.embeddings.*` settings: the same presets as the chat model, with an embeddings model. */
export interface EmbeddingsSettings {
  preset: PresetId;
  baseUrl: string;
  /** The embeddings model. Databricks: the serving endpoint name (for example databricks-gte-large-en). */
  model: string;
  azureApiVersion: string;
  /** `grounded.allowInsecureConnections`: plain http to another machine is refused without it. */
  allowInsecure?: boolean;
}

/** Where to POST and how to authenticate. */
export interface EmbeddingsEndpoint {
  /** The full `/embeddings` URL, with Azure's api-version query when needed. */
  url: string;
  model: string;
  /** Azure sends the key as `api-key`; everyone else as a Bearer token. */
  keyHeader: 'authorization' | 'api-key';
  keyRequired: boolean;
  label: string;
}

/** The endpoint the settings describe (the chat presets' URL rules, reused), or the one setting to fix. */
export function resolveEmbeddingsEndpoint(
  settings: EmbeddingsSettings,
): { endpoint: EmbeddingsEndpoint } | { problem: string } {
  const asChat: EndpointSettings = { ...settings, helperModel: '' };
  const resolved = resolveEndpoint(asChat);
  if ('problem' in resolved)
    return {
      problem: resolved.problem
        .replaceAll('grounded.model.name', 'grounded.embeddings.model')
        .replaceAll('grounded.model.', 'grounded.embeddings.'),
    };
  const { endpoint } = resolved;
  const url = endpointUrl(endpoint, 'embeddings');
  if (endpoint.azure) url.searchParams.set('api-version', endpoint.azure.apiVersion);
  return {
    endpoint: {
      url: url.href,
      model: endpoint.model,
      keyHeader: endpoint.azure ? 'api-key' : 'authorization',
      keyRequired: endpoint.keyRequired,
      label: `${endpoint.label} embeddings (${endpoint.model})`,
    },
  };
}
