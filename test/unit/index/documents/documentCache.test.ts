import assert from 'node:assert/strict';
import fsPromises, { readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { cachedExtraction, pruneExtractions, storeExtraction } from '../../../../src/index/documents/documentCache';
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
    await storeExtraction(dir, 'pdf', 'ab12', { kind: 'document', document });
    assert.deepEqual(await cachedExtraction(dir, 'pdf', 'ab12'), { kind: 'document', document });
    assert.equal(await cachedExtraction(dir, 'pdf', 'cd34'), undefined);
  });

  it('writes each entry under a temporary name of its own, and prunes such files that a stopped write left', async () => {
    const dir = await dirs.make('grounded-doc-cache-');
    const skip = { kind: 'skip', reason: 'no-text-layer' } as const;
    // the module object the cache's writes call into, patched for this test alone: the files written are seen
    const fs = fsPromises as { writeFile: typeof fsPromises.writeFile };
    const writeBefore = fs.writeFile;
    const written: string[] = [];
    fs.writeFile = (...args: Parameters<typeof fsPromises.writeFile>) => {
      written.push(basename(String(args[0])));
      return writeBefore(...args);
    };
    try {
      await Promise.all([storeExtraction(dir, 'pdf', 'ab12', skip), storeExtraction(dir, 'pdf', 'ab12', skip)]);
    } finally {
      fs.writeFile = writeBefore;
    }
    assert.equal(new Set(written).size, 2, `two writes, two temporary files: ${written.join(', ')}`);
    assert.deepEqual(await readdir(dir), ['pdf-1-ab12.json']);

    // what a thread stopped mid-write leaves, and what the cache wrote before its temporary names were its own
    const leftovers = [...written, 'pdf-1-ab12.json.4242.tmp'];
    const others = ['notes.tmp', 'pdf-1-ab12.json.tmp', 'pdf-1-ab12.json.bak.1.tmp', 'readme.txt'];
    for (const name of [...leftovers, ...others]) await writeFile(join(dir, name), 'x');
    await pruneExtractions(dir, new Set(['ab12']));
    assert.deepEqual((await readdir(dir)).sort(), ['pdf-1-ab12.json', ...others].sort());
    assert.deepEqual(await cachedExtraction(dir, 'pdf', 'ab12'), skip);
  });
});
