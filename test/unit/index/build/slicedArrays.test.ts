import assert from 'node:assert/strict';
import { deserialize, serialize } from 'node:v8';
import {
  isSliceMessage,
  SLICE_BYTES,
  SLICED_FROM,
  SliceAssembler,
  sendSliced,
} from '../../../../src/index/build/slicedArrays';

/** Every message `sendSliced` sends, each through the structured clone an IPC channel applies. */
function sent(message: object): object[] {
  const out: object[] = [];
  sendSliced(message, m => out.push(deserialize(serialize(m)) as object));
  return out;
}

/** What the receiving side makes of the messages: slices assembled, then the last message restored. */
function received(messages: object[]): unknown {
  const assembler = new SliceAssembler();
  const last = messages.at(-1);
  for (const m of messages.slice(0, -1)) {
    assert.ok(isSliceMessage(m), 'only slices come before the message');
    assembler.add(m);
  }
  return assembler.restore(last);
}

const filled = <T extends { length: number; [i: number]: number }>(array: T): T => {
  for (let i = 0; i < array.length; i++) array[i] = (i * 7919) % 65521;
  return array;
};

describe('sliced arrays over an IPC channel', () => {
  it('sends a large typed array in slices of at most SLICE_BYTES and restores it whole, owning its buffer', () => {
    const postings = filled(new Uint32Array((SLICE_BYTES * 2.5) / 4));
    const lengths = filled(new Float64Array(SLICED_FROM / 8 + 3));
    const small = filled(new Uint16Array(10));
    const message = { type: 'done', snapshot: { segments: [{ postings, lengths, small }], next: 4 }, skipped: [1, 2] };
    const messages = sent(message);
    const slices = messages.filter(isSliceMessage);
    assert.equal(slices.length, 3 + 1, 'three slices of the postings, one of the lengths');
    for (const s of slices) assert.ok(s.bytes.byteLength <= SLICE_BYTES);
    const back = received(messages) as typeof message;
    const segment = back.snapshot.segments[0];
    assert.ok(segment);
    assert.ok(segment.postings instanceof Uint32Array);
    assert.deepEqual(segment.postings, postings);
    assert.equal(segment.postings.buffer.byteLength, postings.byteLength);
    assert.ok(segment.lengths instanceof Float64Array);
    assert.deepEqual(segment.lengths, lengths);
    assert.deepEqual(segment.small, small);
    assert.equal(back.snapshot.next, 4);
    assert.deepEqual(back.skipped, [1, 2]);
  });

  it('sends only the bytes of a view into a larger buffer, and leaves the message sent as it was', () => {
    const whole = filled(new Int32Array(SLICED_FROM));
    const view = whole.subarray(5, 5 + SLICED_FROM / 2);
    const message = { view, list: [view] };
    const back = received(sent(message)) as typeof message;
    assert.deepEqual(back.view, view);
    assert.deepEqual(back.list[0], view);
    assert.equal(message.view, view, 'the original message keeps its arrays');
  });

  it('passes values that are not plain objects as they are', () => {
    const message = { counts: new Map([['a', 1]]), at: 3, none: undefined };
    const back = received(sent(message)) as typeof message;
    assert.deepEqual(back.counts, new Map([['a', 1]]));
    assert.ok('none' in back);
  });

  it('gives each typed array of a received message its own buffer, keeping type, values and what else it holds', () => {
    const message = new Uint8Array(64).buffer;
    new Uint32Array(message).forEach((_, i, a) => (a[i] = i));
    const value = {
      words: new Uint32Array(message, 8, 4),
      list: [new Uint8Array(message, 3, 5), 'text', 7],
      own: new Float64Array([1.5]),
      view: new DataView(message, 16, 8),
    };
    const own = value.own;
    const result = new SliceAssembler().restore(value);
    assert.ok(result.words instanceof Uint32Array);
    assert.deepEqual([...result.words], [2, 3, 4, 5]);
    assert.equal(result.words.buffer.byteLength, 16);
    const bytes = result.list[0] as Uint8Array;
    assert.deepEqual([...bytes], [0, 1, 0, 0, 0]);
    assert.equal(bytes.buffer.byteLength, 5);
    assert.deepEqual(result.list.slice(1), ['text', 7]);
    assert.equal(result.own, own, 'an array that owns its buffer is kept as it is');
    assert.equal(result.view.getUint32(0, true), 4);
    assert.equal(result.view.buffer.byteLength, 8);
  });

  it('refuses a stand-in whose slices never came', () => {
    const messages = sent({ big: new Uint8Array(SLICED_FROM + 1) });
    assert.throws(() => new SliceAssembler().restore(messages.at(-1)), /did not send the slices/);
  });
});
