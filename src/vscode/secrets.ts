import type * as vscode from 'vscode';
import type { PresetId } from '../providers/presets';

/**
 * API keys, one per preset (a Databricks PAT and an OpenAI key can both be kept), in VS Code's SecretStorage only:
 * never in settings, never logged.
 */
export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  static secretId(preset: PresetId): string {
    return `grounded.apiKey.${preset}`;
  }

  async get(preset: PresetId): Promise<string | undefined> {
    const key = await this.secrets.get(ApiKeyStore.secretId(preset));
    return key?.trim() || undefined;
  }

  async set(preset: PresetId, key: string): Promise<void> {
    const trimmed = key.trim();
    if (trimmed) await this.secrets.store(ApiKeyStore.secretId(preset), trimmed);
    else await this.secrets.delete(ApiKeyStore.secretId(preset));
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange(e => {
      if (e.key.startsWith('grounded.apiKey.')) listener();
    });
  }
}
