import * as vscode from 'vscode';
import { parsePanelMessage, type HostToPanel } from '../shared/messages';
import { panelHtml } from '../shared/panelHtml';
import { setOnboardingContext } from './onboarding';
import { openPassage } from './openPassage';
import { PanelController, type PanelPorts, type RestoredTurn } from './panelController';

const STATE_KEY = 'grounded.panel.conversation';
/** The turn streaming when last saved, apart from the conversation: see PanelPorts.saveStreaming. */
const STREAMING_KEY = 'grounded.panel.streamingTurn';

/**
 * The side panel (a WebviewView in Grounded's activity-bar container). The conversation lives in the
 * PanelController on the host, saved in workspace state, so hiding the view or reloading the window loses nothing.
 */
export class PanelViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'grounded.panel';
  readonly controller: PanelController;
  private view: vscode.WebviewView | undefined;
  private viewDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    ask: PanelPorts['ask'],
  ) {
    const ports: PanelPorts = {
      post: message => void this.view?.webview.postMessage(message),
      ask,
      openPassage,
      runCommand: (command, args = []) => void vscode.commands.executeCommand(command, ...args),
      copy: text => void vscode.env.clipboard.writeText(text),
      openLink: url => void vscode.env.openExternal(vscode.Uri.parse(url)),
      save: turns => {
        void context.workspaceState.update(STATE_KEY, turns);
        setOnboardingContext('hasConversation', turns.length > 0);
      },
      saveStreaming: turn => void context.workspaceState.update(STREAMING_KEY, turn),
      schedule: (fn, ms) => void setTimeout(fn, ms),
    };
    this.controller = new PanelController(
      ports,
      context.workspaceState.get<RestoredTurn[]>(STATE_KEY, []),
      context.workspaceState.get<RestoredTurn>(STREAMING_KEY),
    );
    setOnboardingContext('hasConversation', this.controller.conversation.length > 0);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const bundle = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'media');
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [bundle, media] };
    view.webview.html = panelHtml({
      cspSource: view.webview.cspSource,
      nonce: newNonce(),
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'webview.js')).toString(),
      cssUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'panel.css')).toString(),
    });
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage(raw => {
        const message = parsePanelMessage(raw);
        if (message) void this.controller.receive(message);
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        this.disposeView();
      }),
    );
  }

  /** Shows the panel and asks there, with the cursor in its question box for the follow-up. */
  async ask(question: string, context?: Parameters<PanelController['ask']>[1]): Promise<void> {
    await vscode.commands.executeCommand(`${PanelViewProvider.viewId}.focus`);
    void this.view?.webview.postMessage({ type: 'focusInput' } satisfies HostToPanel);
    await this.controller.ask(question, context);
  }

  private disposeView(): void {
    for (const d of this.viewDisposables) d.dispose();
    this.viewDisposables = [];
  }

  dispose(): void {
    this.controller.close();
    this.disposeView();
  }
}

function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}
