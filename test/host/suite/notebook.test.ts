import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Passage } from '../../../src/core/passage';
import type { GroundedApi } from '../../../src/extension';
import { passageLocation } from '../../../src/vscode/locations';
import { openPassage } from '../../../src/vscode/openPassage';
import { collect } from '../../support/collect';
import { until } from '../../support/until';
import { sampleNotebook } from '../../unit/index/documents/documentFixtures';
import { activateGrounded, HOST_WAIT, workspaceRoot } from './hostHelpers';

// A notebook in the workspace: searched by cell, and a citation opens the notebook editor at the cell's lines.
// openPassage and passageLocation are loaded from the compiled sources (they use nothing but the vscode API): the
// installed extension opens citations through the same functions.
describe('notebook citations in a real VS Code extension host', function () {
  let api: GroundedApi;
  let uri: vscode.Uri;

  before(async () => {
    api = await activateGrounded();
    uri = vscode.Uri.file(`${workspaceRoot()}/notebooks/churn.ipynb`);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(sampleNotebook()));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(vscode.Uri.file(`${workspaceRoot()}/notebooks`), { recursive: true });
  });

  /** The search hit in the notebook's cell 2, once the index has taken the new file in. */
  const cellHit = (): Promise<Passage | undefined> =>
    until(async () => {
      const sources = (await collect(api.ask({ question: 'read_csv describe', mode: 'search' }))).find(
        e => e.type === 'sources',
      );
      return sources?.type === 'sources' ? sources.sources.find(p => p.path === 'notebooks/churn.ipynb') : undefined;
    }, HOST_WAIT);

  it('finds a cell’s lines, named by the cell', async () => {
    const hit = await cellHit();
    assert.ok(hit, 'the notebook is searchable');
    assert.deepEqual([hit.cell, hit.startLine, hit.endLine], [2, 1, 3]);
  });

  it('opens the notebook editor with the cell selected and the cited lines selected in the cell', async () => {
    const hit = await cellHit();
    assert.ok(hit);
    // the last two lines of the cell, as a chip citing them carries them
    const cited: Passage = { ...hit, startLine: 2, endLine: 3, text: "df = pd.read_csv('churn.csv')\ndf.describe()" };
    assert.deepEqual(await openPassage(cited), { how: 'exact' });
    const notebookEditor = vscode.window.activeNotebookEditor;
    assert.equal(notebookEditor?.notebook.uri.fsPath, uri.fsPath);
    assert.deepEqual([notebookEditor?.selection.start, notebookEditor?.selection.end], [1, 2]);
    const cellEditor = await until(() => {
      const editor = vscode.window.activeTextEditor;
      return editor?.document.uri.scheme === 'vscode-notebook-cell' ? editor : undefined;
    }, HOST_WAIT);
    assert.ok(cellEditor, 'the cell’s editor is active');
    assert.equal(cellEditor.document.uri.toString(), notebookEditor?.notebook.cellAt(1).document.uri.toString());
    assert.deepEqual([cellEditor.selection.start.line, cellEditor.selection.end.line], [1, 2]);
  });

  it('says where a cell’s cited outputs are now: in the cell that printed them, at the lines they are of its outputs', async () => {
    const rerun = vscode.Uri.file(`${workspaceRoot()}/notebooks/rerun.ipynb`);
    const stream = (...text: string[]) => ({ output_type: 'stream', name: 'stdout', text });
    const code = (source: string, n: number, ...outputs: object[]) => ({
      cell_type: 'code',
      metadata: {},
      execution_count: n,
      source: [source],
      outputs,
    });
    // cited as line 1 of cell 2's outputs; a cell was added above it, and it printed a line before them when run again
    const cells = [
      { cell_type: 'markdown', metadata: {}, source: ['# Churn'] },
      code('x = 1', 1, stream('other\n')),
      code('df = load()', 2, stream('reading churn.csv\n', 'loaded 1200 rows\n')),
    ];
    await vscode.workspace.fs.writeFile(
      rerun,
      Buffer.from(JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells })),
    );
    const cited = {
      path: 'notebooks/rerun.ipynb',
      location: rerun.fsPath,
      cell: 2,
      cellOutput: true as const,
      startLine: 1,
      endLine: 1,
      text: 'loaded 1200 rows',
    };
    assert.deepEqual(await openPassage(cited), { how: 'moved', cell: 3, lines: { startLine: 2, endLine: 2 } });
    const notebookEditor = vscode.window.activeNotebookEditor;
    assert.equal(notebookEditor?.notebook.uri.fsPath, rerun.fsPath);
    assert.deepEqual([notebookEditor?.selection.start, notebookEditor?.selection.end], [2, 3], 'the cell is selected');
  });

  it('anchors a chat citation on the cell’s document', async () => {
    const hit = await cellHit();
    assert.ok(hit);
    const notebook = await vscode.workspace.openNotebookDocument(uri);
    const location = passageLocation(hit);
    assert.ok(location instanceof vscode.Location);
    assert.equal(location.uri.toString(), notebook.cellAt(1).document.uri.toString());
    assert.deepEqual([location.range.start.line, location.range.end.line], [0, 2]);
  });
});
