import assert from 'node:assert/strict';
import { tokenize } from '../../../../src/index/terms/tokenizer';
import { WasmTermCounter } from '../../../../src/index/terms/wasmTermCounter';

/** One drained document as sorted "term×count" strings. */
function drained(counter: WasmTermCounter): string[] {
  const { ids, counts } = counter.drain();
  return [...ids].map((id, i) => `${counter.term(id)}×${counts[i]}`).sort();
}

function expected(text: string): string[] {
  const counts = new Map<string, number>();
  for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${t}×${n}`).sort();
}

describe("WasmTermCounter's table of recent identifiers", () => {
  it('counts an identifier met again after the identifier table started over with its own terms, not those of the one that took its place', () => {
    // Identifiers of several pieces keep their terms in a list that starts over with the table; each one is met
    // (and so remembered as recent) before the table starts over, and again after others took its place in the list.
    const counter = new WasmTermCounter(4);
    const names = Array.from({ length: 40 }, (_, i) => `get${String.fromCharCode(97 + (i % 26))}Name${i}Of`);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < names.length; i++) {
        const text = `${names[i]} ${names[(i * 7 + round) % names.length]}`;
        counter.add(text, 1);
        assert.deepEqual(drained(counter), expected(text), text);
      }
    }
    assert.ok(counter.identifierCount <= 4, `${counter.identifierCount}`);
  });

  it('counts identifiers longer than its keys (over 16 bytes) and short ones that share a hash bucket alike', () => {
    const counter = new WasmTermCounter();
    const text = Array.from({ length: 30_000 }, (_, i) =>
      i % 3 === 0 ? `averyLongIdentifierName_number${i % 500}` : `n${i % 9000}x`,
    ).join(' ');
    for (let i = 0; i < 2; i++) {
      counter.add(text, 1);
      assert.deepEqual(drained(counter), expected(text));
    }
  });
});
