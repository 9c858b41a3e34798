import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Passage } from '../../../src/core/passage';
import type { GroundedApi } from '../../../src/extension';
import { openPassage } from '../../../src/vscode/openPassage';
import { VIEW_HEADER_LINES } from '../../../src/vscode/extractedTextView';
import { collect } from '../../support/collect';
import { until } from '../../support/until';
import { pdfOfPages, REPORT_PAGES } from '../../unit/index/documents/pdfFixtures';
import { activateGrounded, HOST_WAIT, workspaceRoot } from './hostHelpers';

// A PDF in the workspace, read by the packaged index worker (pdf.js as it is bundled there, not as the unit tests load
// it): searched by page, and a citation opens the read-only view of that page's text at the cited lines.
// openPassage is loaded from the compiled sources (it uses nothing but the vscode API); the view it opens is served
// by the installed extension.
describe('PDF citations in a real VS Code extension host', function () {
  let api: GroundedApi;
  const folder = () => vscode.Uri.file(`${workspaceRoot()}/reports`);

  before(async () => {
    api = await activateGrounded();
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder(), 'annual.pdf'), await pdfOfPages(REPORT_PAGES));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(folder(), { recursive: true });
  });

  /** The search hit on the PDF's second page, once the index has taken the new file in. */
  const pageHit = (): Promise<Passage | undefined> =>
    until(async () => {
      const sources = (await collect(api.ask({ question: 'customers churned pricing', mode: 'search' }))).find(
        e => e.type === 'sources',
      );
      return sources?.type === 'sources' ? sources.sources.find(p => p.path === 'reports/annual.pdf') : undefined;
    }, HOST_WAIT);

  it('finds the page that says it, in the packaged worker', async () => {
    const hit = await pageHit();
    assert.ok(hit, 'the PDF is searchable');
    assert.equal(hit.page, 2);
    assert.match(hit.text, /Customers who churned cited pricing\./);
  });

  it('opens the page’s extracted text, read-only, with the cited lines selected', async () => {
    const hit = await pageHit();
    assert.ok(hit);
    assert.deepEqual(await openPassage(hit), { how: 'exact' });
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.scheme, 'grounded-document');
    assert.match(editor.document.lineAt(0).text, /annual\.pdf — page 2 of 3/);
    assert.deepEqual(
      [editor.selection.start.line, editor.selection.end.line],
      [hit.startLine - 1 + VIEW_HEADER_LINES, hit.endLine - 1 + VIEW_HEADER_LINES],
    );
    const selected = editor.document.getText(editor.selection);
    assert.ok(selected.includes('Customers who churned cited pricing.'), selected);
  });
});
