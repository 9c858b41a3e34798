// The panel's page outside VS Code: the real dist/webview.js, media/panel.css and page template under the same
// CSP, served from 127.0.0.1, with a recording stand-in for acquireVsCodeApi. For component tests and the render
// benchmark; the real panel in VS Code is covered by panel.e2e.test.ts.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { HostToPanel, PanelToHost } from '../../src/shared/messages';
import { panelHtml } from '../../src/shared/panelHtml';
import { THEMES, type ThemeKind } from './panelThemes';

const root = path.resolve(__dirname, '../../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require(path.join(root, 'test/host/lib.js')) as { launch(tag: string): Promise<BrowserContext> };

const STUB = `window.__posted = [];
window.acquireVsCodeApi = () => ({
  postMessage: m => window.__posted.push(m),
  getState: () => JSON.parse(sessionStorage.getItem('state') || 'null'),
  setState: s => sessionStorage.setItem('state', JSON.stringify(s)),
});`;

export interface PanelPage {
  page: Page;
  post(message: HostToPanel): Promise<void>;
  posted(): Promise<PanelToHost[]>;
  /** Gives the page a theme's colours as VS Code does: CSS variables on <html> and the theme kind on <body>. */
  setTheme(kind: ThemeKind): Promise<void>;
  close(): Promise<void>;
}

export async function openPanelPage(): Promise<PanelPage> {
  const files: Record<string, [string, string]> = {
    '/webview.js': [path.join(root, 'dist/webview.js'), 'text/javascript'],
    '/panel.css': [path.join(root, 'media/panel.css'), 'text/css'],
  };
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (req.url === '/') {
      const nonce = Math.random().toString(36).slice(2);
      const html = panelHtml({
        cspSource: `http://${req.headers.host}`,
        nonce,
        scriptUri: '/webview.js',
        cssUri: '/panel.css',
      });
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        html.replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}">${STUB}</script><script nonce="${nonce}"`),
      );
    } else if (file) {
      res.writeHead(200, { 'content-type': file[1] });
      res.end(fs.readFileSync(file[0]));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const context = await lib.launch('panel');
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
  return {
    page,
    post: message => page.evaluate(m => window.postMessage(m, '*'), message),
    posted: () => page.evaluate(() => (window as unknown as { __posted: PanelToHost[] }).__posted),
    setTheme: kind =>
      page.evaluate(
        ({ kind, colours }) => {
          const html = document.documentElement;
          for (const [name, value] of Object.entries(colours)) html.style.setProperty(`--vscode-${name}`, value);
          // the view sits on the side bar: its background shows through the page's
          html.style.background = 'var(--vscode-sideBar-background)';
          document.body.classList.remove(...[...document.body.classList].filter(c => c.startsWith('vscode-')));
          document.body.classList.add(kind);
          document.body.dataset.vscodeThemeKind = kind;
        },
        { kind, colours: THEMES[kind].colours },
      ),
    close: async () => {
      await context.close();
      server.close();
    },
  };
}
