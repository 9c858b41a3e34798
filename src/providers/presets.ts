import type { InputLimitSource } from '../core/options';
import { insecureTransport } from '../core/secureTransport';

/** The OpenAI-compatible endpoints Grounded knows the URL shape of; `custom` takes any base URL. */
export const PRESET_IDS = ['databricks', 'openai', 'azure', 'ollama', 'vllm', 'lmstudio', 'custom'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** The `grounded.model.*` settings of an OpenAI-compatible provider, as the user typed them. */
export interface EndpointSettings {
  preset: PresetId;
  /** Databricks: the workspace URL. Azure: the resource endpoint. Others: overrides the preset's base URL. */
  baseUrl: string;
  /** The generation model. Databricks: the serving endpoint name. Azure: the deployment name. */
  model: string;
  /** A smaller, faster model for grading and rewriting; empty: the generation model does it. */
  helperModel: string;
  /** Azure only. */
  azureApiVersion: string;
  /** `grounded.allowInsecureConnections`: plain http to another machine is refused without it. */
  allowInsecure?: boolean;
  /** `grounded.model.maxInputTokens`: 0 for no limit; unset (null) for the preset's default. */
  maxInputTokens?: number | null;
}

/** Everything needed to build the chat models: the settings turned into the URL shape the endpoint expects. */
export interface Endpoint {
  preset: PresetId;
  label: string;
  baseURL: string;
  model: string;
  helperModel?: string;
  /** Whether requests without a key are certain to fail (Ollama and LM Studio need none). */
  keyRequired: boolean;
  azure?: { endpoint: string; apiVersion: string };
  /**
   * The query the typed base URL carried (a gateway's `api-version`), kept out of `baseURL`: the clients append
   * their paths to `baseURL`, which would land inside the query. Sent with every request (`endpointUrl`).
   */
  query?: Record<string, string>;
  /** The models' input limit in tokens, which prompts are fitted to; undefined: no limit. */
  maxInputTokens?: number;
  /** Whether the limit is the user's `grounded.model.maxInputTokens` or the preset's default (with a limit only). */
  maxInputTokensSource?: InputLimitSource;
}

interface Preset {
  label: string;
  defaultBaseUrl?: string;
  defaultModel?: string;
  keyRequired: boolean;
  /** Says what the model setting means for this preset, in the fix of a missing-setting message. */
  modelHint: string;
  baseUrlHint: string;
  /**
   * The path the server serves its OpenAI-compatible API under, added to a typed base URL that has no path: the
   * server's address alone (Ollama's, as `OLLAMA_HOST` and its docs give it) would get 404 for every request.
   */
  apiPath?: string;
  /**
   * The input limit assumed when `grounded.model.maxInputTokens` is unset (0: none). Ollama and LM Studio run models
   * with a 4,096-token context by default and cut an over-long prompt without an error; an unknown
   * server may run a small model; the hosted services' models take far more than Grounded's largest prompt (about
   * 12,000 tokens) and refuse, with a message, what they cannot take.
   */
  defaultMaxInputTokens: number;
}

export const PRESETS: Readonly<Record<PresetId, Preset>> = {
  databricks: {
    label: 'Databricks Model Serving',
    keyRequired: true,
    modelHint: 'the serving endpoint name (for example databricks-meta-llama-3-3-70b-instruct)',
    baseUrlHint: 'the workspace URL (for example https://adb-1234567890123456.7.azuredatabricks.net)',
    defaultMaxInputTokens: 0,
  },
  openai: {
    label: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
    defaultModel: 'gpt-4o-mini',
    keyRequired: true,
    modelHint: 'a model name (for example gpt-4o-mini)',
    baseUrlHint: 'https://api.openai.com/v1',
    defaultMaxInputTokens: 0,
  },
  azure: {
    label: 'Azure OpenAI',
    keyRequired: true,
    modelHint: 'the deployment name',
    baseUrlHint: 'the resource endpoint (for example https://my-resource.openai.azure.com)',
    defaultMaxInputTokens: 0,
  },
  ollama: {
    label: 'Ollama',
    defaultBaseUrl: 'http://localhost:11434/v1',
    keyRequired: false,
    modelHint: 'a pulled model (for example llama3.1)',
    baseUrlHint: 'http://localhost:11434/v1',
    apiPath: '/v1',
    defaultMaxInputTokens: 4096,
  },
  vllm: {
    label: 'vLLM',
    defaultBaseUrl: 'http://localhost:8000/v1',
    keyRequired: false,
    modelHint: 'the served model name (vllm serve NAME)',
    baseUrlHint: 'http://localhost:8000/v1',
    defaultMaxInputTokens: 8192,
  },
  lmstudio: {
    label: 'LM Studio',
    defaultBaseUrl: 'http://localhost:1234/v1',
    keyRequired: false,
    modelHint: 'the loaded model identifier',
    baseUrlHint: 'http://localhost:1234/v1',
    defaultMaxInputTokens: 4096,
  },
  custom: {
    label: 'OpenAI-compatible endpoint',
    keyRequired: false,
    modelHint: 'the model name the endpoint expects',
    baseUrlHint: 'the base URL that /chat/completions is appended to (for example https://host/v1)',
    defaultMaxInputTokens: 8192,
  },
};

/**
 * The preset of `grounded.model.preset` when none is set (also its default in package.json): any OpenAI-compatible
 * base URL, so choosing `openai-compatible` first asks for that URL, not for one kind of service's.
 */
export const DEFAULT_PRESET: PresetId = 'custom';

/** The Azure OpenAI API version used when none is set (also the settings' default in package.json). */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export const isPresetId = (value: unknown): value is PresetId => PRESET_IDS.includes(value as PresetId);

/** The endpoint the settings describe, or the one setting to fix (a sentence naming it and its expected value). */
export function resolveEndpoint(settings: EndpointSettings): { endpoint: Endpoint } | { problem: string } {
  const preset = PRESETS[settings.preset];
  const model = settings.model.trim() || preset.defaultModel || '';
  const typedUrl = settings.baseUrl.trim();
  if (!typedUrl && !preset.defaultBaseUrl)
    return { problem: `${preset.label} needs grounded.model.baseUrl: ${preset.baseUrlHint}.` };
  if (!model) return { problem: `${preset.label} needs grounded.model.name: ${preset.modelHint}.` };
  const url = parseHttpUrl(typedUrl || preset.defaultBaseUrl || '');
  if (!url)
    return {
      problem: `grounded.model.baseUrl “${withoutUserInfo(typedUrl)}” is not a URL; expected ${preset.baseUrlHint}.`,
    };
  // fetch refuses a URL with credentials before sending anything, and a setting is no place for a secret (keys live
  // in secret storage): said here, once, instead of as an unexplained failure of every request
  if (url.username || url.password)
    return {
      problem: `grounded.model.baseUrl has a user name or password in it (before the “@”): Grounded sends none from a URL, and a setting is no place for a secret. Remove it, and set the endpoint's key as its API key.`,
    };
  const insecure = insecureTransport(url, settings.allowInsecure === true);
  if (insecure) return { problem: `${preset.label}: ${insecure}` };
  const helperModel = settings.helperModel.trim() || undefined;
  const limit = settings.maxInputTokens;
  const limitSet = typeof limit === 'number' && Number.isFinite(limit) && limit >= 0;
  const maxInputTokens = limitSet ? Math.floor(limit) : preset.defaultMaxInputTokens;
  const common = {
    preset: settings.preset,
    label: preset.label,
    model,
    helperModel,
    keyRequired: preset.keyRequired,
    ...(maxInputTokens > 0 && {
      maxInputTokens,
      maxInputTokensSource: limitSet ? ('setting' as const) : ('default' as const),
    }),
  };
  switch (settings.preset) {
    case 'databricks':
      // Model Serving speaks the OpenAI API under /serving-endpoints; the endpoint name is the model.
      return { endpoint: { ...common, baseURL: `${url.origin}/serving-endpoints` } };
    case 'azure': {
      const apiVersion = settings.azureApiVersion.trim();
      if (!apiVersion)
        return {
          problem: `Azure OpenAI needs grounded.model.azureApiVersion (for example ${DEFAULT_AZURE_API_VERSION}).`,
        };
      return {
        endpoint: {
          ...common,
          baseURL: `${url.origin}/openai/deployments/${encodeURIComponent(model)}`,
          azure: { endpoint: url.origin, apiVersion },
        },
      };
    }
    default: {
      const query = url.search ? Object.fromEntries(url.searchParams) : undefined;
      url.search = '';
      url.hash = '';
      url.pathname = url.pathname.replace(OPERATION_PATH, '');
      if (preset.apiPath && /^\/*$/.test(url.pathname)) url.pathname = preset.apiPath;
      return { endpoint: { ...common, baseURL: trimSlashes(url.href), ...(query && { query }) } };
    }
  }
}

/** `{baseURL}/{path}` with the base URL's query, where a request to the endpoint goes. */
export function endpointUrl(endpoint: Pick<Endpoint, 'baseURL' | 'query'>, path: string): URL {
  const url = new URL(`${endpoint.baseURL}/${path}`);
  for (const [name, value] of Object.entries(endpoint.query ?? {})) url.searchParams.set(name, value);
  return url;
}

/** Accepts a bare host ("adb-1.azuredatabricks.net") as https, as people paste it from the browser. */
/** A typed URL with what stands before the “@” of its authority (a user name, a password) left out, as `…@`. */
const withoutUserInfo = (text: string): string => text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, '$1…@');

function parseHttpUrl(text: string): URL | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(withScheme);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

const trimSlashes = (href: string) => href.replace(/\/+$/, '');

/**
 * An operation's path at the end of a typed base URL (`…/v1/chat/completions`, `…/v1/embeddings`), as an endpoint's
 * page shows the full URL to POST to: the clients append it themselves, so it is dropped, not sent twice.
 */
const OPERATION_PATH = /\/(?:chat\/completions|embeddings)\/*$/i;
