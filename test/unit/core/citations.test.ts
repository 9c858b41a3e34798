import assert from 'node:assert/strict';
import { CitationSegmenter, parseCitations, type Segment } from '../../../src/core/rag/citations';
import { parseGrade } from '../../../src/core/rag/nodes/grade';
import { cleanQuery } from '../../../src/core/rag/nodes/rewrite';
import { excerpt } from '../../../src/core/rag/prompts';
import { passage } from '../../fakes/fakeRetriever';

const sources = [passage(1), passage(2), passage(3)];
const show = (segments: Segment[]) => segments.map(s => (s.type === 'text' ? s.text : `<${s.n}>`)).join('|');

describe('citations', () => {
  it('maps [n] to passages in order of first mention and drops invented numbers', () => {
    const cited = parseCitations('A [2]. B [1][2]. C [9]. D [0]. E [3, 7].', sources);
    assert.deepEqual(cited.map(c => c.n), [2, 1, 3]);
    assert.equal(cited[0]?.passage, sources[1]);
  });

  it('turns a marker split across two tokens into one citation', () => {
    const seg = new CitationSegmenter(sources);
    const out = [...seg.push('Set it to 88 ['), ...seg.push('2'), ...seg.push('] and'), ...seg.push(' done.'), ...seg.flush()];
    assert.equal(show(out), 'Set it to 88 |<2>| and| done.');
  });

  it('removes invented citation numbers from the streamed text', () => {
    const seg = new CitationSegmenter(sources);
    assert.equal(show([...seg.push('x [7] y [1, 9]'), ...seg.flush()]), 'x | y |<1>');
  });

  it('leaves brackets that are not citations alone', () => {
    const seg = new CitationSegmenter(sources);
    assert.equal(show([...seg.push('a [link](u) and arr[i] and [ '), ...seg.flush()]).replaceAll('|', ''), 'a [link](u) and arr[i] and [ ');
  });
});

describe('prompt excerpts', () => {
  it('keeps a short passage whole and cuts a long one around the lines that match the question', () => {
    assert.equal(excerpt('short', 'q', 100), 'short');
    const long = Array.from({ length: 60 }, (_, i) => (i === 40 ? 'Logs go to /var/log/acme.' : `filler line ${i}`)).join('\n');
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
