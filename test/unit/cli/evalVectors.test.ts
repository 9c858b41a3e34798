import * as assert from 'node:assert/strict';
import type { Embedder } from '../../../src/embeddings/embedder';
import { vectorRun } from '../../../src/cli/evalVectors';
import { bagOfWordsVector } from '../../fakes/embeddingsServer';

describe('grounded eval’s vector ranking', () => {
  it('ranks queries and documents by vectors of one model, when the model behind the name changes between calls', async () => {
    // every call answers as another model would: a new dimension each time
    let calls = 0;
    const changing: Embedder = {
      model: 'changing',
      embed: texts => {
        const dimensions = 16 + 8 * calls++;
        return Promise.resolve(texts.map(t => Float32Array.from(bagOfWordsVector(t, dimensions))));
      },
    };
    const words = ['zebra quokka', 'llama alpaca', 'gauge plutonium', 'flux capacitor'];
    const dataset = {
      corpus: words.map((text, i) => ({ id: `d${i}`, title: '', text })),
      queries: words.map((text, i) => ({ id: `q${i}`, text })),
      qrels: new Map(words.map((_, i) => [`q${i}`, new Map([[`d${i}`, 1]])])),
      unasked: 0,
    };
    const run = await vectorRun(dataset, changing, 4);
    for (const [i] of words.entries()) assert.equal(run.get(`q${i}`)?.[0]?.doc, `d${i}`, JSON.stringify([...run]));
  });

  it('never ranks a document whose vector is all zeros, and ranks nothing for a query whose vector is', async () => {
    const zeros: Embedder = {
      model: 'zeros',
      embed: texts =>
        Promise.resolve(
          texts.map(t => (/silent/.test(t) ? new Float32Array(16) : Float32Array.from(bagOfWordsVector(t, 16)))),
        ),
    };
    const dataset = {
      corpus: [
        { id: 'd0', title: '', text: 'silent document' },
        { id: 'd1', title: '', text: 'zebra quokka' },
      ],
      queries: [
        { id: 'q0', text: 'llama alpaca' },
        { id: 'q1', text: 'silent query' },
      ],
      qrels: new Map([
        ['q0', new Map([['d1', 1]])],
        ['q1', new Map([['d0', 1]])],
      ]),
      unasked: 0,
    };
    const run = await vectorRun(dataset, zeros, 2);
    assert.deepEqual(
      run.get('q0')?.map(e => e.doc),
      ['d1'],
    );
    assert.equal(run.get('q1'), undefined);
  });
});
