import assert from 'node:assert/strict';
import type { Passage } from '../../../src/core/passage';
import type * as LocationsModule from '../../../src/vscode/locations';
import { FakePosition, FakeRange, requireWithVscode } from '../../fakes/fakeVscodeWorkspace';

/** A `vscode.Uri` as far as a location reads one: its scheme and path, and its text. */
interface FakeUri {
  scheme: string;
  path: string;
  query: string;
  with(change: { scheme?: string; query?: string }): FakeUri;
  toString(): string;
}

const uriOf = (scheme: string, path: string, query = ''): FakeUri => ({
  scheme,
  path,
  query,
  with: change => uriOf(change.scheme ?? scheme, path, change.query ?? query),
  toString: () => `${scheme}:${scheme === 'file' || scheme === 'grounded-document' ? '//' : ''}${path}`,
});

/** The `vscode` a chat anchor's location is made with: URIs (parsed as VS Code does), ranges and locations. */
function fakeVscode() {
  class Location {
    constructor(
      readonly uri: FakeUri,
      readonly range: FakeRange | FakePosition,
    ) {}
  }
  return {
    Position: FakePosition,
    Range: FakeRange,
    Location,
    Uri: {
      // VS Code's Uri.file makes any text a path, a URL's included
      file: (path: string) => uriOf('file', path.startsWith('/') ? path : `/${path}`),
      parse: (text: string) => {
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1] ?? 'file';
        return { ...uriOf(scheme, text.slice(scheme.length + 1)), toString: () => text };
      },
    },
    workspace: { notebookDocuments: [] },
  };
}

const passage = (path: string, location: string, extra: Partial<Passage> = {}): Passage => ({
  id: `${path}:3-4`,
  path,
  location,
  startLine: 3,
  endLine: 4,
  text: 'Revenue grew.\nCosts fell.',
  score: 1,
  ...extra,
});

describe('where a chat anchor or reference points', () => {
  const { passageLocation } = requireWithVscode<typeof LocationsModule>('../../src/vscode/locations', fakeVscode());

  it('points at the web page a remote row names, as opening the citation does, for a PDF on the web too', () => {
    for (const url of [
      'https://docs.example.com/guide/setup.html',
      'https://docs.example.com/reports/q3.pdf',
      'http://intranet.example.com/policy.docx',
      'https://example.com/../../etc/passwd.pdf',
    ]) {
      const where = passageLocation(passage(url, url));
      assert.ok(!('range' in where), `${url}: a URI, not a location in a document`);
      assert.equal(where.toString(), url);
      assert.notEqual(where.scheme, 'file');
      assert.notEqual(where.scheme, 'grounded-document');
    }
  });

  it('still points at a local PDF page’s lines in the view of its extracted text, and at a file’s lines', () => {
    const pdf = passageLocation(passage('docs/report.pdf', '/ws/docs/report.pdf', { page: 4 }));
    assert.ok('range' in pdf);
    assert.equal(pdf.uri.scheme, 'grounded-document');
    assert.equal(pdf.uri.path, '/ws/docs/report.pdf');
    const file = passageLocation(passage('src/a.ts', '/ws/src/a.ts'));
    assert.ok('range' in file);
    assert.equal(file.uri.scheme, 'file');
    assert.deepEqual(
      { ...file.range },
      { startLine: 2, startCharacter: 0, endLine: 3, endCharacter: 'Costs fell.'.length },
    );
  });
});
