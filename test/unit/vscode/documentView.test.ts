import assert from 'node:assert/strict';
import { mkdir, readFile, realpath, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import type * as DocumentViewModule from '../../../src/vscode/documentView';
import { MAX_DOCUMENT_BYTES_LIMIT } from '../../../src/index';
import { FakeEmitter, requireWithVscode } from '../../fakes/fakeVscodeWorkspace';
import { tempDirs } from '../../support/tempDirs';
import { until } from '../../support/until';

/** A `vscode.Uri` as far as the view's provider reads one. */
interface FakeUri {
  scheme: string;
  fsPath: string;
  query: string;
  with(change: { scheme?: string; query?: string }): FakeUri;
}

const uriOf = (scheme: string, fsPath: string, query = ''): FakeUri => ({
  scheme,
  fsPath,
  query,
  with: change => uriOf(change.scheme ?? scheme, fsPath, change.query ?? query),
});

/** The `vscode` the provider uses: the workspace folders, its file system (recording what it reads), l10n. */
function fakeVscode(folders: string[], read: string[]) {
  return {
    EventEmitter: FakeEmitter,
    Uri: { file: (path: string) => uriOf('file', path) },
    l10n: { t: (message: string, ...args: string[]) => message.replace(/\{(\d+)\}/g, (_, i) => args[Number(i)] ?? '') },
    workspace: {
      workspaceFolders: folders.map((path, index) => ({ uri: uriOf('file', path), name: basename(path), index })),
      fs: {
        readFile: async (uri: FakeUri) => {
          read.push(uri.fsPath);
          return new Uint8Array(await readFile(uri.fsPath));
        },
        stat: async (uri: FakeUri) => ({ size: (await stat(uri.fsPath)).size }),
      },
    },
  };
}

describe('the read-only views of documents’ extracted text', () => {
  const dirs = tempDirs();

  it('shows nothing of a document that was swapped for a link leading out of the workspace, and does not read it', async () => {
    const ws = await dirs.make('ws-');
    const outside = await dirs.make('outside-');
    const cache = await dirs.make('cache-');
    const bytes = Buffer.from('%PDF-1.4 private statement');
    await writeFile(join(outside, 'statement.pdf'), bytes);
    await mkdir(join(ws, 'docs'));
    await symlink(join(outside, 'statement.pdf'), join(ws, 'docs', 'report.pdf'));
    // the extraction of those bytes is in the cache (a document with the same bytes was indexed)
    const hash = createHash('sha1').update(bytes).digest('hex');
    const extraction = {
      kind: 'document',
      document: {
        kind: 'pdf',
        text: 'Private balance 1234',
        units: [{ kind: 'text', cell: 0, page: 1, start: 0, end: 1 }],
      },
    };
    await writeFile(join(cache, `pdf-1-${hash}.json`), JSON.stringify(extraction));
    const read: string[] = [];
    const { ExtractedTextProvider } = requireWithVscode<typeof DocumentViewModule>(
      require.resolve('../../../src/vscode/documentView'),
      fakeVscode([ws], read),
    );
    const view = uriOf('grounded-document', join(ws, 'docs', 'report.pdf'), 'page=1');
    const text = await new ExtractedTextProvider(() => cache).provideTextDocumentContent(view as never);
    assert.equal(text.includes('Private balance'), false, text);
    assert.deepEqual(read, []);
  });

  it('shows the extracted page of a document inside the workspace', async () => {
    const ws = await dirs.make('ws-');
    const cache = await dirs.make('cache-');
    const bytes = Buffer.from('%PDF-1.4 annual report');
    await writeFile(join(ws, 'report.pdf'), bytes);
    const hash = createHash('sha1').update(bytes).digest('hex');
    const extraction = {
      kind: 'document',
      document: { kind: 'pdf', text: 'Revenue grew.', units: [{ kind: 'text', cell: 0, page: 1, start: 0, end: 1 }] },
    };
    await writeFile(join(cache, `pdf-1-${hash}.json`), JSON.stringify(extraction));
    const { ExtractedTextProvider } = requireWithVscode<typeof DocumentViewModule>(
      require.resolve('../../../src/vscode/documentView'),
      fakeVscode([ws], []),
    );
    const view = uriOf('grounded-document', join(ws, 'report.pdf'), 'page=1');
    const text = await new ExtractedTextProvider(() => cache).provideTextDocumentContent(view as never);
    assert.equal(text.split('\n')[2], 'Revenue grew.');
  });

  it('says why a document the index read gives no text, instead of asking to wait for the index', async () => {
    const ws = await dirs.make('ws-');
    const cache = await dirs.make('cache-');
    const { ExtractedTextProvider } = requireWithVscode<typeof DocumentViewModule>(
      require.resolve('../../../src/vscode/documentView'),
      fakeVscode([ws], []),
    );
    for (const [reason, why] of [
      ['encrypted', /report\.pdf gives no text to read as it is now: it needs a password\./],
      ['malformed', /it is damaged/],
      ['too-large', /it is too large to read/],
      ['no-text-layer', /only images/],
    ] as const) {
      // the file saved again as it is now, and the index worker's extraction of those bytes
      const bytes = Buffer.from(`%PDF-1.4 ${reason}`);
      await writeFile(join(ws, 'report.pdf'), bytes);
      const hash = createHash('sha1').update(bytes).digest('hex');
      await writeFile(join(cache, `pdf-1-${hash}.json`), JSON.stringify({ kind: 'skip', reason }));
      const view = uriOf('grounded-document', join(ws, 'report.pdf'), 'page=1');
      const text = await new ExtractedTextProvider(() => cache).provideTextDocumentContent(view as never);
      assert.match(text, why);
      assert.doesNotMatch(text, /Wait for the index/);
    }
  });

  it('says a document larger than the index ever reads is too large, without reading it', async () => {
    const ws = await dirs.make('ws-');
    const huge = join(ws, 'scans.pdf');
    await writeFile(huge, '%PDF-1.4');
    // a sparse file: its size, not its bytes on disk
    await truncate(huge, MAX_DOCUMENT_BYTES_LIMIT + 1);
    const read: string[] = [];
    const { ExtractedTextProvider } = requireWithVscode<typeof DocumentViewModule>(
      require.resolve('../../../src/vscode/documentView'),
      fakeVscode([ws], read),
    );
    const view = uriOf('grounded-document', huge, 'page=1');
    const text = await new ExtractedTextProvider(() => ws).provideTextDocumentContent(view as never);
    assert.equal(text, 'scans.pdf gives no text to read as it is now: it is too large to read.');
    assert.deepEqual(read, []);
  });

  it('opens the original of a view only for a PDF or Word document whose real path is in the workspace', async () => {
    const ws = await dirs.make('ws-');
    const outside = await dirs.make('outside-');
    await writeFile(join(ws, 'report.pdf'), '%PDF-1.4 annual report');
    await writeFile(join(ws, 'setup.sh'), '#!/bin/sh\n');
    await writeFile(join(outside, 'statement.pdf'), '%PDF-1.4 private statement');
    await writeFile(join(ws, 'tool.exe'), 'MZ');
    await symlink(join(outside, 'statement.pdf'), join(ws, 'statement.pdf'));
    await symlink(join(ws, 'tool.exe'), join(ws, 'manual.pdf'));
    const opened: string[] = [];
    const warnings: string[] = [];
    const commands = new Map<string, (uri: FakeUri) => Promise<unknown>>();
    const base = fakeVscode([ws], []);
    const fake = {
      ...base,
      commands: {
        registerCommand: (id: string, run: (uri: FakeUri) => Promise<unknown>) => {
          commands.set(id, run);
          return { dispose: () => undefined };
        },
      },
      window: { showWarningMessage: async (message: string) => void warnings.push(message) },
      env: { openExternal: async (uri: FakeUri) => (opened.push(uri.fsPath), true) },
      workspace: { ...base.workspace, registerTextDocumentContentProvider: () => ({ dispose: () => undefined }) },
    };
    const { registerExtractedTextViews } = requireWithVscode<typeof DocumentViewModule>(
      require.resolve('../../../src/vscode/documentView'),
      fake,
    );
    registerExtractedTextViews(() => undefined, new FakeEmitter<void>().event);
    const open = (path: string) => commands.get('grounded.openOriginalDocument')?.(uriOf('grounded-document', path));
    // a view's URI may name any path (a link in a Markdown file opens one): a script, a file outside, a link to a program
    for (const path of [
      join(ws, 'setup.sh'),
      join(outside, 'statement.pdf'),
      join(ws, 'statement.pdf'),
      join(ws, 'manual.pdf'),
    ])
      assert.equal(await open(path), false, path);
    assert.deepEqual(opened, []);
    assert.equal(warnings.length, 4);
    assert.match(warnings[0] ?? '', /setup\.sh is not a PDF or Word document in the workspace folders/);
    assert.equal(await open(join(ws, 'report.pdf')), true);
    assert.deepEqual(opened, [await realpath(join(ws, 'report.pdf'))]);
  });

  it('reads an open view again when the index changes, as VS Code keeps its text until told', async () => {
    const ws = await dirs.make('ws-');
    const cache = await dirs.make('cache-');
    const bytes = Buffer.from('%PDF-1.4 annual report');
    await writeFile(join(ws, 'report.pdf'), bytes);
    const view = uriOf('grounded-document', join(ws, 'report.pdf'), 'page=1');
    // VS Code as far as the views go: a registered provider, and the open documents' texts, read again on its event
    const base = fakeVscode([ws], []);
    const open = new Map<FakeUri, string>();
    const indexChanged = new FakeEmitter<void>();
    const fake = {
      ...base,
      commands: { registerCommand: () => ({ dispose: () => undefined }) },
      workspace: {
        ...base.workspace,
        get textDocuments() {
          return [...open.keys()].map(uri => ({ uri }));
        },
        registerTextDocumentContentProvider: (_scheme: string, provider: DocumentViewModule.ExtractedTextProvider) => {
          provider.onDidChange(
            uri =>
              void provider.provideTextDocumentContent(uri).then(text => open.set(uri as unknown as FakeUri, text)),
          );
          return { dispose: () => undefined };
        },
      },
    };
    const { registerExtractedTextViews, ExtractedTextProvider } = requireWithVscode<typeof DocumentViewModule>(
      require.resolve('../../../src/vscode/documentView'),
      fake,
    );
    registerExtractedTextViews(() => cache, indexChanged.event);
    // opened before the worker extracted the document: the view says it is not indexed yet
    open.set(view, await new ExtractedTextProvider(() => cache).provideTextDocumentContent(view as never));
    assert.match(open.get(view) ?? '', /is not indexed as it is now/);
    const hash = createHash('sha1').update(bytes).digest('hex');
    const extraction = {
      kind: 'document',
      document: { kind: 'pdf', text: 'Revenue grew.', units: [{ kind: 'text', cell: 0, page: 1, start: 0, end: 1 }] },
    };
    await writeFile(join(cache, `pdf-1-${hash}.json`), JSON.stringify(extraction));
    indexChanged.fire();
    const refreshed = await until(() => open.get(view)?.split('\n')[2] === 'Revenue grew.');
    assert.equal(refreshed, true, open.get(view));
  });
});
