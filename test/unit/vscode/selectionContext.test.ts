import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { MAX_CONTEXT_CHARS } from '../../../src/core/options';
import type * as SelectionContextModule from '../../../src/vscode/selectionContext';
import { requireWithVscode } from '../../fakes/fakeVscodeWorkspace';

class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}
class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}
class Uri {
  constructor(
    readonly scheme: string,
    readonly fsPath: string,
    readonly query = '',
  ) {}
  static file = (path: string) => new Uri('file', path);
  with = (change: { scheme?: string; query?: string }) =>
    new Uri(change.scheme ?? this.scheme, this.fsPath, change.query ?? this.query);
}
class Location {
  constructor(
    readonly uri: Uri,
    readonly range: Range,
  ) {}
}

/** A document as VS Code opens one from disk: its lines, and text by range. */
function documentOf(uri: Uri, text: string) {
  const lines = text.split('\n');
  const offset = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return {
    uri,
    lineCount: lines.length,
    lineAt: (n: number) => ({ range: { end: new Position(n, (lines[n] ?? '').length) } }),
    getText: (r: Range) => text.slice(offset(r.start), offset(r.end)),
  };
}

describe('chat references as the selection an answer is about', () => {
  let root: string;
  let workspace: string;
  let outside: string;
  let chat: typeof SelectionContextModule;
  const opened: string[] = [];

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'grounded-refs-'));
    workspace = join(root, 'ws');
    outside = join(root, 'outside');
    mkdirSync(join(workspace, 'src'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(workspace, 'src', 'auth.ts'), 'line one\nline two\nline three\nline four\n');
    writeFileSync(join(outside, 'secret.txt'), 'the secret\n');
    symlinkSync(join(outside, 'secret.txt'), join(workspace, 'linked.txt'));
    const vscode = {
      Position,
      Range,
      Uri,
      Location,
      workspace: {
        workspaceFolders: [{ uri: Uri.file(workspace), name: 'ws', index: 0 }],
        notebookDocuments: [],
        asRelativePath: (uri: Uri) => relative(workspace, uri.fsPath).split('\\').join('/'),
        openTextDocument: async (uri: Uri) => {
          opened.push(uri.fsPath);
          return documentOf(uri, readFileSync(uri.fsPath, 'utf8'));
        },
      },
    };
    chat = requireWithVscode<typeof SelectionContextModule>(
      require.resolve('../../../src/vscode/selectionContext'),
      vscode,
    );
  });

  after(() => rmSync(root, { recursive: true, force: true }));
  beforeEach(() => (opened.length = 0));

  it('gives #selection’s lines, ending before a line the range only touches at column 0', async () => {
    const file = Uri.file(join(workspace, 'src', 'auth.ts'));
    const found = await chat.referencedContext([
      { value: 'some chat variable text' },
      { range: [8, 18], value: new Location(file, new Range(new Position(1, 0), new Position(3, 0))) },
    ]);
    assert.deepEqual(found?.context, { path: 'src/auth.ts', startLine: 2, endLine: 3, text: 'line two\nline three\n' });
  });

  it('gives a #file reference’s whole text', async () => {
    const found = await chat.referencedContext([{ value: Uri.file(join(workspace, 'src', 'auth.ts')) }]);
    assert.equal(found?.context.path, 'src/auth.ts');
    assert.equal(found?.context.startLine, 1);
    assert.equal(found?.context.text, 'line one\nline two\nline three\nline four\n');
  });

  it('says which lines a #file cut to what reaches the model holds, not the lines past the cut', async () => {
    // 1,000 lines of 10 characters each (with their break): the first 6,000 characters end with line 600
    const path = join(workspace, 'long.txt');
    writeFileSync(path, Array.from({ length: 1000 }, (_, i) => `l${String(i + 1).padStart(8, '0')}\n`).join(''));
    const found = await chat.referencedContext([{ value: Uri.file(path) }]);
    assert.equal(found?.context.text.length, MAX_CONTEXT_CHARS);
    assert.equal(found?.context.text.endsWith('l00000600\n'), true);
    assert.equal(found?.context.startLine, 1);
    assert.equal(found?.context.endLine, 600);
    // cut inside a line: that line is the last one shown
    const cut = join(workspace, 'cut.txt');
    writeFileSync(cut, Array.from({ length: 1000 }, (_, i) => `l${String(i + 1).padStart(10, '0')}\r\n`).join(''));
    const part = await chat.referencedContext([{ value: Uri.file(cut) }]);
    assert.equal(part?.context.endLine, Math.ceil(MAX_CONTEXT_CHARS / 13));
  });

  it('cuts a #file to what reaches the model at a whole character, not inside an emoji', async () => {
    // 6,000 characters end between the two halves of an emoji
    const path = join(workspace, 'emoji.md');
    writeFileSync(path, `a${'😀'.repeat(4000)}\n`);
    const found = await chat.referencedContext([{ value: Uri.file(path) }]);
    assert.equal(found?.context.text, `a${'😀'.repeat(2999)}`);
  });

  it('leaves out the open editor VS Code attaches on its own (its file, the lines in view), not a selection', async () => {
    const file = Uri.file(join(workspace, 'src', 'auth.ts'));
    const inView = new Location(file, new Range(new Position(0, 0), new Position(2, 0)));
    // a question asked with a file open and nothing selected is about the workspace, not about that file
    const open = await chat.referencedContext([
      { id: 'vscode.implicit.file', value: file },
      { id: 'vscode.implicit.viewport', value: inView },
    ]);
    assert.equal(open, undefined);
    assert.deepEqual(opened, []);
    // lines the user selected are what the question is about, attached by VS Code or by #selection
    const selected = new Location(file, new Range(new Position(1, 0), new Position(2, 0)));
    for (const id of ['vscode.implicit.selection', 'vscode.selection']) {
      const found = await chat.referencedContext([
        { id: 'vscode.implicit.file', value: file },
        { id, value: selected },
      ]);
      assert.equal(found?.context.text, 'line two\n');
    }
  });

  it('names a selection in the view of a PDF page’s text by the PDF, the page and the page’s own lines', async () => {
    // the view (grounded-document: scheme, the page in its query) has a title line and a blank line above the text
    const pdf = join(workspace, 'guide.pdf');
    writeFileSync(pdf, 'guide.pdf — page 4\n\nfirst line of the page\nsecond line\nthird line\n');
    const view = new Uri('grounded-document', pdf, 'page=4');
    const found = await chat.referencedContext([
      { id: 'vscode.selection', value: new Location(view, new Range(new Position(3, 0), new Position(5, 0))) },
    ]);
    assert.deepEqual(found?.context, {
      path: 'guide.pdf#page=4',
      startLine: 2,
      endLine: 3,
      text: 'second line\nthird line\n',
    });
  });

  it('gives a #file of a PDF page’s text view without the view’s header, at the page’s own lines', async () => {
    const pdf = join(workspace, 'manual.pdf');
    writeFileSync(pdf, 'manual.pdf — page 2\n\nfirst line of the page\nsecond line');
    const found = await chat.referencedContext([
      { id: 'vscode.file', value: new Uri('grounded-document', pdf, 'page=2') },
    ]);
    assert.deepEqual(found?.context, {
      path: 'manual.pdf#page=2',
      startLine: 1,
      endLine: 2,
      text: 'first line of the page\nsecond line',
    });
  });

  it('never reads a file outside the workspace folders, directly or through a link', async () => {
    const found = await chat.referencedContext([
      { value: Uri.file(join(outside, 'secret.txt')) },
      { value: Uri.file(join(workspace, 'linked.txt')) },
      { value: new Uri('vscode-remote', join(workspace, 'src', 'auth.ts')) },
    ]);
    assert.equal(found, undefined);
    assert.deepEqual(opened, []);
  });

  it('takes the used reference’s text out of the question, leaving the rest as typed', () => {
    const prompt = 'what does #file:auth.ts check before #selection runs?';
    assert.equal(
      chat.questionWithoutReferences(prompt, [{ range: [10, 23], value: null }]),
      'what does check before #selection runs?',
    );
    assert.equal(chat.questionWithoutReferences('#selection', [{ range: [0, 10], value: null }]), '');
    // a range past the prompt's end (the prompt was edited) is ignored, not cut at random
    assert.equal(chat.questionWithoutReferences('why?', [{ range: [3, 40], value: null }]), 'why?');
    // a pasted snippet keeps its indentation; only the spaces where a reference was are joined
    const pasted = 'why does\n    if (a)  {\n        run();\n    }\nfail in #file:a.ts ?';
    assert.equal(
      chat.questionWithoutReferences(pasted, [{ range: [pasted.indexOf('#file'), pasted.indexOf(' ?')], value: null }]),
      'why does\n    if (a)  {\n        run();\n    }\nfail in ?',
    );
  });
});
