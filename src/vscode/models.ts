import * as vscode from 'vscode';
import { GroundedError } from '../core/errors';
import type { InputLimitSource } from '../core/options';
import type { ChatModel } from '../core/ports';
import { PRESETS, resolveEndpoint, type Endpoint } from '../providers/presets';
import { originOf } from '../providers/secretOrigin';
import { loadCore } from './loadCore';
import { readModelSettings, type ModelSettings } from './modelSettings';
import type { ApiKeyStore, KeyUse } from './secrets';

/** The models one answer uses: the generator, and optionally a smaller one for grading and rewriting. */
export interface AnswerModels {
  model?: ChatModel;
  helperModel?: ChatModel;
  /** Who answers, for people: "Databricks Model Serving · my-endpoint", "GPT-4o (VS Code)". */
  label?: string;
  /** The input limits prompts are fitted to (`AskOptions.maxInputTokens`); undefined: none known. */
  maxInputTokens?: number;
  /** What set `maxInputTokens` (`AskOptions.maxInputTokensSource`); undefined: the model's own. */
  maxInputTokensSource?: InputLimitSource;
  helperMaxInputTokens?: number;
}

/**
 * Chooses the models for each question, from `grounded.model.*`. Provider `vscode`: in chat the model picked in
 * the chat view (`request.model`), elsewhere the one chosen with *Grounded: Select Model* or the first VS Code
 * offers; none at all means search results instead of an answer. Provider `openai-compatible`: the configured
 * endpoint, in chat too. A missing key or setting becomes a model that fails with the fix, so the surface shows it.
 */
export class ModelResolver implements vscode.Disposable {
  /** One client: rebuilding it per question would be cheap, but reuse keeps its connection pool warm. */
  private cached: { signature: string; models: AnswerModels } | undefined;
  private readonly keysChanged: vscode.Disposable;

  constructor(private readonly keys: ApiKeyStore) {
    // a key set or removed in this window or another
    this.keysChanged = keys.onDidChange(() => (this.cached = undefined));
  }

  async resolve(chatModel?: vscode.LanguageModelChat): Promise<AnswerModels> {
    const settings = readModelSettings();
    return settings.provider === 'openai-compatible'
      ? this.openAiCompatibleModels(settings)
      : vscodeModels(settings, chatModel);
  }

  private async openAiCompatibleModels(settings: ModelSettings): Promise<AnswerModels> {
    const resolved = resolveEndpoint(settings.endpoint);
    if ('problem' in resolved)
      return unavailable(
        new GroundedError('no-model', `${resolved.problem} Use “Grounded: Select Model” to set it up.`, {
          action: SELECT_MODEL,
        }),
      );
    const { endpoint } = resolved;
    const stored = await this.keys.peek(endpoint.preset);
    if (!stored && endpoint.keyRequired) return unavailable(missingKey(endpoint));
    const signature = JSON.stringify([endpoint, stored]);
    if (this.cached?.signature !== signature) {
      let key: string | undefined;
      try {
        key = stored && (await this.keys.keyFor(endpoint.preset, chatKeyUse(endpoint)));
      } catch (e) {
        if (e instanceof GroundedError) return unavailable(e);
        throw e;
      }
      // the OpenAI client is in the core, loaded on first use
      const { createOpenAiCompatibleModels } = await loadCore();
      const models = createOpenAiCompatibleModels(endpoint, key);
      // one setting for both models: they are served by the same endpoint
      const limits = {
        maxInputTokens: endpoint.maxInputTokens,
        maxInputTokensSource: endpoint.maxInputTokensSource,
        helperMaxInputTokens: endpoint.maxInputTokens,
      };
      this.cached = { signature, models: { ...models, ...limits, label: describeEndpoint(endpoint) } };
    }
    return this.cached.models;
  }

  dispose(): void {
    this.keysChanged.dispose();
  }
}

async function vscodeModels(settings: ModelSettings, chatModel?: vscode.LanguageModelChat): Promise<AnswerModels> {
  const picked = chatModel ?? (await chosenOrFirst(settings.vscodeModel));
  if (!picked) return {};
  const { VscodeLmChatModel } = await loadCore();
  const helperId = settings.endpoint.helperModel.trim();
  const helper =
    helperId && helperId !== picked.id ? (await vscode.lm.selectChatModels({ id: helperId }))[0] : undefined;
  return {
    model: new VscodeLmChatModel(picked),
    helperModel: helper && new VscodeLmChatModel(helper),
    label: `${picked.name} (VS Code)`,
    // each VS Code model says how much it takes
    maxInputTokens: picked.maxInputTokens,
    helperMaxInputTokens: helper?.maxInputTokens,
  };
}

async function chosenOrFirst(id: string): Promise<vscode.LanguageModelChat | undefined> {
  if (id) {
    const [chosen] = await vscode.lm.selectChatModels({ id });
    if (chosen) return chosen;
  }
  return (await vscode.lm.selectChatModels())[0];
}

export function describeEndpoint(endpoint: Endpoint): string {
  return `${endpoint.label} · ${endpoint.model}`;
}

const SELECT_MODEL = { title: 'Select Model', command: 'grounded.selectModel' };
const SET_API_KEY = { title: 'Set API Key', command: 'grounded.setApiKey' };

/** Where the chat model sends its key: the origin of the endpoint's base URL. */
export function chatKeyUse(endpoint: Endpoint): KeyUse {
  return {
    origin: originOf(endpoint.baseURL) ?? endpoint.baseURL,
    setting: 'grounded.model.baseUrl',
    setCommand: SET_API_KEY,
  };
}

function missingKey(endpoint: Endpoint): GroundedError {
  return new GroundedError(
    'auth',
    `No API key is set for ${PRESETS[endpoint.preset].label}. Set it with “Grounded: Set API Key”.`,
    {
      action: SET_API_KEY,
    },
  );
}

async function unavailable(problem: GroundedError): Promise<AnswerModels> {
  const { UnavailableChatModel } = await loadCore();
  return { model: new UnavailableChatModel(problem), label: 'not configured' };
}
