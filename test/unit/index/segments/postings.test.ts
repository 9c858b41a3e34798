import assert from 'node:assert/strict';
import {
  decodePostings,
  encodePostings,
  NO_DOC,
  POSTING_BLOCK,
  PostingCursor,
  postingCount,
} from '../../../../src/index/segments/postings';
import { random } from '../../../fakes/seededRandom';

/** Lists of every shape: empty, under one block, exactly a block, blocks and a tail; dense, sparse, huge gaps and tfs. */
function randomLists(seed: number): { docs: number[]; tfs: number[] }[] {
  const next = random(seed);
  const sizes = [0, 1, 2, 127, 128, 129, 255, 256, 300, 1000, 3 * POSTING_BLOCK + 5];
  return sizes.map(size => {
    const maxGap = [1, 2, 50, 5000, 2 ** 26, 2 ** 31][Math.floor(next() * 6)] ?? 1;
    const maxTf = [1, 3, 300, 65535][Math.floor(next() * 4)] ?? 1;
    const docs: number[] = [];
    let doc = -1;
    for (let i = 0; i < size; i++) {
      doc += 1 + Math.floor(next() * Math.min(maxGap, (0xfffffffe - doc) / (size - i + 1)));
      docs.push(doc);
    }
    return { docs, tfs: docs.map(() => 1 + Math.floor(next() ** 4 * maxTf)) };
  });
}

function encoded(lists: { docs: number[]; tfs: number[] }[]) {
  const starts = new Uint32Array(lists.length + 1);
  lists.forEach((l, t) => (starts[t + 1] = (starts[t] ?? 0) + l.docs.length));
  const { postingStarts, postings } = encodePostings(
    starts,
    Uint32Array.from(lists.flatMap(l => l.docs)),
    Uint16Array.from(lists.flatMap(l => l.tfs)),
  );
  const view = new DataView(postings.buffer, postings.byteOffset, postings.byteLength);
  const cursor = (t: number) => new PostingCursor(postings, view, postingStarts[t] ?? 0);
  return { postingStarts, postings, view, cursor };
}

describe('compressed postings', () => {
  it('give back every list exactly: documents, tfs and counts, whatever the gaps and tfs', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const lists = randomLists(seed);
      const { postingStarts, postings, view } = encoded(lists);
      lists.forEach((list, t) => {
        const start = postingStarts[t] ?? 0;
        assert.equal(postingCount(postings, start), list.docs.length);
        const { docs, tfs } = decodePostings(postings, view, start);
        assert.deepEqual([...docs], list.docs, `seed ${seed}, list ${t}`);
        assert.deepEqual([...tfs], list.tfs, `seed ${seed}, list ${t}`);
      });
    }
  });

  it('advance to the first document at or after any target, from any posting, as a linear scan would', () => {
    for (const seed of [11, 12, 13]) {
      const lists = randomLists(seed);
      const { cursor } = encoded(lists);
      const next = random(seed);
      lists.forEach((list, t) => {
        const last = list.docs[list.docs.length - 1] ?? 0;
        for (let trial = 0; trial < 40; trial++) {
          const c = cursor(t);
          let expected = 0;
          // A few increasing targets on one cursor, as MaxScore seeks a term's list.
          for (let step = 0; step < 4; step++) {
            const target = Math.floor(next() * (last + 2));
            while (expected < list.docs.length && (list.docs[expected] ?? 0) < target) expected++;
            c.advance(target);
            assert.equal(c.doc, list.docs[expected] ?? NO_DOC, `seed ${seed}, list ${t}, target ${target}`);
            if (expected < list.docs.length) {
              assert.equal(c.tf, list.tfs[expected]);
              assert.equal(c.block, expected >>> 7);
              assert.equal(c.remaining, list.docs.length - expected);
              const blockEnd = Math.min(((expected >>> 7) + 1) * POSTING_BLOCK, list.docs.length) - 1;
              assert.equal(c.blockLastDoc, list.docs[blockEnd]);
            } else assert.ok(c.done);
          }
        }
      });
    }
  });

  it('read every posting in order through any mix of steps, lookups and skipped blocks, from an undecoded start', () => {
    for (const seed of [31, 32, 33]) {
      const lists = randomLists(seed);
      const { postings, postingStarts, view } = encoded(lists);
      const next = random(seed);
      lists.forEach((list, t) => {
        const c = new PostingCursor(postings, view, postingStarts[t] ?? 0, false);
        let at = 0; // the posting the cursor must be on
        let moves = 0;
        while (at < list.docs.length) {
          const move = next();
          if (move < 0.15 && (at & (POSTING_BLOCK - 1)) === 0) {
            // MaxScore passing over a block it cannot use, straight from its first posting.
            c.skipBlock();
            at = Math.min(at + POSTING_BLOCK, list.docs.length);
          } else if (move < 0.5) {
            const target = (list.docs[Math.min(at + Math.floor(next() * 300), list.docs.length - 1)] ?? 0) + 1;
            c.advance(target);
            while (at < list.docs.length && (list.docs[at] ?? 0) < target) at++;
          } else {
            c.ensureDecoded();
            c.next();
            at++;
          }
          c.ensureDecoded();
          assert.equal(c.doc, list.docs[at] ?? NO_DOC, `seed ${seed}, list ${t}, move ${moves++}`);
          if (at < list.docs.length) {
            assert.equal(c.tf, list.tfs[at]);
            assert.equal(c.block, at >>> 7);
          }
        }
        assert.ok(c.done);
      });
    }
  });

  it('skip whole blocks undecoded, landing on the next block first posting', () => {
    const lists = randomLists(21);
    const { cursor } = encoded(lists);
    lists.forEach((list, t) => {
      const c = cursor(t);
      for (let block = 0; block * POSTING_BLOCK < list.docs.length; block++) {
        assert.ok(!c.done);
        assert.ok(c.atBlockStart);
        c.ensureDecoded();
        assert.equal(c.doc, list.docs[block * POSTING_BLOCK]);
        assert.equal(c.block, block);
        c.skipBlock();
      }
      c.ensureDecoded();
      assert.ok(c.done);
      assert.equal(c.doc, NO_DOC);
    });
  });
});
