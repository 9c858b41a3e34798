import assert from 'node:assert/strict';
import { IdentifierScanner } from '../../../src/index/identifierScanner';
import { IdentifierTable } from '../../../src/index/identifierTable';
import { TermCounter } from '../../../src/index/termCounter';
import { IDENTIFIER, tokenize } from '../../../src/index/tokenizer';
import { random } from '../../fakes/seededRandom';

/** Terms counted by the fast path, as sorted "term×count" strings. */
function counted(texts: readonly string[]): string[] {
  const terms: string[] = [];
  const ids = new Map<string, number>();
  const counter = new TermCounter(tokenize, term => {
    let id = ids.get(term);
    if (id === undefined) {
      id = terms.length;
      ids.set(term, id);
      terms.push(term);
    }
    return id;
  });
  const out: string[] = [];
  for (const text of texts) {
    counter.add(text, 1);
    counter.drain((id, count) => out.push(`${terms[id]}×${count}`));
  }
  return out.sort();
}

/** What `tokenize` says, in the same shape. */
function expected(texts: readonly string[]): string[] {
  const out: string[] = [];
  for (const text of texts) {
    const counts = new Map<string, number>();
    for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const [t, n] of counts) out.push(`${t}×${n}`);
  }
  return out.sort();
}

const matches = (text: string): string[] => {
  const scanner = new IdentifierScanner();
  const out: string[] = [];
  scanner.reset(text);
  while (scanner.next()) out.push(`${scanner.start}:${text.slice(scanner.start, scanner.end)}`);
  return out;
};
const regexMatches = (text: string): string[] => [...text.matchAll(new RegExp(IDENTIFIER.source, IDENTIFIER.flags))].map(m => `${m.index}:${m[0]}`);

/** Pieces that stress the scanner: case changes, digits, underscores, possessives, Unicode letters and marks. */
const PIECES = ['get', 'User', 'HTTP', 'Server', 'xml', 'X', 'a', 'the', 'is', '8', '256', '_', '__', "'s", '’s', "'", '’', 's', ' ', '.', '/', '-', '\n', 'é', 'Größe', 'e\u0301', '東京', '\u00a0', '—', 'İ', '𝒳', '٣', 'ǅ', 'ʰ', 'parsing', 'iterable'];

function randomText(next: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

describe('TermCounter with the shipped tokenizer (char-code scanning, identifier cache)', () => {
  it('finds exactly the regex matches of IDENTIFIER', () => {
    const next = random(7);
    for (let i = 0; i < 3000; i++) {
      const text = randomText(next, 1 + Math.floor(next() * 12));
      assert.deepEqual(matches(text), regexMatches(text), JSON.stringify(text));
    }
  });

  it('hashes each match while scanning exactly as IdentifierTable.hash does', () => {
    const next = random(5);
    const scanner = new IdentifierScanner();
    for (let i = 0; i < 3000; i++) {
      const text = randomText(next, 1 + Math.floor(next() * 12));
      scanner.reset(text);
      while (scanner.next()) assert.equal(scanner.hash, IdentifierTable.hash(text, scanner.start, scanner.end), JSON.stringify(text));
    }
  });

  it('counts exactly the terms of tokenize(text) on random text', () => {
    const next = random(11);
    const texts = Array.from({ length: 2000 }, () => randomText(next, 1 + Math.floor(next() * 20)));
    assert.deepEqual(counted(texts), expected(texts));
  });

  it('counts exactly the terms of tokenize(text) on code and prose', () => {
    const texts = [
      "export function parseHttpHeaders(raw: string): Map<string, string> { return new XMLHttpRequest().user_name__id; }",
      "The user's files aren't the server’s; it's HTTPServer's utf8Decode and sha256_sum (v2.0-beta).",
      'def __init__(self, max_retries=3): self._cache = {}  # Größe, café, ÉTÉ, 東京',
    ];
    assert.deepEqual(counted(texts), expected(texts));
  });
});
