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
import { ConfiguredRetriever, DATABASE_PASSWORD_SECRET, readRetrieverSettings } from './vscode/retrieverSettings';
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
  // each disposable is handed to VS Code as it is made: if a later step throws, what was started still stops
  const log = vscode.window.createOutputChannel('Grounded', { log: true });
  context.subscriptions.push(log);
  const index = new WorkspaceIndexService(log, context.storageUri);
  context.subscriptions.push(index);
  const secrets = new BoundSecrets(context.secrets, confirmSecretSend);
  const keys = new ApiKeyStore(secrets);
  const models = new ModelResolver(keys);
  context.subscriptions.push(models);
  const retriever = new ConfiguredRetriever(
    index.retriever,
    secrets,
    log,
    context.storageUri?.fsPath,
    () => index.documentCache,
  );
  context.subscriptions.push(retriever);
  // every secret the extension holds, peeked only to keep it out of the log
  const secretIds = [
    ...(Object.keys(PRESETS) as PresetId[]).map(p => ApiKeyStore.secretId(p)),
    DATABASE_PASSWORD_SECRET,
  ];
  const heldSecrets = () => Promise.all(secretIds.map(id => secrets.peek(id)));
  const askService = createAskService<vscode.LanguageModelChat>({
    askDeps: () => ({ retriever, options: askOptionsFromSettings() }),
    models: chatModel => models.resolve(chatModel),
    loadCore,
    log,
    heldSecrets,
  });
  // a question, in chat or the panel, completes the walkthrough's Ask step
  const ask: typeof askService = (request, chatModel) => {
    setOnboardingContext('hasAsked');
    return askService(request, chatModel);
  };
  const askAnywhere = (request: AskRequest) => ask(request);
  const panel = new PanelViewProvider(context, askAnywhere);
  context.subscriptions.push(panel);
  // the chat participant and the tool need APIs an editor built on VS Code may lack: the panel works without them
  const optional = (what: string, register: () => vscode.Disposable): vscode.Disposable[] => {
    try {
      return [register()];
    } catch (e) {
      log.warn(`${what} is not available in this editor: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
  };

  context.subscriptions.push(
    ...optional('@grounded in chat', () =>
      registerChatParticipant({
        ask,
        indexReport: () => index.indexReport(),
        logFailure: error => logFailureOnce(log, 'index report', error),
      }),
    ),
    ...optional('The grounded_search tool', () =>
      registerSearchTool({
        retriever,
        loadCore,
        log,
        heldSecrets,
        firstBuild: () =>
          readRetrieverSettings().kind === 'local' && !index.retriever.stats() && index.retriever.isSyncing,
      }),
    ),
    vscode.window.registerWebviewViewProvider(PanelViewProvider.viewId, panel),
    ...registerCommands(index, log),
    registerOpenCitation(),
    ...registerProviderCommands(keys, models, log),
    ...registerSecretCommands(secrets, log),
    ...registerAskCommands(panel),
    ...registerOnboarding(),
    ...registerExtractedTextViews(() => index.documentCache, index.onDidChange),
  );
  log.info(`Grounded ${String(context.extension.packageJSON.version)} activated`);

  return {
    ask: askAnywhere,
    indexReport: () => index.indexReport(),
    panelConversation: () => panel.controller.conversation.map(t => t.view),
  };
}

export function deactivate(): void {}
