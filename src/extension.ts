import * as vscode from 'vscode';
import type { AnswerEvent, AskRequest } from './core/events';
import type { TurnView } from './shared/messages';
import { registerAskCommands } from './vscode/askCommands';
import { registerChatParticipant } from './vscode/chatParticipant';
import { registerOpenCitation } from './vscode/citationLinks';
import { registerCommands } from './vscode/commands';
import { registerExtractedTextViews } from './vscode/documentView';
import { registerOnboarding, setOnboardingContext } from './vscode/onboarding';
import { PanelViewProvider } from './vscode/panelViewProvider';
import { registerProviderCommands } from './vscode/providerCommands';
import { createAskService } from './vscode/askService';
import { logFailureOnce } from './vscode/failureLog';
import { loadCore } from './vscode/loadCore';
import { ModelResolver } from './vscode/models';
import { ConfiguredRetriever, DATABASE_PASSWORD_SECRET } from './vscode/retrieverSettings';
import { registerSearchTool } from './vscode/searchTool';
import { registerSecretCommands } from './vscode/secretCommands';
import { PRESETS, type PresetId } from './providers/presets';
import { confirmSecretSend } from './vscode/confirmSecretSend';
import { ApiKeyStore, BoundSecrets } from './vscode/secrets';
import { askOptionsFromSettings } from './vscode/settings';
import { WorkspaceIndexService } from './vscode/workspaceIndexService';

/** Grounded's API for other extensions (and the host tests): the same flow as every surface. */
export interface GroundedApi {
  ask(request: AskRequest): AsyncIterable<AnswerEvent>;
  indexReport: WorkspaceIndexService['indexReport'];
  /** The side panel's conversation as it renders it (for tests and for other extensions). */
  panelConversation(): TurnView[];
}

export function activate(context: vscode.ExtensionContext): GroundedApi {
  const log = vscode.window.createOutputChannel('Grounded', { log: true });
  const index = new WorkspaceIndexService(log, context.storageUri);
  const secrets = new BoundSecrets(context.secrets, confirmSecretSend);
  const keys = new ApiKeyStore(secrets);
  const models = new ModelResolver(keys);
  const retriever = new ConfiguredRetriever(index.retriever, secrets, log, context.storageUri?.fsPath);
  // every secret the extension holds, peeked only to keep it out of the log
  const secretIds = [
    ...(Object.keys(PRESETS) as PresetId[]).map(p => ApiKeyStore.secretId(p)),
    DATABASE_PASSWORD_SECRET,
  ];
  const askService = createAskService<vscode.LanguageModelChat>({
    askDeps: () => ({ retriever, options: askOptionsFromSettings() }),
    models: chatModel => models.resolve(chatModel),
    loadCore,
    log,
    heldSecrets: () => Promise.all(secretIds.map(id => secrets.peek(id))),
  });
  // a question, in chat or the panel, completes the walkthrough's Ask step
  const ask: typeof askService = (request, chatModel) => {
    setOnboardingContext('hasAsked');
    return askService(request, chatModel);
  };
  const askAnywhere = (request: AskRequest) => ask(request);
  const panel = new PanelViewProvider(context, askAnywhere);

  context.subscriptions.push(
    log,
    index,
    panel,
    models,
    registerChatParticipant({
      ask,
      indexReport: () => index.indexReport(),
      logFailure: error => logFailureOnce(log, 'index report', error),
    }),
    registerSearchTool({ retriever, loadCore, log }),
    vscode.window.registerWebviewViewProvider(PanelViewProvider.viewId, panel),
    ...registerCommands(index, log),
    registerOpenCitation(),
    ...registerProviderCommands(keys, models, log),
    retriever,
    ...registerSecretCommands(secrets, log),
    ...registerAskCommands(panel),
    ...registerOnboarding(),
    ...registerExtractedTextViews(() => index.documentCache),
  );
  log.info(`Grounded ${String(context.extension.packageJSON.version)} activated`);

  return {
    ask: askAnywhere,
    indexReport: () => index.indexReport(),
    panelConversation: () => panel.controller.conversation.map(t => t.view),
  };
}

export function deactivate(): void {}
