import * as vscode from 'vscode';

/**
 * The side panel (Grounded's activity-bar view). Its conversation arrives with the panel issue; until then it
 * points to the ways in that work today.
 */
export class PanelViewProvider implements vscode.WebviewViewProvider {
  static readonly viewId = 'grounded.panel';

  constructor(private readonly extensionUri: vscode.Uri) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = { enableScripts: false, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')] };
    view.webview.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${view.webview.cspSource} 'unsafe-inline';">
<style>body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); padding: 0 12px; }</style>
</head><body><p>Ask about your workspace in the chat view: type <code>@grounded</code> and your question.</p></body></html>`;
  }
}
