import assert from 'node:assert/strict';
import { TextLines } from '../../../../src/index/chunking/textLines';
import { documentSpans } from '../../../../src/index/documents/documents';
import { extractDocx, htmlLines } from '../../../../src/index/documents/docxDocument';
import { docxOf, docxOfBody, docxParts, HANDBOOK, zipOf } from './docxFixtures';

const TIMEOUT_MS = 60_000;

describe('Word document extraction', () => {
  it('keeps headings as markdown headings, paragraphs and table rows as lines', async () => {
    const extraction = await extractDocx(await docxOf(HANDBOOK), TIMEOUT_MS);
    assert.equal(extraction.kind, 'document');
    assert.equal(extraction.document.kind, 'docx');
    assert.deepEqual(extraction.document.text.split('\n'), [
      '# Team handbook',
      '',
      'How the data team works.',
      '',
      '## On-call',
      '',
      'The on-call engineer rotates every Monday & answers pages within 15 minutes.',
      '',
      '## Pricing tiers',
      '',
      'Tier | Seats | Price',
      'Starter | 5 | $49',
      'Scale | 50 | $399',
    ]);
  });

  it('titles chunks with their heading trail', async () => {
    const extraction = await extractDocx(await docxOf(HANDBOOK), TIMEOUT_MS);
    assert.equal(extraction.kind, 'document');
    const { document } = extraction;
    const spans = documentSpans(document, new TextLines(document.text));
    const titles = spans.map(s => s.title ?? '').join('; ');
    assert.match(titles, /Team handbook > On-call/);
    assert.match(titles, /Team handbook > Pricing tiers/);
  });

  it('skips a password-protected document as encrypted and a damaged one as malformed', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    assert.deepEqual(await extractDocx(ole, TIMEOUT_MS), { kind: 'skip', reason: 'encrypted' });
    assert.deepEqual(await extractDocx(Buffer.from('PK\u0003\u0004 not a zip'), TIMEOUT_MS), {
      kind: 'skip',
      reason: 'malformed',
    });
    assert.deepEqual(await extractDocx(Buffer.from('plain text'), TIMEOUT_MS), { kind: 'skip', reason: 'malformed' });
  });

  it('skips, before converting it, a small file whose markup inflates past the cap, even when its sizes lie', async () => {
    const bomb = await docxOfBody('<w:p/>'.repeat(3_000_000)); // 18 MB of empty paragraphs
    assert.ok(bomb.length < 200_000, `${bomb.length} bytes`);
    assert.deepEqual(await extractDocx(bomb, TIMEOUT_MS), { kind: 'skip', reason: 'too-large' });
    // the directory's word for document.xml's size (its entry's uncompressed size) says 100 bytes
    const name = bomb.indexOf('word/document.xml', bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) - 200);
    const entry = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), name);
    assert.ok(entry > 0 && name - entry === 46, 'found the directory entry');
    bomb.writeUInt32LE(100, entry + 24);
    assert.deepEqual(await extractDocx(bomb, TIMEOUT_MS), { kind: 'skip', reason: 'too-large' });
  });

  it('does not convert a main part that was not checked against the cap (named without .xml)', async () => {
    // The package's relationships name the main part; mammoth would read it whatever it is called.
    const { 'word/document.xml': body, '_rels/.rels': rels, ...parts } = docxParts('<w:p/>'.repeat(3_000_000)); // 18 MB of empty paragraphs
    const docx = zipOf({
      ...parts,
      'word/document': body!,
      '_rels/.rels': String(rels).replace('word/document.xml', 'word/document'),
    });
    assert.ok(docx.length < 200_000, `${docx.length} bytes`);
    assert.deepEqual(await extractDocx(docx, TIMEOUT_MS), { kind: 'skip', reason: 'malformed' });
  });

  it('does not convert parts past the entry count the directory gives', async () => {
    const docx = await docxOf(HANDBOOK);
    // JSZip reads directory entries while they last, whatever the count; the check read only the first one
    const end = docx.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    docx.writeUInt16LE(1, end + 8);
    docx.writeUInt16LE(1, end + 10);
    assert.deepEqual(await extractDocx(docx, TIMEOUT_MS), { kind: 'skip', reason: 'malformed' });
  });

  it('reads the text around images without reading them (three views of a 150 MB image)', async () => {
    const image =
      '<w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="Chart"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">' +
      '<pic:pic><pic:blipFill><a:blip r:embed="rId9"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>';
    const docx = await docxOfBody(`<w:p><w:r><w:t>Revenue grew in March.</w:t></w:r></w:p>${image.repeat(3)}`, {
      relationships:
        '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/chart.png"/>',
      files: { 'word/media/chart.png': Buffer.alloc(150 * 1024 * 1024) },
    });
    // read as data, the image would be 200 MB of base64 three times over: more than a string can hold
    const extraction = await extractDocx(docx, TIMEOUT_MS);
    assert.equal(extraction.kind, 'document', JSON.stringify(extraction));
    assert.deepEqual(extraction.document.text.split('\n'), ['Revenue grew in March.']);
  });

  it('skips a document without text', async () => {
    assert.deepEqual(await extractDocx(await docxOf([{ text: '   ' }]), TIMEOUT_MS), {
      kind: 'skip',
      reason: 'no-text-layer',
    });
  });

  it('ends a line at a carriage return in the text, so chunks cover the last paragraph', async () => {
    const paragraph = (text: string): string => `<w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;
    const docx = await docxOfBody(paragraph('first&#13;second') + paragraph('third') + paragraph('fourth'));
    const extraction = await extractDocx(docx, TIMEOUT_MS);
    assert.equal(extraction.kind, 'document');
    const { document } = extraction;
    assert.deepEqual(document.text.split('\n'), ['first', 'second', '', 'third', '', 'fourth']);
    const lines = new TextLines(document.text);
    const spans = documentSpans(document, lines);
    assert.equal(spans[spans.length - 1]?.endLine, lines.length);
  });

  it('decodes entities and leaves no tag behind', () => {
    assert.deepEqual(
      htmlLines('<h2>R&amp;D &lt;2024&gt;</h2><p>caf&#233; &#x2014; <strong>bold</strong><br />next</p>'),
      ['## R&D <2024>', '', 'café — bold', 'next'],
    );
  });

  it('reads a table with a header row as rows of cells, with no space before the first', () => {
    assert.deepEqual(
      htmlLines(
        '<table><thead><tr><th><p>Name</p></th><th><p>Age</p></th></tr></thead><tbody><tr><td><p>Ada</p></td><td><p>36</p></td></tr></tbody></table>',
      ),
      ['Name | Age', 'Ada | 36'],
    );
  });

  it('keeps a character reference no character has as written, instead of failing the document', () => {
    assert.deepEqual(htmlLines('<p>a &#99999999; b &#x110000; c</p>'), ['a &#99999999; b &#x110000; c']);
  });
});
