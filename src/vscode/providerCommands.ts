import * as vscode from 'vscode';
import type { ConnectionReport } from '../providers/connectionTest';
import { resolveEndpoint } from '../providers/presets';
import { originOf } from '../providers/secretOrigin';
import { showFailure } from './errorNotification';
import { loadCore } from './loadCore';
import { readModelSettings } from './modelSettings';
import type { ModelResolver } from './models';
import type { ApiKeyStore } from './secrets';
import { selectModel } from './selectModel';

/**
 * *Grounded: Select Model* and *Test Connection* (*Set API Key* is with the other secret commands, in secretCommands.ts).
 * A failure is logged (redacted) before it is shown with its fix buttons.
 */
export function registerProviderCommands(
  keys: ApiKeyStore,
  models: ModelResolver,
  log: vscode.LogOutputChannel,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('grounded.selectModel', () => selectModel(keys, log)),
    vscode.commands.registerCommand('grounded.testConnection', () => runConnectionTest(keys, models, log)),
  ];
}

/**
 * Sends one tiny prompt with the configured provider, and then with the helper model when one is set (it grades,
 * rewrites and checks citations in every answer); says how long it took, or what is wrong and how to fix it.
 * Returns the report of the model that failed, else the answering model's.
 */
async function runConnectionTest(
  keys: ApiKeyStore,
  models: ModelResolver,
  log: vscode.LogOutputChannel,
): Promise<ConnectionReport | undefined> {
  const settings = readModelSettings();
  const { model, helperModel, label } = await models.resolve();
  if (!model) {
    void vscode.window
      .showWarningMessage(
        'No VS Code language model is available. Install or sign in to a model provider, or use an OpenAI-compatible endpoint.',
        'Select Model',
      )
      .then(choice => choice && vscode.commands.executeCommand('grounded.selectModel'));
    return undefined;
  }
  const name = label ?? 'the model';
  const helperName = `the helper model ${settings.endpoint.helperModel.trim()}`;
  const [report, helperReport] = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Grounded: testing ${name}…`, cancellable: true },
    async (_progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      const { testConnection } = await loadCore();
      const main = await testConnection(model, name, { signal: controller.signal });
      const helper =
        main.ok && helperModel
          ? await testConnection(helperModel, helperName, { signal: controller.signal })
          : undefined;
      return [main, helper] as const;
    },
  );
  const resolved = resolveEndpoint(settings.endpoint);
  const secrets = 'endpoint' in resolved ? [(await keys.peek(resolved.endpoint.preset)) ?? ''] : [];
  const failed = !report.ok ? report : helperReport && !helperReport.ok ? helperReport : undefined;
  if (!failed) {
    const withHelper = helperReport ? `; ${helperName} in ${helperReport.latencyMs} ms` : '';
    log.info(`connection test: ${name} answered in ${report.latencyMs} ms${withHelper}`);
    void vscode.window.showInformationMessage(`Connected to ${name} in ${report.latencyMs} ms${withHelper}.`);
    return report;
  }
  const endpoint = settings.provider === 'openai-compatible' && 'endpoint' in resolved ? resolved.endpoint.baseURL : '';
  // a connection failure names the endpoint's origin itself; other failures say which endpoint answered
  const hint = endpoint && !failed.error.message.includes(originOf(endpoint) ?? endpoint) ? ` (${endpoint})` : '';
  // the answering model works: the message says it is the helper, which every answer's grading calls, that fails
  const prefix = failed === report ? `${name}${hint}: ` : `${name} answers, but ${helperName}${hint} fails: `;
  // Not awaited: the command returns its report while the message waits for the user.
  void showFailure(failed.error, log, { what: `connection test: ${failed.modelName}`, prefix, held: secrets });
  return failed;
}
