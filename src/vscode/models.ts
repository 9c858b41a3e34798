import * as vscode from 'vscode';
import { GroundedError } from '../core/errors';
import type { ChatModel } from '../core/ports';
import { createOpenAiCompatibleModels } from '../providers/openAiCompatible';
import { PRESETS, resolveEndpoint, type Endpoint } from '../providers/presets';
import { UnavailableChatModel } from '../providers/unavailableChatModel';
import { VscodeLmChatModel } from '../providers/vscodeLmChatModel';
import { readModelSettings, type ModelSettings } from './modelSettings';
import type { ApiKeyStore } from './secrets';

/** The models one answer uses: the generator, and optionally a smaller one for grading and rewriting. */
export interface AnswerModels {
  model?: ChatModel;
  helperModel?: ChatModel;
  /** Who answers, for people: "Databricks Model Serving · my-endpoint", "GPT-4o (VS Code)". */
  label?: string;
}

/**
 * Where API keys come from. Set once at activation by `registerProviderCommands`: the callers of
 * `resolveModels` (chat, the API, the panel) stay unaware of providers, so the key store cannot be a parameter.
 */
let apiKeys: ApiKeyStore | undefined;
export function useApiKeyStore(store: ApiKeyStore | undefined): void {
  apiKeys = store;
  cached = undefined;
}

/**
 * Chooses the models for a question, from `grounded.model.*`. Provider `vscode`: in chat the model picked in the
 * chat view (`request.model`), elsewhere the one chosen with *Grounded: Select Model* or the first VS Code offers;
 * none at all means search results instead of an answer. Provider `openai-compatible`: the configured endpoint,
 * in chat too. A missing key or setting becomes a model that fails with the fix, so the surface shows it.
 */
export async function resolveModels(chatModel?: vscode.LanguageModelChat): Promise<AnswerModels> {
  const settings = readModelSettings();
  return settings.provider === 'openai-compatible' ? openAiCompatibleModels(settings) : vscodeModels(settings, chatModel);
}

async function vscodeModels(settings: ModelSettings, chatModel?: vscode.LanguageModelChat): Promise<AnswerModels> {
  const picked = chatModel ?? (await chosenOrFirst(settings.vscodeModel));
  if (!picked) return {};
  const helperId = settings.endpoint.helperModel.trim();
  const helper = helperId && helperId !== picked.id ? (await vscode.lm.selectChatModels({ id: helperId }))[0] : undefined;
  return {
    model: new VscodeLmChatModel(picked),
    helperModel: helper && new VscodeLmChatModel(helper),
    label: `${picked.name} (VS Code)`,
  };
}

async function chosenOrFirst(id: string): Promise<vscode.LanguageModelChat | undefined> {
  if (id) {
    const [chosen] = await vscode.lm.selectChatModels({ id });
    if (chosen) return chosen;
  }
  return (await vscode.lm.selectChatModels())[0];
}

/** One entry: rebuilding the client per question would be cheap, but reuse keeps its connection pool warm. */
let cached: { signature: string; models: AnswerModels } | undefined;

async function openAiCompatibleModels(settings: ModelSettings): Promise<AnswerModels> {
  const resolved = resolveEndpoint(settings.endpoint);
  if ('problem' in resolved) return unavailable(new GroundedError('no-model', `${resolved.problem} Use “Grounded: Select Model” to set it up.`, { action: SELECT_MODEL }));
  const { endpoint } = resolved;
  const key = await apiKeys?.get(endpoint.preset);
  if (!key && endpoint.keyRequired) return unavailable(missingKey(endpoint));
  const signature = JSON.stringify([endpoint, key]);
  if (cached?.signature !== signature) {
    const models = createOpenAiCompatibleModels(endpoint, key);
    cached = { signature, models: { ...models, label: describeEndpoint(endpoint) } };
  }
  return cached.models;
}

export function describeEndpoint(endpoint: Endpoint): string {
  return `${endpoint.label} · ${endpoint.model}`;
}

const SELECT_MODEL = { title: 'Select Model', command: 'grounded.selectModel' };

function missingKey(endpoint: Endpoint): GroundedError {
  return new GroundedError('auth', `No API key is set for ${PRESETS[endpoint.preset].label}. Set it with “Grounded: Set API Key”.`, {
    action: { title: 'Set API Key', command: 'grounded.setApiKey' },
  });
}

const unavailable = (problem: GroundedError): AnswerModels => ({ model: new UnavailableChatModel(problem), label: 'not configured' });
