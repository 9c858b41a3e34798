import * as vscode from 'vscode';
import { ask } from './core/ask';
import type { AnswerEvent, AskRequest } from './core/events';
import { registerChatParticipant } from './vscode/chatParticipant';
import { registerCommands } from './vscode/commands';
import { PanelViewProvider } from './vscode/panelViewProvider';
import { resolveModels } from './vscode/models';
import { askOptionsFromSettings } from './vscode/settings';
import { WorkspaceIndexService } from './vscode/workspaceIndexService';

/** Grounded's API for other extensions (and the host tests): the same flow as every surface. */
export interface GroundedApi {
  ask(request: AskRequest): AsyncIterable<AnswerEvent>;
  indexReport: WorkspaceIndexService['indexReport'];
}

export function activate(context: vscode.ExtensionContext): GroundedApi {
  const log = vscode.window.createOutputChannel('Grounded', { log: true });
  const index = new WorkspaceIndexService(log);
  const askDeps = () => ({ retriever: index, options: askOptionsFromSettings() });

  context.subscriptions.push(
    log,
    index,
    registerChatParticipant({ askDeps, indexReport: () => index.indexReport(), log }),
    vscode.window.registerWebviewViewProvider(PanelViewProvider.viewId, new PanelViewProvider(context.extensionUri)),
    ...registerCommands(index, log),
  );
  log.info(`Grounded ${String(context.extension.packageJSON.version)} activated`);

  return {
    ask: async function* (request) {
      yield* ask(request, { ...askDeps(), ...(await resolveModels()) });
    },
    indexReport: () => index.indexReport(),
  };
}

export function deactivate(): void {}
