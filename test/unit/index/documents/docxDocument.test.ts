import assert from 'node:assert/strict';
import { TextLines } from '../../../../src/index/chunking/textLines';
import { documentSpans } from '../../../../src/index/documents/documents';
import { extractDocx, htmlLines } from '../../../../src/index/documents/docxDocument';
import { docxOf, HANDBOOK } from './docxFixtures';

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

  it('skips a document without text', async () => {
    assert.deepEqual(await extractDocx(await docxOf([{ text: '   ' }]), TIMEOUT_MS), {
      kind: 'skip',
      reason: 'no-text-layer',
    });
  });

  it('decodes entities and leaves no tag behind', () => {
    assert.deepEqual(
      htmlLines('<h2>R&amp;D &lt;2024&gt;</h2><p>caf&#233; &#x2014; <strong>bold</strong><br />next</p>'),
      ['## R&D <2024>', '', 'café — bold', 'next'],
    );
  });
});
