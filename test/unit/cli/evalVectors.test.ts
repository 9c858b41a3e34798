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
});
