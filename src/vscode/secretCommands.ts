import * as vscode from 'vscode';
import { PRESETS } from '../providers/presets';
import { postgresOrigin } from '../providers/secretOrigin';
import { readModelSettings } from './modelSettings';
import { DATABASE_PASSWORD_SECRET, readRetrieverSettings } from './retrieverSettings';
import { ApiKeyStore, keyOrigins, type BoundSecrets } from './secrets';

/** What a secret command sets, read when it runs (a key belongs to the preset set at that moment). */
interface SecretTarget {
  /** For the log: "PostgreSQL password". */
  name: string;
  title: string;
  prompt: string;
  validate?: (value: string) => string | undefined;
  /** The origins the user's settings send the secret to now. */
  origins(): string[];
  store(value: string, origins: string[]): Promise<void>;
  /** After a value typed in the input box was saved. */
  afterAsked?(): Promise<void>;
}

interface SecretCommand {
  command: string;
  target(): SecretTarget;
}

/**
 * *Set API Key* (the chat model's preset), *Set Database Password* (pgvector), *Set Databricks Token* (Vector Search)
 * and *Set Embeddings API Key*: SecretStorage only, never settings, each bound to the origins the user's settings
 * send it to now. A string argument (for scripts and tests) skips the input box; '' removes the secret.
 */
export function registerSecretCommands(secrets: BoundSecrets, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const keys = new ApiKeyStore(secrets);
  const originsOf = (preset: Parameters<typeof keyOrigins>[0]) =>
    keyOrigins(preset, readModelSettings(), readRetrieverSettings());
  const table: SecretCommand[] = [
    {
      command: 'grounded.setApiKey',
      target: () => {
        const { endpoint, provider } = readModelSettings();
        const preset = PRESETS[endpoint.preset];
        const origins = originsOf(endpoint.preset);
        return {
          name: `API key for ${preset.label}`,
          title: vscode.l10n.t('Grounded: API key for {0}', preset.label),
          prompt:
            vscode.l10n.t(
              "Stored in VS Code's secret storage, never in settings, and sent only to {0}.",
              origins.join(', ') || vscode.l10n.t('the servers you confirm'),
            ) +
            (endpoint.preset === 'databricks'
              ? ' ' + vscode.l10n.t('A Databricks personal access token (dapi…).')
              : ''),
          validate: v => (/\s/.test(v.trim()) ? vscode.l10n.t('An API key has no spaces.') : undefined),
          origins: () => origins,
          store: (value, bound) => keys.set(endpoint.preset, value, bound),
          afterAsked: async () => {
            const next = await vscode.window.showInformationMessage(
              provider === 'openai-compatible'
                ? vscode.l10n.t('Saved the API key for {0}.', preset.label)
                : vscode.l10n.t(
                    'Saved the API key for {0} (Grounded uses it once grounded.model.provider is “openai-compatible”).',
                    preset.label,
                  ),
              vscode.l10n.t('Test Connection'),
            );
            if (next) await vscode.commands.executeCommand('grounded.testConnection');
          },
        };
      },
    },
    {
      command: 'grounded.setDatabasePassword',
      target: () => ({
        name: 'PostgreSQL password',
        title: vscode.l10n.t('Grounded: PostgreSQL password'),
        prompt: vscode.l10n.t(
          'For the user in grounded.pgvector.connectionString. Stored in secret storage, never in settings.',
        ),
        origins: () =>
          [postgresOrigin(readRetrieverSettings().pgvector.connectionString)].filter((o): o is string => !!o),
        store: (value, origins) => secrets.store(DATABASE_PASSWORD_SECRET, value, origins),
      }),
    },
    {
      command: 'grounded.setDatabricksToken',
      target: () => ({
        name: 'Databricks token',
        title: vscode.l10n.t('Grounded: Databricks token'),
        prompt: vscode.l10n.t(
          'A personal access token (dapi…) for Vector Search and Model Serving. Stored in secret storage.',
        ),
        origins: () => originsOf('databricks'),
        store: (value, origins) => keys.set('databricks', value, origins),
      }),
    },
    {
      command: 'grounded.setEmbeddingsApiKey',
      target: () => {
        const { preset } = readRetrieverSettings().embeddings;
        return {
          name: `API key for ${preset}`,
          title: vscode.l10n.t('Grounded: API key for the {0} embeddings endpoint', preset),
          prompt: vscode.l10n.t('Shared with a chat model on the same preset. Stored in secret storage.'),
          origins: () => originsOf(preset),
          store: (value, origins) => keys.set(preset, value, origins),
        };
      },
    },
  ];
  return table.map(entry =>
    vscode.commands.registerCommand(entry.command, async (given?: unknown) => {
      const target = entry.target();
      const asked = typeof given !== 'string';
      const value = asked
        ? await vscode.window.showInputBox({
            title: target.title,
            prompt: `${target.prompt} ${vscode.l10n.t('Leave empty to remove it.')}`,
            password: true,
            ignoreFocusOut: true,
            validateInput: target.validate,
          })
        : given;
      if (value === undefined) return false;
      const origins = target.origins();
      await target.store(value, origins);
      const removed = !value.trim();
      log.info(
        removed
          ? `${target.name} removed`
          : `${target.name} saved to secret storage, for ${origins.join(', ') || 'no server yet'}`,
      );
      // an empty box removes the secret: said as such, never as a saved one
      if (asked && removed)
        void vscode.window.showInformationMessage(
          vscode.l10n.t('Removed the {0} from secret storage (the box was left empty).', target.name),
        );
      else if (asked) await target.afterAsked?.();
      return true;
    }),
  );
}
