import type { BaseMessage, BaseMessageChunk } from '@langchain/core/messages';
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
 *   reason is broken, not done; one without any event is not streamed again; a content filter's or the output
 *   limit's stop says so.
 * - `defaultQuery`: the base URL's own query (a gateway's `api-version`), sent after the path the client appends.
 * - A streamed delta whose `content` is a list of parts (Databricks' reasoning models) is read as its text parts, its
 *   reasoning as `reasoning_content`, as is a delta's `reasoning` (newer Ollama and vLLM) (`plainDelta`).
 * - A reply's or delta's `refusal` (OpenAI's structured refusal, sent in place of the answer) is kept as
 *   `additional_kwargs.refusal` (`withRefusal`), where the core reads the model's reason for declining; the client's
 *   converter drops it, which left an empty answer.
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
    return new AzureCompletions({
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
  return new Completions({
    ...common,
    apiKey: key,
    configuration: { baseURL: endpoint.baseURL, defaultQuery: endpoint.query, logLevel: 'off', fetch },
  });
}

type Delta = Record<string, unknown>;

/**
 * The delta with a `content` list of parts (`[{type:'text',text}]`, `[{type:'reasoning',summary:[{text}]}]`, as
 * Databricks streams its reasoning models' replies) turned into the string LangChain reads: its text parts, joined;
 * the reasoning's text goes to `reasoning_content`, which is never shown as the answer. LangChain drops a chunk whose
 * content is not a string and prints a warning on stdout (into the CLI's output), so such a reply would not stream:
 * its reasoning would not count as the model at work, and the answer would come only from the non-streaming fallback,
 * a second request for the whole of it.
 *
 * A delta's `reasoning` (the field newer Ollama and vLLM stream the model's reasoning in) is `reasoning_content` too,
 * unless the delta has one: the core reads that field as the model at work, so the status says it is reasoning.
 */
export function plainDelta(delta: Delta): Delta {
  const named =
    typeof delta.reasoning === 'string' && delta.reasoning_content === undefined
      ? { ...delta, reasoning_content: delta.reasoning }
      : delta;
  if (!Array.isArray(named.content)) return named;
  let text = '';
  let reasoning = '';
  for (const part of named.content as unknown[]) {
    if (!part || typeof part !== 'object') continue;
    const { type, text: partText, summary } = part as { type?: unknown; text?: unknown; summary?: unknown };
    if (type === 'text' && typeof partText === 'string') text += partText;
    else if (type === 'reasoning' && Array.isArray(summary))
      for (const item of summary as unknown[]) {
        const itemText = item && typeof item === 'object' ? (item as { text?: unknown }).text : undefined;
        if (typeof itemText === 'string') reasoning += itemText;
      }
  }
  const plain: Delta = { ...named, content: text };
  if (reasoning && plain.reasoning_content === undefined) plain.reasoning_content = reasoning;
  return plain;
}

/** The message with the reply's or delta's non-empty `refusal` (the model's reason for declining) in its `additional_kwargs`. */
export function withRefusal<M extends BaseMessage>(message: M, source: { refusal?: unknown }): M {
  if (typeof source.refusal === 'string' && source.refusal) message.additional_kwargs.refusal = source.refusal;
  return message;
}

/** The Completions client, reading a delta's content list as `plainDelta` does, and keeping a refusal. */
class Completions extends ChatOpenAICompletions {
  protected override _convertCompletionsDeltaToBaseMessageChunk(
    ...[delta, ...rest]: Parameters<ChatOpenAICompletions['_convertCompletionsDeltaToBaseMessageChunk']>
  ): BaseMessageChunk {
    return withRefusal(super._convertCompletionsDeltaToBaseMessageChunk(plainDelta(delta), ...rest), delta);
  }

  protected override _convertCompletionsMessageToBaseMessage(
    ...[message, ...rest]: Parameters<ChatOpenAICompletions['_convertCompletionsMessageToBaseMessage']>
  ): BaseMessage {
    return withRefusal(super._convertCompletionsMessageToBaseMessage(message, ...rest), message);
  }
}

/** Azure's Completions client, reading a delta's content list as `plainDelta` does, and keeping a refusal. */
class AzureCompletions extends AzureChatOpenAICompletions {
  protected override _convertCompletionsDeltaToBaseMessageChunk(
    ...[delta, ...rest]: Parameters<ChatOpenAICompletions['_convertCompletionsDeltaToBaseMessageChunk']>
  ): BaseMessageChunk {
    return withRefusal(super._convertCompletionsDeltaToBaseMessageChunk(plainDelta(delta), ...rest), delta);
  }

  protected override _convertCompletionsMessageToBaseMessage(
    ...[message, ...rest]: Parameters<ChatOpenAICompletions['_convertCompletionsMessageToBaseMessage']>
  ): BaseMessage {
    return withRefusal(super._convertCompletionsMessageToBaseMessage(message, ...rest), message);
  }
}
