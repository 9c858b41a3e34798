import assert from 'node:assert/strict';
import { TextLines } from '../../../../src/index/chunking/textLines';
import { documentAdmitted, documentSpans, extractDocument } from '../../../../src/index/documents/documents';
import type { ExtractedDocument } from '../../../../src/index/documents/extractedDocument';
import { DATABRICKS_SOURCE, sampleNotebook } from './documentFixtures';

/** Each span's unit: the one holding its first line, which must hold its last line too. */
function assertWithinUnits(doc: ExtractedDocument, spans: { startLine: number; endLine: number }[]): void {
  for (const span of spans) {
    const unit = doc.units.find(u => u.start < span.startLine && span.startLine <= u.end);
    assert.ok(unit && span.endLine <= unit.end, `lines ${span.startLine}-${span.endLine} span two units`);
  }
}

describe('document chunks', () => {
  it('never span two cells, however small the cells', () => {
    const cells = Array.from({ length: 30 }, (_, i) => ({
      cell_type: i % 2 ? 'code' : 'markdown',
      source: [`line one of ${i}\n`, `line two of ${i}`],
    }));
    const doc = extractDocument('tiny.ipynb', JSON.stringify({ cells }));
    assert.ok(doc);
    const spans = documentSpans(doc, new TextLines(doc.text));
    assert.equal(spans.length, 30);
    assertWithinUnits(doc, spans);
  });

  it('split a long cell within the cell', () => {
    const source = Array.from({ length: 300 }, (_, i) => `x${i} = ${i}\n`);
    const doc = extractDocument(
      'long.ipynb',
      JSON.stringify({
        cells: [
          { cell_type: 'markdown', source: 'intro' },
          { cell_type: 'code', source },
        ],
      }),
    );
    assert.ok(doc);
    const spans = documentSpans(doc, new TextLines(doc.text));
    assert.ok(spans.length > 3);
    assertWithinUnits(doc, spans);
    assert.equal(spans.at(-1)?.endLine, 301);
  });

  it('chunk a notebook’s outputs on their own, and leave them out when outputs are off', () => {
    const doc = extractDocument('nb.ipynb', sampleNotebook());
    assert.ok(doc);
    const lines = new TextLines(doc.text);
    const all = documentSpans(doc, lines);
    assert.deepEqual(
      all.map(s => s.title ?? ''),
      ['Churn analysis', 'Churn analysis', 'Churn analysis > retention', 'Cell 2 output'],
    );
    assert.equal(documentSpans(doc, lines, { notebookOutputs: false }).length, 3);
  });

  it('title a cell under the heading of the markdown cells above it', () => {
    const cells = [
      { cell_type: 'markdown', source: '# Report\n## Load data' },
      { cell_type: 'code', source: 'raw = load()' },
      { cell_type: 'markdown', source: 'Some notes, no heading.' },
      { cell_type: 'code', source: 'def clean(raw):\n    return raw' },
      { cell_type: 'markdown', source: '## Plot' },
      { cell_type: 'code', source: 'plot(raw)' },
    ];
    const doc = extractDocument('report.ipynb', JSON.stringify({ cells }));
    assert.ok(doc);
    const titles = documentSpans(doc, new TextLines(doc.text)).map(s => s.title ?? '');
    assert.deepEqual(titles, [
      'Report > Load data',
      'Report > Load data',
      'Report > Load data',
      'Report > Load data > clean',
      'Report > Plot',
      'Report > Plot',
    ]);
  });

  it('chunk a Databricks source by cell, at the file’s own lines', () => {
    const doc = extractDocument('etl.py', DATABRICKS_SOURCE);
    assert.ok(doc);
    const spans = documentSpans(doc, new TextLines(doc.text));
    assert.deepEqual(
      spans.map(s => [s.startLine, s.endLine]),
      [
        [2, 4],
        [7, 9],
        [12, 14],
      ],
    );
    assert.equal(spans[0]?.title, 'Revenue pipeline');
  });

  it('follow the settings: Databricks sources read as code when off, notebooks not admitted when off', () => {
    assert.equal(extractDocument('etl.py', DATABRICKS_SOURCE, { databricks: false }), undefined);
    assert.equal(extractDocument('etl.ts', DATABRICKS_SOURCE), undefined);
    assert.equal(documentAdmitted('a/nb.ipynb', { notebooks: false }), false);
    assert.equal(documentAdmitted('a/nb.ipynb'), true);
    assert.equal(documentAdmitted('a/etl.py', { notebooks: false }), true);
  });
});
