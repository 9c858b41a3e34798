import type * as vscode from 'vscode';
import { PRESETS, type PresetId } from '../providers/presets';
import {
  endpointOrigin,
  isAllowed,
  originOf,
  parseSecretRecord,
  releaseSecret,
  serializeSecretRecord,
  type ConfirmSend,
  type SecretUse,
  withOrigin,
} from '../providers/secretOrigin';
import type { ModelSettings } from './modelSettings';

export type SecretStorageLike = Pick<vscode.SecretStorage, 'get' | 'store' | 'delete' | 'onDidChange'>;

/**
 * Secrets in VS Code's SecretStorage (never in settings, never logged), each stored with the origins it may be sent
 * to. Sending one elsewhere asks the person first (`confirm`); a yes adds that origin to the secret's list.
 */
export class BoundSecrets {
  /** One question per secret and origin, however many requests wait for the answer. */
  private readonly asking = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly storage: SecretStorageLike,
    private readonly confirm: ConfirmSend,
  ) {}

  /** The value, to check that one is set or to redact it from logs: never send what this returns. */
  async peek(id: string): Promise<string | undefined> {
    return parseSecretRecord(await this.storage.get(id))?.value;
  }

  /** The value, to send to `use.origin`; undefined when none is stored. Throws an auth error when the person says no. */
  async releaseTo(id: string, use: SecretUse): Promise<string | undefined> {
    const key = `${id} ${use.origin}`;
    const pending = this.asking.get(key);
    if (pending) return pending;
    const asked = this.release(id, use);
    this.asking.set(key, asked);
    try {
      return await asked;
    } finally {
      this.asking.delete(key);
    }
  }

  /** Stores the value bound to `origins` (replacing the old value and its origins); a blank value removes it. */
  async store(id: string, value: string, origins: readonly (string | undefined)[]): Promise<void> {
    if (!value.trim()) return this.storage.delete(id);
    const bound = [...new Set(origins.filter((o): o is string => !!o))];
    await this.storage.store(id, serializeSecretRecord({ value, origins: bound }));
  }

  onDidChange(prefix: string, listener: () => void): vscode.Disposable {
    return this.storage.onDidChange(e => {
      if (e.key.startsWith(prefix)) listener();
    });
  }

  private async release(id: string, use: SecretUse): Promise<string | undefined> {
    const record = parseSecretRecord(await this.storage.get(id));
    if (!record) return undefined;
    const { value, bound } = await releaseSecret(record, use, this.confirm);
    if (!bound) return value;
    // The question may have stayed open a while, and another window or command may have stored the secret
    // meanwhile: read it again and add only the origin the answer allowed. A value that changed (or was removed)
    // is not the one the person agreed to send, so it goes through the same check as a fresh request.
    const current = parseSecretRecord(await this.storage.get(id));
    if (current?.value !== value) return this.release(id, use);
    if (!isAllowed(current, use.origin))
      await this.storage.store(id, serializeSecretRecord(withOrigin(current, use.origin)));
    return value;
  }
}

/** Where an API key is about to be sent, and what sets it: the use without the key's name. */
export type KeyUse = Omit<SecretUse, 'name'>;

/**
 * API keys, one per preset (a Databricks PAT and an OpenAI key can both be kept). A preset's key is shared by the
 * chat model, the embeddings endpoint and (Databricks) Vector Search, each sending it to the origin its settings name.
 */
export class ApiKeyStore {
  constructor(private readonly secrets: BoundSecrets) {}

  static secretId(preset: PresetId): string {
    return `grounded.apiKey.${preset}`;
  }

  /** Whether a key is set, or its value for redaction: never send what this returns (see `keyFor`). */
  async peek(preset: PresetId): Promise<string | undefined> {
    return (await this.secrets.peek(ApiKeyStore.secretId(preset)))?.trim() || undefined;
  }

  /** The key to send to `use.origin`, after the person agreed when the key is not bound there. */
  async keyFor(preset: PresetId, use: KeyUse): Promise<string | undefined> {
    const key = await this.secrets.releaseTo(ApiKeyStore.secretId(preset), { ...use, name: keyName(preset) });
    return key?.trim() || undefined;
  }

  /** Stores the key bound to `origins` (where the settings send it now); '' removes it. */
  async set(preset: PresetId, key: string, origins: readonly (string | undefined)[]): Promise<void> {
    await this.secrets.store(ApiKeyStore.secretId(preset), key.trim(), origins);
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange('grounded.apiKey.', listener);
  }
}

const keyName = (preset: PresetId): string =>
  preset === 'databricks' ? 'the Databricks token' : `the ${PRESETS[preset].label} API key`;

/** What `keyOrigins` reads of the retriever settings (RetrieverSettings, which reads its keys from here). */
export interface RetrieverKeyUse {
  embeddings: { preset: PresetId; baseUrl: string };
  databricks: { workspaceUrl: string };
}

/** The origins the user's settings send a preset's key to now: the chat model, the embeddings, Vector Search. */
export function keyOrigins(preset: PresetId, model: ModelSettings, retriever: RetrieverKeyUse): string[] {
  const origins = [
    model.endpoint.preset === preset ? endpointOrigin(model.endpoint) : undefined,
    retriever.embeddings.preset === preset ? endpointOrigin(retriever.embeddings) : undefined,
    preset === 'databricks' ? originOf(retriever.databricks.workspaceUrl) : undefined,
  ];
  return [...new Set(origins.filter((o): o is string => !!o))];
}
