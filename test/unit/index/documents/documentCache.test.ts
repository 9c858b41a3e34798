import assert from 'node:assert/strict';
import { cachedExtraction, storeExtraction } from '../../../../src/index/documents/documentCache';
import type { ExtractedDocument } from '../../../../src/index/documents/extractedDocument';
import { tempDirs } from '../../../support/tempDirs';

describe('the extracted-document cache', () => {
  const dirs = tempDirs();

  it('gives back a stored PDF extraction as it was stored, its page count too', async () => {
    const dir = await dirs.make('grounded-doc-cache-');
    const document: ExtractedDocument = {
      kind: 'pdf',
      pages: 4,
      text: 'Cover\nResults',
      units: [
        { kind: 'text', cell: 0, page: 1, start: 0, end: 1 },
        { kind: 'text', cell: 0, page: 3, start: 1, end: 2 },
      ],
    };
    storeExtraction(dir, 'pdf', 'ab12', { kind: 'document', document });
    assert.deepEqual(await cachedExtraction(dir, 'pdf', 'ab12'), { kind: 'document', document });
    assert.equal(await cachedExtraction(dir, 'pdf', 'cd34'), undefined);
  });
});
