import assert from 'node:assert/strict';
import { parseGrade } from '../../../src/core/rag/nodes/grade';
import { cleanQuery } from '../../../src/core/rag/nodes/rewrite';
import { excerpt } from '../../../src/core/rag/prompts';

describe('prompt excerpts', () => {
  it('keeps a short passage whole and cuts a long one around the lines that match the question', () => {
    assert.equal(excerpt('short', 'q', 100), 'short');
    const long = Array.from({ length: 60 }, (_, i) =>
      i === 40 ? 'Logs go to /var/log/acme.' : `filler line ${i}`,
    ).join('\n');
    const cut = excerpt(long, 'where do the logs go?', 120);
    assert.ok(cut.includes('Logs go to /var/log/acme.'), cut);
    assert.ok(cut.length <= 120 + 4, `${cut.length}`);
    assert.ok(cut.startsWith('…\n') && cut.endsWith('\n…'));
  });
});

describe('grade parsing', () => {
  it('reads JSON, a bare list, prose, and rejects noise', () => {
    assert.deepEqual(parseGrade('{"relevant": [3, 1]}', 5), [3, 1]);
    assert.deepEqual(parseGrade('Sure! ```json\n{"relevant":[2,2,9]}\n```', 5), [2]);
    assert.deepEqual(parseGrade('[4]', 5), [4]);
    assert.deepEqual(parseGrade('Passages 1 and 5 help.', 5), [1, 5]);
    assert.deepEqual(parseGrade('None of them.', 5), []);
    assert.equal(parseGrade('I cannot help with that.', 5), undefined);
  });

  it('cleans a rewritten query', () => {
    assert.equal(cleanQuery('\n  Query: "flux capacitor config"\nbecause…'), 'flux capacitor config');
  });
});
