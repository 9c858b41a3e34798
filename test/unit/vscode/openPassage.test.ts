import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
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
function fakeVscode(folders: string[], viewText = 'title\n\nRevenue fell.\nRevenue grew.') {
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
      fs: {
        stat: async (uri: FakeUri) => {
          if (uri.fsPath.includes('locked'))
            throw Object.assign(new Error('EACCES: permission denied'), { code: 'NoPermissions' });
          return stat(uri.fsPath);
        },
      },
      // VS Code's ipynb serializer refuses nbformat 3
      openNotebookDocument: async (uri: FakeUri) => {
        if (uri.fsPath.includes('locked')) throw new Error('Unable to read file (NoPermissions)');
        await stat(uri.fsPath);
        throw new Error('Only Jupyter notebooks version 4+ are supported');
      },
      openTextDocument: async (uri: FakeUri) => {
        // as VS Code refuses a binary file, and reads none in a folder it may not read (a view of one says so)
        const locked = uri.fsPath.includes('locked');
        if (locked && uri.scheme === 'file') throw new Error('Unable to read file (NoPermissions)');
        if (uri.scheme === 'file') await stat(uri.fsPath);
        if (uri.fsPath.endsWith('.bin')) throw new Error('File seems to be binary and cannot be opened as text');
        // a file's own text; a view of a page: its title, a blank line and the page's lines, or a sentence when the
        // file cannot be read
        const present =
          !locked &&
          (await stat(uri.fsPath).then(
            () => true,
            () => false,
          ));
        const text =
          uri.scheme === 'file'
            ? await readFile(uri.fsPath, 'utf8')
            : present
              ? viewText
              : `${basename(uri.fsPath)} cannot be read.`;
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
    assert.equal((await openPassage(pdf)).how, 'stale');
    assert.equal((await openPassage(docx)).how, 'stale');
    assert.deepEqual(warnings, [
      'report.pdf no longer exists; the citation is out of date. Ask again to refresh it.',
      'plan.docx no longer exists; the citation is out of date. Ask again to refresh it.',
    ]);
    assert.deepEqual(shown, []);
    // one that is there opens its view at the cited lines
    await writeFile(join(ws, 'report.pdf'), '%PDF-1.4');
    assert.equal((await openPassage(pdf)).how, 'exact');
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
    assert.equal((await openPassage({ ...cited, path: 'old.ipynb', location: join(ws, 'old.ipynb') })).how, 'unopened');
    assert.equal((await openPassage({ ...cited, path: 'gone.ipynb', location: join(ws, 'gone.ipynb') })).how, 'stale');
    assert.deepEqual(warnings, [
      'old.ipynb cannot be opened as a notebook in this editor (Only Jupyter notebooks version 4+ are supported).',
      'gone.ipynb no longer exists; the citation is out of date. Ask again to refresh it.',
    ]);
  });

  it('says why a file that is there cannot be opened, without calling the citation out of date', async () => {
    const ws = await dirs.make('ws-');
    await writeFile(join(ws, 'blob.bin'), Buffer.from([0, 1, 2]));
    await mkdir(join(ws, 'locked'));
    await writeFile(join(ws, 'locked', 'a.md'), 'x\n');
    const { vscode, warnings, shown } = fakeVscode([ws]);
    const { openPassage } = requireWithVscode<typeof OpenPassageModule>(
      require.resolve('../../../src/vscode/openPassage'),
      vscode,
    );
    const cited = { startLine: 1, text: 'x' };
    assert.equal((await openPassage({ ...cited, path: 'blob.bin', location: join(ws, 'blob.bin') })).how, 'unopened');
    assert.equal(
      (await openPassage({ ...cited, path: 'locked/a.md', location: join(ws, 'locked', 'a.md') })).how,
      'unopened',
    );
    assert.equal((await openPassage({ ...cited, path: 'gone.md', location: join(ws, 'gone.md') })).how, 'stale');
    assert.deepEqual(warnings, [
      'blob.bin cannot be opened in the editor (File seems to be binary and cannot be opened as text).',
      'locked/a.md cannot be opened in the editor (Unable to read file (NoPermissions)).',
      'gone.md no longer exists; the citation is out of date. Ask again to refresh it.',
    ]);
    assert.deepEqual(shown, []);
  });

  it('does not call a notebook or a document out of date when the file system cannot say whether it is there', async () => {
    const ws = await dirs.make('ws-');
    await mkdir(join(ws, 'locked'));
    await writeFile(join(ws, 'locked', 'nb.ipynb'), '{}');
    await writeFile(join(ws, 'locked', 'plan.docx'), 'PK');
    const { vscode, warnings } = fakeVscode([ws]);
    const { openPassage } = requireWithVscode<typeof OpenPassageModule>(
      require.resolve('../../../src/vscode/openPassage'),
      vscode,
    );
    const docx = { startLine: 1, text: 'x', path: 'locked/plan.docx', location: join(ws, 'locked', 'plan.docx') };
    assert.equal((await openPassage(docx)).how, 'unopened');
    const nb = {
      startLine: 1,
      text: 'a = 1',
      cell: 1,
      path: 'locked/nb.ipynb',
      location: join(ws, 'locked', 'nb.ipynb'),
    };
    assert.equal((await openPassage(nb)).how, 'unopened');
    assert.deepEqual(warnings, [
      'locked/plan.docx cannot be opened in the editor (EACCES: permission denied).',
      'locked/nb.ipynb cannot be opened as a notebook in this editor (Unable to read file (NoPermissions)).',
    ]);
  });

  it('says where it found lines that moved: in the file, or on the page of a document (below its view’s title)', async () => {
    const ws = await dirs.make('ws-');
    await writeFile(join(ws, 'notes.md'), 'title\n\nRevenue fell.\nRevenue grew.');
    await writeFile(join(ws, 'report.pdf'), '%PDF-1.4');
    const { vscode, shown } = fakeVscode([ws]);
    const { openPassage } = requireWithVscode<typeof OpenPassageModule>(
      require.resolve('../../../src/vscode/openPassage'),
      vscode,
    );
    const notes = { path: 'notes.md', location: join(ws, 'notes.md'), startLine: 1, text: 'Revenue grew.' };
    assert.deepEqual(await openPassage(notes), { how: 'moved', lines: { startLine: 4, endLine: 4 }, under: {} });
    const pdf = { path: 'report.pdf', location: join(ws, 'report.pdf'), page: 4, startLine: 1, text: 'Revenue grew.' };
    assert.deepEqual(await openPassage(pdf), { how: 'moved', lines: { startLine: 2, endLine: 2 } });
    assert.deepEqual(await openPassage({ ...pdf, startLine: 2 }), { how: 'exact' });
    assert.equal(shown.length, 3);
  });

  it('says the heading that lines which moved in a file are under now, as the index would chunk the file', async () => {
    const ws = await dirs.make('ws-');
    const guide = [
      '# Guide',
      '',
      '## Install',
      '',
      'Run the installer.',
      '',
      '## Flux capacitor',
      '',
      'Set flux.level.',
    ];
    await writeFile(join(ws, 'guide.md'), guide.join('\n'));
    const { vscode } = fakeVscode([ws]);
    const { openPassage } = requireWithVscode<typeof OpenPassageModule>(
      require.resolve('../../../src/vscode/openPassage'),
      vscode,
    );
    // cited at line 5, under Install; the file now has it under Flux capacitor
    const cited = { path: 'guide.md', location: join(ws, 'guide.md'), startLine: 5, text: 'Set flux.level.' };
    // the file is one chunk, titled with every heading trail it holds
    assert.deepEqual(await openPassage(cited), {
      how: 'moved',
      lines: { startLine: 9, endLine: 9 },
      under: { title: 'Guide > Install; Guide > Flux capacitor', heading: 'Flux capacitor' },
    });
  });

  it('says the headings that lines which moved in a Word document’s text are under now, as the index reads its text', async () => {
    const ws = await dirs.make('ws-');
    await writeFile(join(ws, 'plan.docx'), 'PK');
    await writeFile(join(ws, 'report.pdf'), '%PDF-1.4');
    // the view: its title, a blank line, then the document's text as markdown
    const text = ['# Plan', '', '## Budget', 'Costs rise.', '', '## Staff', 'Two hires.'];
    const { vscode } = fakeVscode([ws], ['plan.docx — text of the Word document (read-only)', '', ...text].join('\n'));
    const { openPassage } = requireWithVscode<typeof OpenPassageModule>(
      require.resolve('../../../src/vscode/openPassage'),
      vscode,
    );
    // cited at line 4 of the text, under Budget; the text now has it at line 7, under Staff
    const cited = { path: 'plan.docx', location: join(ws, 'plan.docx'), startLine: 4, text: 'Two hires.' };
    assert.deepEqual(await openPassage(cited), {
      how: 'moved',
      lines: { startLine: 7, endLine: 7 },
      under: { title: 'Plan > Budget; Plan > Staff', heading: 'Staff' },
    });
    // a PDF's page is the heading its lines have, and it does not change: none is read again
    const pdf = { path: 'report.pdf', location: join(ws, 'report.pdf'), page: 2, startLine: 4, text: 'Two hires.' };
    assert.deepEqual(await openPassage(pdf), { how: 'moved', lines: { startLine: 7, endLine: 7 } });
  });
});
