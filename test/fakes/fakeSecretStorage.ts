import type * as vscode from 'vscode';
import type { SecretStorageLike } from '../../src/vscode/secrets';

/** VS Code's SecretStorage in memory: what is stored, and every change event, for tests to read. */
export class FakeSecretStorage implements SecretStorageLike {
  readonly values = new Map<string, string>();
  private readonly listeners = new Set<(e: vscode.SecretStorageChangeEvent) => unknown>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.fire(key);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.fire(key);
  }

  onDidChange: vscode.Event<vscode.SecretStorageChangeEvent> = listener => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  private fire(key: string): void {
    for (const listener of this.listeners) listener({ key });
  }
}
