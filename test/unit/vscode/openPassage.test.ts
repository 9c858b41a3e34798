import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type * as OpenPassageModule from '../../../src/vscode/openPassage';
import { FakePosition, FakeRange, requireWithVscode } from '../../fakes/fakeVscodeWorkspace';
import { tempDirs } from '../../support/tempDirs';

/** A `vscode.Uri` as far as opening a passage reads one. */
interface FakeUri {
  scheme: string;
  fsPath: string;
  query: string;
  with(change: { scheme?: string; query?: string }): FakeUri;
  toString(): string;
}

const uriOf = (scheme: string, fsPath: string, query = ''): FakeUri => ({
  scheme,
  fsPath,
  query,
  with: change => uriOf(change.scheme ?? scheme, fsPath, change.query ?? query),
  toString: () => `${scheme}://${fsPath}${query ? `?${query}` : ''}`,
});

/**
 * The `vscode` opening a passage uses: the workspace folders, the file system's stat, documents that open (a document
 * view is served whatever is on disk, as VS Code asks its provider), the warnings shown and the editors opened.
 */
function fakeVscode(folders: string[]) {
  const warnings: string[] = [];
  const shown: string[] = [];
  const vscode = {
    Position: FakePosition,
    Range: FakeRange,
    TextEditorRevealType: { InCenterIfOutsideViewport: 2 },
    Uri: { file: (path: string) => uriOf('file', path), parse: (text: string) => uriOf('https', text) },
    l10n: { t: (message: string, ...args: string[]) => message.replace(/\{(\d+)\}/g, (_, i) => args[Number(i)] ?? '') },
    commands: { executeCommand: async () => undefined },
    env: { openExternal: async () => true },
    window: {
      showWarningMessage: async (message: string) => void warnings.push(message),
      showTextDocument: async (doc: { uri: FakeUri }) => {
        shown.push(doc.uri.toString());
        return { revealRange: () => undefined };
      },
    },
    workspace: {
      workspaceFolders: folders.map((path, index) => ({ uri: uriOf('file', path), name: basename(path), index })),
      fs: { stat: (uri: FakeUri) => stat(uri.fsPath) },
      // VS Code's ipynb serializer refuses nbformat 3
      openNotebookDocument: async (uri: FakeUri) => {
        await stat(uri.fsPath);
        throw new Error('Only Jupyter notebooks version 4+ are supported');
      },
      openTextDocument: async (uri: FakeUri) => {
        if (uri.scheme === 'file') await stat(uri.fsPath);
        // a view of a page: its title, a blank line and the page's lines, or a sentence when the file cannot be read
        const present = await stat(uri.fsPath).then(
          () => true,
          () => false,
        );
        const text = present ? 'title\n\nRevenue fell.\nRevenue grew.' : `${basename(uri.fsPath)} cannot be read.`;
        return { uri, getText: () => text, lineAt: (line: number) => ({ text: text.split('\n')[line] ?? '' }) };
      },
    },
  };
  return { vscode, warnings, shown };
}

describe('opening a cited passage', () => {
  const dirs = tempDirs();

  it('says a cited PDF or Word document that was deleted no longer exists, and opens no view of it', async () => {
    const ws = await dirs.make('ws-');
    await writeFile(join(ws, 'notes.md'), 'kept\n');
    const { vscode, warnings, shown } = fakeVscode([ws]);
    const { openPassage } = requireWithVscode<typeof OpenPassageModule>(
      require.resolve('../../../src/vscode/openPassage'),
      vscode,
    );
    const cited = { startLine: 2, text: 'Revenue grew.' };
    const pdf = { ...cited, path: 'report.pdf', location: join(ws, 'report.pdf'), page: 4 };
    const docx = { ...cited, path: 'plan.docx', location: join(ws, 'plan.docx') };
    assert.equal(await openPassage(pdf), 'stale');
    assert.equal(await openPassage(docx), 'stale');
    assert.deepEqual(warnings, [
      'report.pdf no longer exists; the citation is out of date. Ask again to refresh it.',
      'plan.docx no longer exists; the citation is out of date. Ask again to refresh it.',
    ]);
    assert.deepEqual(shown, []);
    // one that is there opens its view at the cited lines
    await writeFile(join(ws, 'report.pdf'), '%PDF-1.4');
    assert.equal(await openPassage(pdf), 'exact');
    assert.deepEqual(shown, [`grounded-document://${join(ws, 'report.pdf')}?page=4`]);
  });

  it('says why a notebook that is there cannot be opened, and that one that was deleted no longer exists', async () => {
    const ws = await dirs.make('ws-');
    await writeFile(join(ws, 'old.ipynb'), JSON.stringify({ nbformat: 3, worksheets: [{ cells: [] }] }));
    const { vscode, warnings } = fakeVscode([ws]);
    const { openPassage } = requireWithVscode<typeof OpenPassageModule>(
      require.resolve('../../../src/vscode/openPassage'),
      vscode,
    );
    const cited = { startLine: 1, text: 'a = 1', cell: 1 };
    assert.equal(await openPassage({ ...cited, path: 'old.ipynb', location: join(ws, 'old.ipynb') }), 'stale');
    assert.equal(await openPassage({ ...cited, path: 'gone.ipynb', location: join(ws, 'gone.ipynb') }), 'stale');
    assert.deepEqual(warnings, [
      'old.ipynb cannot be opened as a notebook in this editor (Only Jupyter notebooks version 4+ are supported).',
      'gone.ipynb no longer exists; the citation is out of date. Ask again to refresh it.',
    ]);
  });
});
