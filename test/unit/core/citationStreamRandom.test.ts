import assert from 'node:assert/strict';
import { CitationStream } from '../../../src/core/citations/citationStream';
import type { Citation } from '../../../src/core/events';
import type { Passage } from '../../../src/core/passage';
import { random } from '../../fakes/seededRandom';

/** Words and marks that stress the claim and unit grammar: brackets, abbreviations, Greek, pipes, code, CRLF. */
const WORDS = [
  'flux',
  'capacitor',
  'level',
  'gigawatts',
  'doors',
  'open',
  'upwards',
  'the',
  'of',
  'vitamin',
  'D.',
  'e.g.',
  'U.S.',
  'Dr.',
  'J.',
  'Smith',
  'mesenchymal',
  'stem',
  'cells',
  '(MSCs)',
  'MSCs',
  'MSC',
  'CSP',
  '(Content',
  'Security',
  'Policy)',
  'TNF-α',
  'NF-κB',
  'μm',
  'CO₂',
  'ﬁle',
  '1.21',
  '42',
  '|',
  '`',
  '`a || b`',
  '**bold**',
  '[1]',
  '[2]',
  '[1][3]',
  '[9]',
  '[',
  ']',
  '.',
  '!',
  '?',
  '\n',
  '\n\n',
  '\r\n',
  '\n- ',
  '\n1. ',
  '\n# ',
  '\n```\n',
  '\n| a | b |\n',
  '\t',
  '\u00a0',
  'καλημέρα',
  'İzmir',
];

function text(next: () => number, length: number, markers: boolean): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const word = WORDS[Math.floor(next() * WORDS.length)] as string;
    if (!markers && /^\[/.test(word)) continue;
    out += (next() < 0.7 ? ' ' : '') + word;
  }
  return out;
}

function passage(i: number, body: string): Passage {
  const path = i % 3 === 2 ? `src/file${i}.ts` : `docs/file${i}.md`;
  const lines = body.split(/\r?\n/).length;
  return {
    id: `${path}:5-${4 + lines}`,
    path,
    location: `/ws/${path}`,
    startLine: 5,
    endLine: 4 + lines,
    text: body,
    score: 1,
  };
}

/** Streams `answer` cut at the given offsets and returns every citation, in order. */
function stream(sources: Passage[], answer: string, cuts: number[]): Citation[] {
  const s = new CitationStream(sources, 'lexical');
  let from = 0;
  for (const cut of [...cuts, answer.length]) {
    s.push(answer.slice(from, cut));
    from = cut;
  }
  s.flush();
  return s.citations;
}

describe('citations over random text', () => {
  it('give every marker the same citation however the answer is cut into tokens, each within its passage', () => {
    const next = random(18);
    const seen = { citations: 0, moved: 0, supports: new Set<string>() };
    for (let round = 0; round < 300; round++) {
      const sources = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, i) =>
        passage(i, text(next, Math.floor(next() * 80), false)),
      );
      const answer = text(next, 1 + Math.floor(next() * 40), true);
      const whole = stream(sources, answer, []);
      const cuts = Array.from({ length: Math.floor(next() * 12) }, () => Math.floor(next() * answer.length)).sort(
        (a, b) => a - b,
      );
      const cut = stream(sources, answer, cuts);
      const summary = (cs: Citation[]) =>
        cs.map(c => [c.n, c.ordinal, c.claim, c.startLine, c.endLine, c.support, c.movedFrom]);
      assert.deepEqual(summary(cut), summary(whole), JSON.stringify({ answer, cuts }));
      for (const c of whole) {
        assert.ok(c.startLine <= c.endLine, JSON.stringify(c));
        assert.ok(c.startLine >= c.passage.startLine && c.endLine <= c.passage.endLine, JSON.stringify({ answer, c }));
        assert.ok(['supported', 'partial', 'unsupported'].includes(c.support ?? ''), JSON.stringify(c));
      }
      seen.citations += whole.length;
      seen.moved += whole.filter(c => c.movedFrom !== undefined).length;
      for (const c of whole) seen.supports.add(c.support ?? '');
      // a number that names no source has an ordinal but no citation: ordinals rise, with gaps
      whole.forEach((c, i) => assert.ok(i === 0 || c.ordinal > (whole[i - 1]?.ordinal ?? -1)));
    }
    // the rounds reach every verdict and some moves, not only empty answers
    assert.ok(
      seen.citations > 200 && seen.moved > 0 && seen.supports.size === 3,
      JSON.stringify({ ...seen, supports: [...seen.supports] }),
    );
  });
});
