import { AzureChatOpenAICompletions, ChatOpenAICompletions } from '@langchain/openai';
import type { ChatModel } from '../core/ports';
import { fetchNamingEndpoint } from './http/fetchNamingEndpoint';
import { withoutEnvironmentHeaders } from './http/withoutEnvironmentHeaders';
import type { Endpoint } from './presets';

/** Sent when the endpoint needs no key (Ollama, LM Studio): the `openai` client refuses an empty one. */
const NO_KEY = 'no-key';

export interface OpenAiCompatibleModels {
  model: ChatModel;
  /** Set only when a separate helper model is configured. */
  helperModel?: ChatModel;
}

/** The generation model and, when one is configured, the helper model, on the same endpoint and key. */
export function createOpenAiCompatibleModels(endpoint: Endpoint, apiKey: string | undefined): OpenAiCompatibleModels {
  const model = createOpenAiCompatibleModel(endpoint, endpoint.model, apiKey);
  const helper = endpoint.helperModel && endpoint.helperModel !== endpoint.model ? endpoint.helperModel : undefined;
  return { model, helperModel: helper ? createOpenAiCompatibleModel(endpoint, helper, apiKey) : undefined };
}

/**
 * A chat model on an OpenAI-compatible `/chat/completions` endpoint.
 *
 * - `maxRetries: 0`: the core retries (before the first token only, honouring Retry-After), one policy for
 *   every provider; a second retry layer here would repeat requests the user already saw fail.
 * - The Completions class, not `ChatOpenAI`: that one switches some model names to the Responses API, which
 *   Databricks, Ollama, vLLM and LM Studio do not serve.
 * - `streaming` left unset (false): `stream()` still streams, and `invoke()` (grading, and the fallback after a
 *   broken stream) stays one plain JSON request. Setting it to false explicitly would disable `stream()` too.
 * - `streamUsage: false`: `stream_options` is rejected by some compatible servers, and usage is not shown.
 * - `logLevel: 'off'`: failures reach the user and the redacted Grounded log through the core; the client's own
 *   console logging would be a second, unredacted sink.
 * - Streams end with a verdict (`http/sseEnd.ts`, below the client): one that closes without `[DONE]` or a finish
 *   reason is broken, not done; a content filter's or the output limit's stop says so.
 * - `defaultQuery`: the base URL's own query (a gateway's `api-version`), sent after the path the client appends.
 * - `fetch` names the endpoint (its origin) in a connection failure, which the client's own error does not, and the
 *   setting that holds it (offered as *Open Setting* where settings exist); it drops the headers the client adds
 *   from the environment (`withoutEnvironmentHeaders`), meant for OpenAI, not for the endpoint the settings name.
 */
export function createOpenAiCompatibleModel(
  endpoint: Endpoint,
  modelName: string,
  apiKey: string | undefined,
): ChatModel {
  const key = apiKey?.trim() || NO_KEY;
  const common = { model: modelName, maxRetries: 0, streamUsage: false };
  const fetch = withoutEnvironmentHeaders(
    fetchNamingEndpoint(endpoint.azure?.endpoint ?? endpoint.baseURL, 'grounded.model.baseUrl'),
    endpoint.azure ? { 'api-key': key } : { authorization: `Bearer ${key}` },
  );
  if (endpoint.azure) {
    return new AzureChatOpenAICompletions({
      ...common,
      azureOpenAIApiKey: key,
      azureOpenAIEndpoint: endpoint.azure.endpoint,
      // given, so the client never reads AZURE_OPENAI_BASE_PATH: that path, when set, wins over the endpoint and
      // would take the key, the question and the passages to a server the settings do not name
      azureOpenAIBasePath: `${endpoint.azure.endpoint}/openai/deployments`,
      azureOpenAIApiDeploymentName: modelName,
      azureOpenAIApiVersion: endpoint.azure.apiVersion,
      configuration: { logLevel: 'off', fetch },
    });
  }
  return new ChatOpenAICompletions({
    ...common,
    apiKey: key,
    configuration: { baseURL: endpoint.baseURL, defaultQuery: endpoint.query, logLevel: 'off', fetch },
  });
}
